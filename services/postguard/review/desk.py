"""The review desk: held posts in, reviewer decisions out as new decision versions.

Transport-free: the all-in-one server and the distributed console service build one ``ReviewDesk`` with
their own ``publish`` (a DecisionBook + StreamDecisions in-process, or the decisions topic) and stores.

Every reviewer action makes version ``base + 1`` of the decision the reviewer saw
(``postguard.domain.review.actions``): the review store is updated (guarded by the version, so two
reviewers or two replicas cannot both decide), the version is written to the audit store and published.
A post past its review deadline is never published: an action on it, or the sweeper
(``expire_overdue``), makes a BLOCK version (action ``deadline_missed``) instead.

Feedback (``record_feedback``) keeps the reviewed text on purpose: it is labelled data for measuring the
detectors (``postguard feedback export``), kept in the review store, never in the audit trail, and the
retention purge (``postguard.review.archive.purge_older_than``) removes it. Errors and log lines name ids
and sizes only, never post text, edited text or notes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from postguard.core import metrics
from postguard.core.audit import AuditStore
from postguard.domain.policy.registry import ReviewTiming
from postguard.domain.review import actions
from postguard.domain.review.deadlines import (
    HELD_VERDICTS,
    format_rfc3339,
    is_overdue,
    parse_rfc3339,
    review_deadline,
)
from postguard.domain.review.feedback import FeedbackRecord
from postguard.domain.review.items import FeedbackOutcome, FindingFeedback, ReviewItem, ReviewStatus
from postguard.domain.types import Category, ContentLabel, Decision, IdentifierLabel, Post, ReviewAction
from postguard.review.store import ReviewStore

log = logging.getLogger(__name__)

_RESOLVED_BY_ACTION = {
    ReviewAction.APPROVE: ReviewStatus.APPROVED,
    ReviewAction.APPROVE_WITH_EDITS: ReviewStatus.APPROVED_WITH_EDITS,
    ReviewAction.REJECT: ReviewStatus.REJECTED,
    ReviewAction.ESCALATE: ReviewStatus.ESCALATED,
    ReviewAction.DEADLINE_MISSED: ReviewStatus.DEADLINE_MISSED,
}


class ReviewError(Exception):
    """A reviewer action that cannot be done; ``str()`` is safe to show (no post text)."""


class NotInQueue(ReviewError):  # noqa: N818 (the contract's name)
    """No open item for that (institution, post) — never found, another institution's, or already decided."""


@dataclass(frozen=True, slots=True)
class EditStillHeld(ReviewError):  # noqa: N818 (the contract's name)
    """The edited text, re-screened, is still held: the approval is refused, nothing is published."""

    decision: Decision

    def __str__(self) -> str:
        labels = sorted({f.label for f in self.decision.findings})
        return f"the edited text is still {self.decision.verdict}: {', '.join(labels) or 'see reasons'}"


