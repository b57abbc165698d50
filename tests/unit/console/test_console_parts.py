"""The console's pure parts: OIDC groups, throttling, CSRF, highlighting, finding a missed span, time left."""

from __future__ import annotations

from datetime import UTC, datetime

from postguard.console.csrf import session_token, valid
from postguard.console.identity import from_proxy_headers, parse_groups
from postguard.console.throttle import LoginThrottle
from postguard.console.users import Role
from postguard.console.views import find_span, highlight, time_left
from postguard.domain.types import Category, Finding


def finding(start: int, end: int, label: str = "PERSON", **kw) -> Finding:
    return Finding(Category.IDENTIFIER, label, start, end, 0.9, "test", "reason", **kw)


def test_groups_map_to_roles_per_institution():
    raw = "staff, postguard:a:reviewer,postguard:b:admin postguard:a:admin other:c:admin postguard:d:owner"
    assert parse_groups(raw, "postguard") == (("a", Role.ADMIN), ("b", Role.ADMIN))
    assert parse_groups("postguard:*:admin,postguard::admin", "postguard") == ()
    assert from_proxy_headers({"X-U": "u"}, "X-U", "X-G", "postguard") is None
    who = from_proxy_headers({"X-U": "u", "X-G": "postguard:a:reviewer"}, "X-U", "X-G", "postguard")
    assert who.institutions == frozenset({"a"}) and not who.is_admin("a") and who.method == "oidc-proxy"


def test_throttle_locks_after_n_failures_within_the_window():
    now = [0.0]
    throttle = LoginThrottle(3, 60, clock=lambda: now[0])
    for _ in range(2):
        throttle.failed("Alice")
    assert not throttle.locked("alice")
    throttle.failed("alice ")
    assert throttle.locked("ALICE")
    now[0] = 61.0
    assert not throttle.locked("alice")
    throttle.failed("bob")
    throttle.succeeded("bob")
    assert not throttle.locked("bob")


def test_csrf_tokens_compare_exactly():
    session: dict = {}
    token = session_token(session)
    assert session_token(session) == token and valid(session, token)
    assert not valid(session, token[:-1]) and not valid(session, "") and not valid({}, token)
    assert not valid(session, None)


def test_highlight_cuts_the_text_at_in_text_spans():
    text = "Our patient John Smith, 67, at ward 4."
    findings = (
        finding(12, 22),
        finding(24, 26, "AGE"),
        finding(12, 16, "PERSON"),  # overlaps the first: listed, not highlighted twice
        finding(0, 3, "DEVICE_ID", attachment_id="img", field="alt_text"),  # indexes an attachment
        finding(30, 99, "FACILITY"),  # outside the text
    )
    segments = highlight(text, findings)
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.finding) for s in segments if s.finding is not None] == [("John Smith", 0), ("67", 1)]


def test_find_span_prefers_an_occurrence_no_finding_covers():
    text = "Smith met Smith"
    assert find_span(text, "Smith", [(0, 5)]) == (10, 15)
    assert find_span(text, " Smith ", []) == (0, 5)
    assert find_span(text, "Jones", []) is None and find_span(text, "  ", []) is None


def test_time_left_reads_like_a_person_would_say_it():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert time_left("2026-01-01T12:30:00Z", now).text == "30 min left"
    assert time_left("2026-01-01T12:30:00Z", now).soon
    assert time_left("2026-01-01T15:05:00Z", now).text == "3 h 05 min left"
    assert time_left("2026-01-05T12:00:00Z", now).text == "4 days 0 h left"
    late = time_left("2026-01-01T11:00:00Z", now)
    assert late.overdue and late.text == "overdue by 1 h 00 min"
