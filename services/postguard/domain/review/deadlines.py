"""When a held post must be decided by a person: its scheduled publish time minus the policy's margin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from postguard.domain.types import Verdict

if TYPE_CHECKING:  # the policy engine imports this module: no import cycle at run time
    from postguard.domain.policy.registry import ReviewTiming

HELD_VERDICTS = frozenset({Verdict.REVIEW, Verdict.BLOCK})
"""Verdicts that enter the review queue (a BLOCK may be appealed)."""


def parse_rfc3339(value: str) -> datetime:
    """An RFC 3339 timestamp (already validated) as an aware UTC datetime."""
    return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).astimezone(UTC)


def format_rfc3339(moment: datetime) -> str:
    """``moment`` in UTC as ``2024-05-01T09:30:00Z`` (seconds precision, sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def review_deadline(scheduled_publish_at: str, held_at: datetime, timing: ReviewTiming) -> datetime:
    """By when a reviewer must decide: ``scheduled - margin``, else ``held_at + default_hours``.

    When the schedule is already inside the margin the reviewer gets until the scheduled time itself;
    a schedule already past is overdue at once: the post is not published and the platform is told (a
    deadline-missed version), since it can no longer go out when it was meant to.
    """
    if scheduled_publish_at:
        scheduled = parse_rfc3339(scheduled_publish_at)
        with_margin = scheduled - timedelta(minutes=timing.margin_minutes)
        return with_margin if with_margin >= held_at else scheduled
    return held_at + timedelta(hours=timing.default_hours)


def is_overdue(deadline: datetime, now: datetime) -> bool:
    """True once ``now`` has reached ``deadline``."""
    return now >= deadline
