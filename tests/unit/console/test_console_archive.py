"""The archive page and its exports: filters, isolation, admin-only full exports, no original text."""

from __future__ import annotations

import csv
import io
import json
import re

from console_helpers import RIVERSIDE, act, logged_in

ROW = re.compile(r'data-testid="archive-row" data-post-id="([^"]+)" data-version="(\d+)"')
CLEAN = "Thank you to everyone who came to our flu clinic today!"


def rows(client, query: str = "") -> list[tuple[str, str]]:
    response = client.get("/archive" + query)
    assert response.status_code == 200, response.text
    return ROW.findall(response.text)


def test_archive_shows_own_institutions_and_filters(world, app):
    world.hold("p-1", author="nurse-a")
    world.hold("p-2", author="nurse-b")
    world.hold("p-theirs", institution=RIVERSIDE, author="nurse-a")
    carol = logged_in(app, "carol")
    assert act(carol, "reject", "p-2", note="names a patient").status_code == 303
    assert sorted(rows(carol)) == [("p-1", "1"), ("p-2", "1"), ("p-2", "2")]
    assert rows(carol, "?author=nurse-a") == [("p-1", "1")]
    assert sorted(rows(carol, "?verdict=BLOCK")) == [("p-1", "1"), ("p-2", "1"), ("p-2", "2")]
    assert rows(carol, "?label=EMAIL") == []
    assert len(rows(carol, "?label=PERSON")) == 3
    today = world.clock.now.date().isoformat()
    assert len(rows(carol, f"?since={today}&until={today}")) == 3
    assert rows(carol, "?until=2000-01-01") == []
    assert carol.get(f"/archive?institution={RIVERSIDE}").status_code == 404
    assert carol.get("/archive?since=yesterday").status_code == 400


def test_csv_export_has_redacted_text_and_no_original(world, app):
    world.hold("p-1", author="nurse-a")
    carol = logged_in(app, "carol")
    response = carol.get("/archive/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    [record] = list(csv.DictReader(io.StringIO(response.text)))
    assert record["post_id"] == "p-1" and record["author_id"] == "nurse-a"
    assert "[PERSON]" in record["redacted_text"] and "PERSON" in record["labels"]
    assert "John Smith" not in response.text and "ward 4" not in response.text


def test_jsonl_export_and_isolation(world, app):
    world.hold("p-1")
    world.hold("p-theirs", institution=RIVERSIDE)
    carol = logged_in(app, "carol")
    lines = carol.get("/archive/export.jsonl").text.splitlines()
    assert [json.loads(line)["post_id"] for line in lines] == ["p-1"]
    assert "John Smith" not in "".join(lines)


def test_only_admins_export_everything_reviewers_one_author(world, app):
    world.hold("p-1", author="alice")
    world.hold("p-2", author="nurse-b")
    alice = logged_in(app, "alice")
    page = alice.get("/archive").text
    assert 'data-testid="export-admin-only"' in page and 'data-testid="export-csv"' not in page
    assert alice.get("/archive/export.csv").status_code == 403
    mine = alice.get("/archive?author=alice").text
    assert 'data-testid="export-csv"' in mine
    response = alice.get("/archive/export.csv?author=alice")
    assert response.status_code == 200
    assert [r["post_id"] for r in csv.DictReader(io.StringIO(response.text))] == ["p-1"]


def test_my_posts_link_is_the_author_filter(world, app):
    page = logged_in(app, "alice").get("/queue").text
    assert 'href="/archive?author=alice" data-testid="nav-mine"' in page


def test_missed_deadlines_lists_posts_blocked_at_the_deadline(world, app):
    world.hold("p-late", in_hours=1)
    world.hold("p-theirs", institution=RIVERSIDE, in_hours=1)
    world.clock.advance(hours=1)
    expired = world.desk.expire_overdue()
    assert {d.post_id for d in expired} == {"p-late", "p-theirs"}
    page = logged_in(app, "alice").get("/missed").text
    assert 'data-testid="expired-row" data-post-id="p-late"' in page
    assert "p-theirs" not in page
