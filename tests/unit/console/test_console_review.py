"""The queue, a post's page and the reviewer's actions, against a real ReviewDesk on SQLite."""

from __future__ import annotations

import re

from console_helpers import (
    CLEAN_EDIT,
    DEMO,
    PATIENT_TEXT,
    RIVERSIDE,
    STILL_NAMED,
    act,
    csrf_token,
    logged_in,
    post_path,
)
from postguard.domain.review.items import FeedbackOutcome, ReviewStatus
from postguard.domain.types import ReviewAction, Verdict

ROW = re.compile(r'data-testid="queue-row" data-post-id="([^"]+)"')


def queue_ids(client) -> list[str]:
    response = client.get("/queue")
    assert response.status_code == 200
    return ROW.findall(response.text)


def test_queue_shows_only_the_users_institutions_soonest_deadline_first(world, app):
    world.hold("later", in_hours=10)
    world.hold("sooner", in_hours=2)
    world.hold("theirs", institution=RIVERSIDE, in_hours=1)
    assert queue_ids(logged_in(app, "alice")) == ["sooner", "later"]
    assert queue_ids(logged_in(app, "bob")) == ["theirs"]


def test_queue_marks_overdue_items_and_time_left(world, app):
    world.hold("p-late", in_hours=1)  # deadline = scheduled - 30 min margin
    world.hold("p-ok", in_hours=5)
    alice = logged_in(app, "alice")
    world.clock.advance(minutes=45)
    page = alice.get("/queue").text
    late_row = page[page.index('data-post-id="p-late"') :].split("</tr>")[0]
    ok_row = page[page.index('data-post-id="p-ok"') :].split("</tr>")[0]
    assert "OVERDUE" in late_row and "overdue by 15 min" in late_row
    assert "OVERDUE" not in ok_row and "3 h 45 min left" in ok_row
    missed = alice.get("/missed").text
    assert 'data-testid="missed-row" data-post-id="p-late"' in missed
    assert 'data-post-id="p-ok"' not in missed


def test_another_institutions_post_is_the_same_404_as_a_missing_one(world, app):
    world.hold("p-1", institution=RIVERSIDE)
    alice = logged_in(app, "alice")
    theirs = alice.get(post_path("p-1", RIVERSIDE))
    missing = alice.get(post_path("no-such-post", RIVERSIDE))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace("p-1", "X") == missing.text.replace("no-such-post", "X")
    assert "John Smith" not in theirs.text


def test_action_on_another_institutions_post_is_refused(world, app):
    world.hold("p-1", institution=RIVERSIDE)
    alice = logged_in(app, "alice")
    for action, data in (("approve", {}), ("reject", {"note": "no"}), ("escalate", {"note": "x"})):
        assert act(alice, action, "p-1", RIVERSIDE, **data).status_code == 404
    assert world.desk.item(RIVERSIDE, "p-1").status is ReviewStatus.PENDING
    assert world.published == []


def test_post_page_highlights_findings_in_the_original_text(world, app):
    world.hold("p-1")
    page = logged_in(app, "alice").get(post_path("p-1")).text
    assert re.search(r'data-label="PERSON"[^>]*>.*?John Smith', page)
    assert "A patient&#39;s name identifies them" in page  # the finding's reason
    assert "Remove the name" in page  # its suggestion
    assert 'data-testid="policy">default version' in page
    assert 'data-testid="risk">1.00' in page and "direct: PERSON" in page
    assert "[PERSON]" in page  # the redacted text
    assert page.count('data-testid="history-row"') == 1
    assert 'data-testid="edited-text">' + PATIENT_TEXT in page  # the edit box holds the original