def _millis(moment: datetime) -> str:
    """RFC 3339 with milliseconds, as decisions' ``decided_at``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _system_clock() -> datetime:
    return datetime.now(UTC)


def _not_in_queue(institution_id: str, post_id: str) -> NotInQueue:
    # One message whether the post exists for another institution, was decided already, or never existed.
    return NotInQueue(f"post {post_id[:128]!r} is not in the review queue of {institution_id[:128]!r}")


class ReviewDesk:
    """Holds REVIEW/BLOCK decisions in a per-institution queue ordered by deadline and records decisions.

    ``rescreen(post)`` screens edited text with the same pipeline and policy; ``publish(decision)`` sends
    a new decision version to the platform (StreamDecisions / decisions topic); every version is written
    to ``audit``. ``clock`` returns aware UTC datetimes (tests pass their own). ``timing_for(institution)``
    gives the policy's review timing, used when a held decision carries no ``review_deadline``.
    Thread-safe: the console's request threads and a sweeper thread share one desk.
    """

    def __init__(
        self,
        store: ReviewStore,
        audit: AuditStore,
        *,
        rescreen: Callable[[Post], Decision],
        publish: Callable[[Decision], None],
        clock: Callable[[], datetime] | None = None,
        timing_for: Callable[[str], ReviewTiming] | None = None,
    ) -> None:
        self.store = store
        self.audit = audit
        self._rescreen = rescreen
        self._publish = publish
        self._clock = clock or _system_clock
        self._timing_for = timing_for or (lambda _institution: ReviewTiming())
        self._lock = threading.RLock()
        self._gauged: set[str] = set()

    # --- the queue ------------------------------------------------------------------------------------

    def hold(self, decision: Decision, post: Post | None = None) -> ReviewItem | None:
        """Queue ``decision`` if its verdict is held (REVIEW/BLOCK); None otherwise. Idempotent per version.

        A newer automatic decision of a post already open (the complete decision after a provisional
        one, or an edited resubmission) replaces the item's decision; when that one is not held the
        item is closed as SUPERSEDED. An older or already-seen version changes nothing.
        """
        with self._lock:
            current = self.store.get(decision.institution_id, decision.post_id)
            if decision.review is not None:  # a reviewer's version (read back from the decisions topic)
                return current
            if current is not None and not _is_newer(decision, current):
                return current if decision.verdict in HELD_VERDICTS else None
            now = self._clock()
            if decision.verdict not in HELD_VERDICTS:
                if current is not None and current.status.open:
                    self._supersede(current, decision, now)
                return None
            item = self._new_item(decision, post, current, now)
            if not self._replace(current, item):
                return self.store.get(decision.institution_id, decision.post_id)
            log.info(
                "post held for review",
                extra={
                    "post_id": decision.post_id,
                    "institution_id": decision.institution_id,
                    "version": decision.version,
                    "deadline": item.deadline,
                },
            )
            return item

    def _new_item(
        self, decision: Decision, post: Post | None, current: ReviewItem | None, now: datetime
    ) -> ReviewItem:
        """The open item for a held ``decision`` (replacing ``current``'s decision while it is open)."""
        known = post if post is not None and post.text_sha256 == decision.text_sha256 else None
        still_open = current is not None and current.status.open
        held_at = current.held_at if still_open and current else _millis(now)
        scheduled = known.scheduled_publish_at if known else (current.scheduled_publish_at if current else "")
        deadline_text = self._deadline(decision, scheduled, held_at)
        same_text = current is not None and current.decision.text_sha256 == decision.text_sha256
        text = known.text if known else (current.original_text if current and same_text else "")
        status = current.status if still_open and current and same_text else ReviewStatus.PENDING
        return ReviewItem(
            decision=dataclasses.replace(decision, review_deadline=deadline_text),
            status=status,
            deadline=deadline_text,
            held_at=held_at,
            original_text=text,
            platform=known.platform if known else (current.platform if current else ""),
            scheduled_publish_at=scheduled,
            held_sha256=decision.text_sha256,
        )

    def _replace(self, current: ReviewItem | None, item: ReviewItem) -> bool:
        """Write ``item``; over an open item only if no reviewer (on any replica) decided it meanwhile."""
        if current is None or not current.status.open:
            return self.store.put(item)
        if self.store.put(item, expected_version=current.decision.version):
            return True
        log.info(
            "a reviewer decided the post while a newer decision arrived; the reviewer's version stands",
            extra={"post_id": item.post_id, "institution_id": item.institution_id},
        )
        return False

    def _deadline(self, decision: Decision, scheduled: str, held_at: str) -> str:
        """The decision's ``review_deadline``, else the policy's timing from the schedule or the hold."""
        if decision.review_deadline:
            try:
                return format_rfc3339(parse_rfc3339(decision.review_deadline))
            except ValueError:
                log.warning(
                    "held decision has an unreadable review_deadline; using the policy's timing",
                    extra={"post_id": decision.post_id, "institution_id": decision.institution_id},
                )
        timing = self._timing_for(decision.institution_id)
        try:
            return format_rfc3339(review_deadline(scheduled, parse_rfc3339(held_at), timing))
        except ValueError:  # an unreadable schedule: the default hours from the hold
            return format_rfc3339(review_deadline("", parse_rfc3339(held_at), timing))

    def _supersede(self, item: ReviewItem, decision: Decision, now: datetime) -> None:
        closed = dataclasses.replace(
            item,
            decision=decision,
            status=ReviewStatus.SUPERSEDED,
            original_text="",
            resolved_by="",
            resolved_at=_millis(now),
        )
        if not self._replace(item, closed):
            return
        log.info(
            "review item superseded by a newer decision",
            extra={
                "post_id": item.post_id,
                "institution_id": item.institution_id,
                "version": decision.version,
            },
        )

    def queue(self, institutions: frozenset[str] | None) -> list[ReviewItem]:
        """Open items of ``institutions`` (None: all), soonest deadline first."""
        return self.store.open_items(institutions)

    def item(self, institution_id: str, post_id: str) -> ReviewItem | None:
        """The newest item for that post (open or resolved), or None."""
        return self.store.get(institution_id, post_id)

    # --- reviewer actions -----------------------------------------------------------------------------

    def approve(self, institution_id: str, post_id: str, reviewer: str, note: str = "") -> Decision:
        """ALLOW the post as written (version base + 1); refused while screening is incomplete."""
        return self._apply(
            institution_id,
            post_id,
            ReviewAction.APPROVE,
            lambda base, now: actions.approve(_complete(base), reviewer, now, note),
            reviewer,
            note,
        )

    def approve_with_edits(
        self, institution_id: str, post_id: str, reviewer: str, edited_text: str, note: str = ""
    ) -> Decision:
        """Re-screen ``edited_text``; publish it as version base + 1 only if it is no longer held.

        Raises ``EditStillHeld`` (nothing changed, nothing published) when the edit is still REVIEW/BLOCK.
        """
        with self._lock:
            item = self._open_item(institution_id, post_id)
            _complete(item.decision)
        edited = Post(
            post_id=item.post_id,
            institution_id=item.institution_id,
            platform=item.platform or "other",
            text=edited_text,
            author_id=item.author_id,
            scheduled_publish_at=item.scheduled_publish_at,
        )
        try:
            rescreened = self._rescreen(edited)
        except Exception as exc:  # the rescreen may validate the post or fail in a detector
            log.warning(
                "re-screening an edited post failed",
                extra={
                    "post_id": post_id,
                    "institution_id": institution_id,
                    "error_type": type(exc).__name__,
                },
            )
            raise ReviewError(f"the edited text could not be screened ({type(exc).__name__})") from None
        if rescreened.verdict not in actions.PUBLISHABLE:
            raise EditStillHeld(rescreened)
        if (rescreened.institution_id, rescreened.post_id) != (institution_id, post_id):
            raise ReviewError("the re-screened decision belongs to another post")
        return self._apply(
            institution_id,
            post_id,
            ReviewAction.APPROVE_WITH_EDITS,
            lambda base, now: actions.approve_with_edits(base, rescreened, reviewer, now, note),
            reviewer,
            note,
            expected_version=item.decision.version,
        )

    def reject(self, institution_id: str, post_id: str, reviewer: str, note: str) -> Decision:
        """BLOCK the post; ``note`` goes in the version's review stamp."""
        return self._apply(
            institution_id,
            post_id,
            ReviewAction.REJECT,
            lambda base, now: actions.reject(base, reviewer, now, note),
            reviewer,
            note,
        )

    def escalate(self, institution_id: str, post_id: str, reviewer: str, note: str) -> Decision:
        """Keep the post held (REVIEW) and mark the item ESCALATED for an administrator."""
        return self._apply(
            institution_id,
            post_id,
            ReviewAction.ESCALATE,
            lambda base, now: actions.escalate(base, reviewer, now, note),
            reviewer,
            note,
        )

    def _open_item(self, institution_id: str, post_id: str) -> ReviewItem:
        """The open item, or NotInQueue; an item past its deadline is expired and ReviewError raised."""
        item = self.store.get(institution_id, post_id)
        if item is None or not item.status.open:
            raise _not_in_queue(institution_id, post_id)
        if is_overdue(parse_rfc3339(item.deadline), self._clock()):
            self._expire(item)
            raise ReviewError(
                f"review deadline passed at {item.deadline}: post {post_id[:128]!r} was not published"
            )
        return item

    def _apply(
        self,
        institution_id: str,
        post_id: str,
        action: ReviewAction,
        build: Callable[[Decision, str], Decision],
        reviewer: str,
        note: str,
        *,
        expected_version: int | None = None,
    ) -> Decision:
        with self._lock:
            item = self._open_item(institution_id, post_id)
            if expected_version is not None and item.decision.version != expected_version:
                raise ReviewError(f"post {post_id[:128]!r} was changed by another action; reload it")
            now = self._clock()
            decision = build(item.decision, _millis(now))
            return self._commit(item, decision, action, reviewer, note, now)

    def _commit(
        self,
        item: ReviewItem,
        decision: Decision,
        action: ReviewAction,
        reviewer: str,
        note: str,
        now: datetime,
    ) -> Decision:
        """Store, audit and publish a new version of ``item``'s decision (under the desk's lock)."""
        status = _RESOLVED_BY_ACTION[action]
        updated = dataclasses.replace(
            item,
            decision=decision,
            status=status,
            original_text=item.original_text if status.open else "",
            resolved_by="" if status.open else reviewer,
            resolved_at="" if status.open else _millis(now),
            note=note,
        )
        if not self.store.put(updated, expected_version=item.decision.version):
            raise ReviewError(f"post {item.post_id[:128]!r} was changed by another action; reload it")
        if not status.open:
            self.store.settle_feedback(item.institution_id, item.post_id, item.held_at, str(decision.verdict))
        self._observe(item, action, now, status)
        self._audit(decision)
        try:
            self._publish(decision)
        except Exception as exc:
            log.error(
                "a reviewer decision was stored but could not be published",
                extra={
                    "post_id": item.post_id,
                    "version": decision.version,
                    "error_type": type(exc).__name__,
                },
            )
            raise ReviewError(
                f"version {decision.version} of post {item.post_id[:128]!r} was recorded but not published"
            ) from None
        log.info(
            "review decision",
            extra={
                "post_id": item.post_id,
                "institution_id": item.institution_id,
                "action": str(action),
                "version": decision.version,
                "verdict": str(decision.verdict),
            },
        )
        return decision

    def _audit(self, decision: Decision) -> None:
        try:
            self.audit.record(decision)
        except Exception as exc:  # the decision is still published; the failure is counted and logged
            metrics.AUDIT_WRITE_ERRORS.inc()
            log.error(
                "audit write failed",
                extra={
                    "post_id": decision.post_id,
                    "version": decision.version,
                    "error_type": type(exc).__name__,
                },
            )

    def _observe(self, item: ReviewItem, action: ReviewAction, now: datetime, status: ReviewStatus) -> None:
        institution = item.institution_id
        metrics.REVIEWER_DECISIONS.labels(institution=institution, action=str(action)).inc()
        if action == ReviewAction.DEADLINE_MISSED:
            metrics.REVIEW_DEADLINE_MISSED.labels(institution=institution).inc()
        elif not status.open:
            waited = (now - parse_rfc3339(item.held_at)).total_seconds()
            metrics.REVIEW_HOLD_TO_DECISION.labels(institution=institution).observe(max(waited, 0.0))

    # --- deadlines and metrics ------------------------------------------------------------------------

    def _expire(self, item: ReviewItem) -> Decision:
        now = self._clock()
        decision = actions.deadline_missed(item.decision, _millis(now))
        log.warning(
            "review deadline missed; the post stays unpublished",
            extra={"post_id": item.post_id, "institution_id": item.institution_id, "deadline": item.deadline},
        )
        return self._commit(item, decision, ReviewAction.DEADLINE_MISSED, actions.SYSTEM_REVIEWER, "", now)

    def expire_overdue(self) -> list[Decision]:
        """Every open item past its deadline gets a BLOCK version (action deadline_missed); returns them."""
        expired = []
        with self._lock:
            for item in self.store.overdue(format_rfc3339(self._clock())):
                try:
                    expired.append(self._expire(item))
                except ReviewError as exc:  # recorded but not published, or raced: the next sweep retries
                    log.warning(
                        "expiring a review item failed", extra={"post_id": item.post_id, "error": str(exc)}
                    )
        return expired

    def refresh_metrics(self) -> None:
        """Set the queue depth and oldest-age gauges per institution (a drained queue reads 0)."""
        now = self._clock()
        stats = {s.institution_id: s for s in self.store.stats()}
        with self._lock:
            for institution in self._gauged - stats.keys():
                metrics.REVIEW_QUEUE_DEPTH.labels(institution=institution).set(0)
                metrics.REVIEW_QUEUE_OLDEST_AGE.labels(institution=institution).set(0)
            for institution, s in stats.items():
                age = (now - parse_rfc3339(s.oldest_held_at)).total_seconds()
                metrics.REVIEW_QUEUE_DEPTH.labels(institution=institution).set(s.depth)
                metrics.REVIEW_QUEUE_OLDEST_AGE.labels(institution=institution).set(max(age, 0.0))
            self._gauged |= stats.keys()

    # --- feedback -------------------------------------------------------------------------------------

    def record_feedback(
        self,
        institution_id: str,
        post_id: str,
        reviewer: str,
        feedback: list[FindingFeedback],
        *,
        text: str = "",
    ) -> None:
        """Store a reviewer's outcomes on findings of the text they judged.

        ``text`` is the reviewed text (the original, or the edited text); empty means the item's
        original text, which is held only while the item is open. The text must be the post's (its
        original, or the text of the item's newest decision), and each span must fit it.
        """
        item = self.store.get(institution_id, post_id)
        if item is None:
            raise _not_in_queue(institution_id, post_id)
        reviewed = text or item.original_text
        if not reviewed:
            raise ReviewError(f"the text of post {post_id[:128]!r} is no longer held; pass the reviewed text")
        digest = hashlib.sha256(reviewed.encode("utf-8")).hexdigest()
        if reviewed != item.original_text and digest != item.decision.text_sha256:
            raise ReviewError(f"the reviewed text is not the text of post {post_id[:128]!r}")
        for i, f in enumerate(feedback):
            _check_feedback(i, f, len(reviewed))
        given_at = _millis(self._clock())
        records = [
            FeedbackRecord(
                institution_id=institution_id,
                post_id=post_id,
                reviewer=reviewer,
                given_at=given_at,
                text=reviewed,
                platform=item.platform or "other",
                outcome=f.outcome,
                category=f.category,
                label=f.label,
                start=f.start,
                end=f.end,
                final_verdict=str(item.decision.verdict),
            )
            for f in feedback
        ]
        self.store.add_feedback(records)


_LABELS = {
    Category.IDENTIFIER: frozenset(str(v) for v in IdentifierLabel),
    Category.CONTENT: frozenset(str(v) for v in ContentLabel),
}


def _check_feedback(index: int, feedback: FindingFeedback, text_length: int) -> None:
    """ReviewError naming the field when one feedback entry cannot be stored as labelled data."""
    try:
        FeedbackOutcome(feedback.outcome)
        labels = _LABELS[Category(feedback.category)]
    except (ValueError, KeyError):
        raise ReviewError(f"feedback[{index}]: unknown outcome or category") from None
    if feedback.label not in labels:
        raise ReviewError(f"feedback[{index}]: {feedback.label[:40]!r} is not a {feedback.category} label")
    if not 0 <= feedback.start < feedback.end <= text_length:
        raise ReviewError(
            f"feedback[{index}]: span {feedback.start}..{feedback.end} is outside the text ({text_length})"
        )


def _complete(base: Decision) -> Decision:
    """``base``, or ReviewError when it is provisional: screening is not finished, so an approval could
    let out what a late stage (e.g. the images) will find, and its version would collide with the
    complete decision's. Reject and escalate stay possible (they keep the post unpublished)."""
    if base.provisional:
        stages = ", ".join(base.incomplete_stages) or "a stage"
        raise ReviewError(
            f"screening of post {base.post_id[:128]!r} is not complete ({stages} has not reported): "
            "approve once the complete decision arrives, or reject it"
        )
    return base


def _is_newer(decision: Decision, current: ReviewItem) -> bool:
    """Whether an automatic ``decision`` supersedes the item: other content (an edited resubmission),
    or a higher version of the content held. A reviewer's version is never replaced by hold(), and a
    redelivered decision of content already held or approved with edits changes nothing."""
    if decision.review is not None:
        return False
    known = {current.held_sha256 or current.decision.text_sha256, current.decision.text_sha256}
    if decision.text_sha256 not in known:
        return True
    return decision.version > current.decision.version
