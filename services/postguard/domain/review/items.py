"""What the review queue holds: one item per held post, its status, and reviewers' feedback on findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from postguard.domain.types import Decision


class ReviewStatus(enum.StrEnum):
    """Where a held post stands. Only PENDING and ESCALATED items are in the queue."""

    PENDING = "pending"
    ESCALATED = "escalated"
    APPROVED = "approved"
    APPROVED_WITH_EDITS = "approved_with_edits"
    REJECTED = "rejected"
    DEADLINE_MISSED = "deadline_missed"
    SUPERSEDED = "superseded"
    """A newer automatic decision of the post (complete, or an edited resubmission) was not held."""

    @property
    def open(self) -> bool:
        """True while a person still has to decide."""
        return self in (ReviewStatus.PENDING, ReviewStatus.ESCALATED)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A held post in the queue of its institution.

    ``decision`` is the newest version of the post's decision (the automatic one, or the last reviewer's
    escalation). ``original_text`` is kept only while the item is open and only when the post's text was
    known to the queue (the all-in-one server and the console service both have it); it is cleared when
    the item is resolved, so the audit trail keeps redacted text and hashes only.
    """

    decision: Decision
    status: ReviewStatus
    deadline: str
    """RFC 3339, UTC: by when a person must decide (``review_deadline`` of the decision)."""
    held_at: str
    original_text: str = ""
    platform: str = ""
    scheduled_publish_at: str = ""
    resolved_by: str = ""
    resolved_at: str = ""
    note: str = ""
    held_sha256: str = ""
    """Hash of the automatic decision's text that was held (a redelivery of it is not queued again)."""

    @property
    def institution_id(self) -> str:
        return self.decision.institution_id

    @property
    def post_id(self) -> str:
        return self.decision.post_id

    @property
    def author_id(self) -> str:
        return self.decision.author_id


class FeedbackOutcome(enum.StrEnum):
    """A reviewer's judgement of one finding, or an identifier the detectors missed."""

    CONFIRMED = "confirmed"
    FALSE_ALARM = "false_alarm"
    MISSED = "missed"


@dataclass(frozen=True, slots=True)
class FindingFeedback:
    """One reviewer outcome: ``text[start:end]`` of the reviewed text is (or is not) a ``label``."""

    outcome: FeedbackOutcome
    category: str
    label: str
    start: int
    end: int