def test_missing_csrf_token_is_403_and_changes_nothing(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    assert alice.post("/act/approve/demo-hospital/p-1", data={}).status_code == 403
    bad = alice.post("/act/approve/demo-hospital/p-1", data={"csrf_token": "forged"})
    assert bad.status_code == 403
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.PENDING
    assert world.published == [] and world.audit.count() == 1


def test_another_sessions_csrf_token_is_refused(world, app):
    world.hold("p-1")
    alice, carol = logged_in(app, "alice"), logged_in(app, "carol")
    token = csrf_token(carol, "/queue")
    assert alice.post("/act/approve/demo-hospital/p-1", data={"csrf_token": token}).status_code == 403
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.PENDING


def test_approve_publishes_a_new_version(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    response = act(alice, "approve", "p-1", note="fine")
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    [decision] = world.published
    assert decision.version == 2 and decision.verdict is Verdict.ALLOW
    assert decision.review.action is ReviewAction.APPROVE and decision.review.reviewer == "alice"
    assert [r.version for r in world.audit.versions("p-1", DEMO)] == [1, 2]
    assert "approve: post p-1 is now ALLOW (version 2)" in alice.get("/queue").text  # shown once
    assert queue_ids(alice) == []
    assert "is now ALLOW" not in alice.get("/queue").text


def test_approve_with_a_clean_edit_goes_out(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    assert act(alice, "edit", "p-1", edited_text=CLEAN_EDIT).status_code == 303
    [decision] = world.published
    assert decision.verdict in (Verdict.ALLOW, Verdict.ALLOW_WITH_CHANGES)
    assert decision.review.action is ReviewAction.APPROVE_WITH_EDITS
    assert "John Smith" not in decision.redacted_text
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.APPROVED_WITH_EDITS


def test_an_edit_that_still_names_the_patient_is_refused_and_the_item_stays_open(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    response = act(alice, "edit", "p-1", edited_text=STILL_NAMED)
    assert response.status_code == 422
    assert 'data-testid="edit-result"' in response.text
    assert re.search(r'data-testid="edited-findings".*?data-label="PERSON"', response.text, re.S)
    assert "still" in response.text and STILL_NAMED in response.text  # the edit is kept in the box
    assert world.published == []
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.PENDING
    assert queue_ids(alice) == ["p-1"]


def test_reject_needs_a_note(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    response = act(alice, "reject", "p-1", note="  ")
    assert response.status_code == 422 and "a note is required" in response.text
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.PENDING and world.published == []
    assert act(alice, "reject", "p-1", note="names a patient").status_code == 303
    [decision] = world.published
    assert decision.verdict is Verdict.BLOCK and decision.review.note == "names a patient"


def test_an_escalated_post_is_decided_by_an_admin_only(world, app):
    world.hold("p-1")
    alice, carol = logged_in(app, "alice"), logged_in(app, "carol")
    assert act(alice, "escalate", "p-1", note="not sure about consent").status_code == 303
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.ESCALATED
    queue = alice.get("/queue").text
    assert 'data-testid="escalated">escalated · admins decide' in queue
    page = alice.get(post_path("p-1")).text
    assert 'data-testid="approve"' not in page and "Only an admin of demo-hospital" in page
    assert act(alice, "approve", "p-1").status_code == 403
    assert act(alice, "reject", "p-1", note="no").status_code == 403
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.ESCALATED
    assert 'data-testid="approve"' in carol.get(post_path("p-1")).text
    assert act(carol, "approve", "p-1").status_code == 303
    assert world.published[-1].review.reviewer == "carol"
    assert world.published[-1].verdict is Verdict.ALLOW


def test_an_action_on_a_decided_post_is_refused(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    assert act(alice, "approve", "p-1").status_code == 303
    assert act(alice, "reject", "p-1", note="too late").status_code == 409
    assert len(world.published) == 1


def test_feedback_is_stored_with_offsets_of_the_reviewed_text(world, app):
    item = world.hold("p-1")
    labels = [f.label for f in item.decision.findings]
    person = labels.index("PERSON")
    alice = logged_in(app, "alice")
    token = csrf_token(alice, post_path("p-1"))
    data = {
        "csrf_token": token,
        f"finding-{person}": "false_alarm",
        "missed_text": "surgery",
        "missed_label": "PERSON",
    }
    response = alice.post("/feedback/demo-hospital/p-1", data=data)
    assert response.status_code == 303
    records = world.store.feedback(DEMO)
    by_outcome = {r.outcome: r for r in records}
    assert set(by_outcome) == {FeedbackOutcome.FALSE_ALARM, FeedbackOutcome.MISSED}
    alarm, missed = by_outcome[FeedbackOutcome.FALSE_ALARM], by_outcome[FeedbackOutcome.MISSED]
    assert PATIENT_TEXT[alarm.start : alarm.end] == "John Smith" and alarm.reviewer == "alice"
    assert PATIENT_TEXT[missed.start : missed.end] == "surgery" and missed.label == "PERSON"


def test_feedback_with_a_missed_text_not_in_the_post_is_refused(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    token = csrf_token(alice, post_path("p-1"))
    data = {"csrf_token": token, "missed_text": "Jane Doe", "missed_label": "PERSON"}
    response = alice.post("/feedback/demo-hospital/p-1", data=data)
    assert response.status_code == 422 and "does not appear" in response.text
    assert world.store.feedback(DEMO) == []


def test_feedback_on_another_institutions_post_is_404(world, app):
    world.hold("p-1", institution=RIVERSIDE)
    alice = logged_in(app, "alice")
    token = csrf_token(alice, "/queue")
    response = alice.post(
        "/feedback/riverside-clinic/p-1", data={"csrf_token": token, "finding-0": "confirmed"}
    )
    assert response.status_code == 404
    assert world.store.feedback(RIVERSIDE) == []


def test_pages_carry_the_test_ids_and_key_hints(world, app):
    world.hold("p-1")
    alice = logged_in(app, "alice")
    queue = alice.get("/queue").text
    assert 'data-testid="queue-row" data-post-id="p-1"' in queue and 'data-testid="key-hints"' in queue
    page = alice.get(post_path("p-1")).text
    for testid in ("approve", "edit", "reject", "escalate", "edited-text"):
        assert f'data-testid="{testid}"' in page
    assert "<script>" not in page and 'src="/static/console.js"' in page
    js = alice.get("/static/console.js")
    assert js.status_code == 200 and '"j"' in js.text and '"edited-text"' in js.text


def test_a_late_approval_is_refused_and_the_post_stays_unpublished(world, app):
    world.hold("p-1", in_hours=1)
    alice = logged_in(app, "alice")
    world.clock.advance(minutes=31)  # past scheduled - 30 min
    response = act(alice, "approve", "p-1")
    assert response.status_code == 422 and "review deadline passed" in response.text
    assert 'data-testid="approve"' not in response.text  # the page shows the post as decided now
    assert world.desk.item(DEMO, "p-1").status is ReviewStatus.DEADLINE_MISSED
    assert [d.verdict for d in world.published] == [Verdict.BLOCK]
    assert world.published[0].review.action is ReviewAction.DEADLINE_MISSED
