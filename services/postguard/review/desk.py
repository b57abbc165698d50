"""The review desk: held posts in, reviewer decisions out as new decision versions (CONTRACT SKELETON).

Transport-free: the all-in-one server and the distributed console service build one ``ReviewDesk`` with
their own ``publish`` (a DecisionBook + StreamDecisions in-process, or the decisions topic) and stores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from postguard.core.audit import AuditStore
from postguard.domain.review.items import FindingFeedback, ReviewItem
from postguard.domain.types import Decision, Post


class ReviewError(Exception):
    """A reviewer action that cannot be done; ``str()`` is safe to show (no post text)."""


class NotInQueue(ReviewError):
    """No open item for that (institution, post) — never found, another institution's, or already decided."""


@dataclass(frozen=True, slots=True)
class EditStillHeld(ReviewError):
    """The edited text, re-screened, is still held: the approval is refused, nothing is published."""

    decision: Decision

    def __str__(self) -> str:
        labels = sorted({f.label for f in self.decision.findings})
        return f"the edited text is still {self.decision.verdict}: {', '.join(labels) or 'see reasons'}"


class ReviewDesk:
    """Holds REVIEW/BLOCK decisions in a per-institution queue ordered by deadline and records decisions.

    ``rescreen(post)`` screens edited text with the same pipeline and policy; ``publish(decision)`` sends
    a new decision version to the platform (StreamDecisions / decisions topic); every version is written
    to ``audit``. ``clock`` returns aware UTC datetimes (tests pass their own).
    """

    def __init__(
        self,
        store: ReviewStore,
        audit: AuditStore,
        *,
        rescreen: Callable[[Post], Decision],
        publish: Callable[[Decision], None],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        raise NotImplementedError

    def hold(self, decision: Decision, post: Post | None = None) -> ReviewItem | None:
        """Queue ``decision`` if its verdict is held (REVIEW/BLOCK); None otherwise. Idempotent per version."""
        raise NotImplementedError

    def queue(self, institutions: frozenset[str] | None) -> list[ReviewItem]:
        """Open items of ``institutions`` (None: all), soonest deadline first."""
        raise NotImplementedError

    def item(self, institution_id: str, post_id: str) -> ReviewItem | None:
        """The newest item for that post (open or resolved), or None."""
        raise NotImplementedError

    def approve(self, institution_id: str, post_id: str, reviewer: str, note: str = "") -> Decision:
        raise NotImplementedError

    def approve_with_edits(
        self, institution_id: str, post_id: str, reviewer: str, edited_text: str, note: str = ""
    ) -> Decision:
        raise NotImplementedError

    def reject(self, institution_id: str, post_id: str, reviewer: str, note: str) -> Decision:
        raise NotImplementedError

    def escalate(self, institution_id: str, post_id: str, reviewer: str, note: str) -> Decision:
        raise NotImplementedError

    def record_feedback(
        self, institution_id: str, post_id: str, reviewer: str, feedback: list[FindingFeedback]
    ) -> None:
        raise NotImplementedError

    def expire_overdue(self) -> list[Decision]:
        """Every open item past its deadline gets a BLOCK version (action deadline_missed); returns them."""
        raise NotImplementedError
