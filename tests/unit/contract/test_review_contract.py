"""The review fields of the contract: scheduled_publish_at, review deadlines, reviewer stamps on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from postguard.core import codec
from postguard.domain.policy import PolicyError, PolicyRegistry
from postguard.domain.policy.engine import PolicyEngine
from postguard.domain.policy.registry import ReviewTiming, parse_policy
from postguard.domain.review.deadlines import format_rfc3339, is_overdue, parse_rfc3339, review_deadline
from postguard.domain.serialization import decision_to_dict
from postguard.domain.types import (
    Category,
    Decision,
    Finding,
    Post,
    ReviewAction,
    ReviewStamp,
    StageName,
    StageResult,
    Verdict,
)
from postguard.domain.validation import PostValidationError, post_from_mapping
from postguard.v1 import decision_pb2

pytestmark = pytest.mark.unit

POLICY = """\
policy_id: t
version: "1"
institutions: [inst-a]
review: {margin_minutes: 45, default_hours: 2}
"""
HELD_AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _post(**extra: str) -> dict[str, str]:
    return {"post_id": "p1", "institution_id": "inst-a", "platform": "x", "text": "hello", **extra}


def test_scheduled_publish_at_is_read_and_checked() -> None:
    post = post_from_mapping(_post(scheduled_publish_at="2026-03-01T10:00:00+01:00"))
    assert post.scheduled_publish_at == "2026-03-01T10:00:00+01:00"
    with pytest.raises(PostValidationError, match="scheduled_publish_at: must be an RFC 3339"):
        post_from_mapping(_post(scheduled_publish_at="tomorrow at ten"))
    with pytest.raises(PostValidationError, match="time zone is missing"):
        post_from_mapping(_post(scheduled_publish_at="2026-03-01T10:00:00"))
    with pytest.raises(PostValidationError, match="before 2000"):
        post_from_mapping(_post(scheduled_publish_at="0001-01-01T00:00:00Z"))


def test_policy_review_timing_is_parsed_and_bounded() -> None:
    assert parse_policy(POLICY, "p.yaml").review == ReviewTiming(margin_minutes=45, default_hours=2)
    assert PolicyRegistry.load().policy_for("demo-hospital").review == ReviewTiming(30, 24)
    with pytest.raises(PolicyError, match=r"p\.yaml:4: review\.margin_minutes must be a number"):
        parse_policy(POLICY.replace("45", "-5"), "p.yaml")
    with pytest.raises(PolicyError, match=r"p\.yaml:4"):
        parse_policy(POLICY.replace("default_hours", "default_days"), "p.yaml")


def test_deadline_is_schedule_minus_margin_or_held_time_plus_default() -> None:
    timing = ReviewTiming(margin_minutes=45, default_hours=2)
    scheduled = review_deadline("2026-03-01T10:00:00+01:00", HELD_AT, timing)
    assert format_rfc3339(scheduled) == "2026-03-01T08:15:00Z"
    assert format_rfc3339(review_deadline("", HELD_AT, timing)) == "2026-03-01T10:00:00Z"
    assert not is_overdue(scheduled, HELD_AT) and is_overdue(scheduled, parse_rfc3339("2026-03-01T08:15:00Z"))
    # inside the margin already: until the scheduled time itself; already past: overdue at once
    soon = review_deadline("2026-03-01T08:20:00Z", HELD_AT, timing)
    assert format_rfc3339(soon) == "2026-03-01T08:20:00Z"
    assert is_overdue(review_deadline("2026-03-01T07:00:00Z", HELD_AT, timing), HELD_AT)


def _results(post: Post, *findings: Finding) -> list[StageResult]:
    return [
        StageResult(
            post.post_id,
            stage,
            findings if stage == StageName.IDENTIFIER_DETECTION else (),
            institution_id=post.institution_id,
            text_sha256=post.text_sha256,
        )
        for stage in StageName
    ]


def test_engine_sets_the_deadline_on_held_decisions_only() -> None:
    policy = PolicyRegistry.load().policy_for("demo-hospital")
    name = Finding(Category.IDENTIFIER, "PERSON", 0, 8, 0.99, "ner", "a name")
    held_post = Post(
        "p1",
        "demo-hospital",
        "x",
        "Jane Roe in bed 4",
        author_id="rn-7",
        scheduled_publish_at="2030-01-01T12:00:00Z",
    )
    held = PolicyEngine().decide(held_post, _results(held_post, name), policy)
    assert held.verdict in (Verdict.REVIEW, Verdict.BLOCK)
    assert held.review_deadline == "2030-01-01T11:30:00Z" and held.author_id == "rn-7"
    clean_post = Post("p2", "demo-hospital", "x", "Wash your hands")
    clean = PolicyEngine().decide(clean_post, _results(clean_post), policy)
    assert clean.verdict is Verdict.ALLOW and clean.review_deadline == ""


def test_review_stamp_round_trips_and_unknown_actions_are_refused() -> None:
    stamp = ReviewStamp(ReviewAction.APPROVE_WITH_EDITS, "alice", "2026-03-01T08:00:00Z", "ok", 2)
    decision = Decision(
        "p1",
        "inst-a",
        Verdict.ALLOW,
        (),
        (),
        "",
        "t",
        "1",
        "a" * 64,
        version=3,
        author_id="rn-7",
        review_deadline="2026-03-01T09:00:00Z",
        review=stamp,
    )
    assert codec.decode_decision(codec.encode(decision)) == decision
    assert decision_to_dict(decision)["review"]["action"] == "approve_with_edits"
    msg = codec.decision_to_proto(decision)
    msg.review.action = "rubber_stamp"
    with pytest.raises(codec.DecodeError, match="unknown review action"):
        codec.decision_from_proto(msg)
    automatic = codec.decision_from_proto(decision_pb2.Decision(post_id="p", verdict=decision_pb2.ALLOW))
    assert automatic.review is None
