"""Review deadlines: the schedule minus the margin, else the hold time plus the default hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from postguard.domain.policy.registry import ReviewTiming
from postguard.domain.review.deadlines import (
    HELD_VERDICTS,
    format_rfc3339,
    is_overdue,
    parse_rfc3339,
    review_deadline,
)
from postguard.domain.types import Verdict

pytestmark = pytest.mark.unit

HELD = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_scheduled_posts_are_due_a_margin_before_publishing() -> None:
    deadline = review_deadline("2026-12-01T14:00:00+02:00", HELD, ReviewTiming(margin_minutes=45))
    assert format_rfc3339(deadline) == "2026-12-01T11:15:00Z"


def test_unscheduled_posts_are_due_default_hours_after_the_hold() -> None:
    assert format_rfc3339(review_deadline("", HELD, ReviewTiming(default_hours=6))) == "2026-12-01T15:00:00Z"


def test_a_schedule_inside_the_margin_gives_until_the_scheduled_time() -> None:
    deadline = review_deadline("2026-12-01T09:10:00Z", HELD, ReviewTiming(margin_minutes=30))
    assert deadline == parse_rfc3339("2026-12-01T09:10:00Z") and not is_overdue(deadline, HELD)


def test_a_schedule_already_past_is_overdue_at_once() -> None:
    deadline = review_deadline("2026-12-01T08:00:00Z", HELD, ReviewTiming(margin_minutes=30))
    assert is_overdue(deadline, HELD)


def test_overdue_from_the_deadline_on() -> None:
    deadline = parse_rfc3339("2026-12-01t10:00:00z")
    assert not is_overdue(deadline, datetime(2026, 12, 1, 9, 59, 59, tzinfo=UTC))
    assert is_overdue(deadline, datetime(2026, 12, 1, 10, 0, tzinfo=UTC))


def test_only_review_and_block_are_held() -> None:
    assert frozenset({Verdict.REVIEW, Verdict.BLOCK}) == HELD_VERDICTS
