"""Reviewer decisions as new decision versions, built from the version the reviewer saw (pure).

Every function takes ``base`` (the newest version of the post's decision, the one shown to the reviewer)
and returns version ``base.version + 1`` with a ``ReviewStamp`` saying who did what, when and why. The
automatic decision is never changed: a reviewer's decision is a new version beside it. A reviewer's note
travels in ``review.note`` only, never in ``reasons``.
"""

from __future__ import annotations

import dataclasses

from postguard.domain.types import Decision, ReviewAction, ReviewStamp, Verdict

SYSTEM_REVIEWER = "system"
"""The reviewer named on a version made because nobody decided before the deadline."""

APPROVED_REASON = "a reviewer approved the post as written"
APPROVED_WITH_EDITS_REASON = "a reviewer approved the post with edits; the edited text was screened again"
REJECTED_REASON = "a reviewer rejected the post"
ESCALATED_REASON = "a reviewer escalated the post to an administrator"
DEADLINE_MISSED_REASON = "no reviewer decided before the review deadline, so the post was not published"
IMAGES_AS_SCREENED_REASON = (
    "the attached images were not edited: they go out as screened, each flagged one as its redacted copy "
    "(redacted_attachments)"
)
PUBLISHABLE = frozenset({Verdict.ALLOW, Verdict.ALLOW_WITH_CHANGES})
"""Verdicts an edited text must get on re-screening for the approval to stand."""


def _stamp(base: Decision, action: ReviewAction, reviewer: str, now: str, note: str) -> ReviewStamp:
    return ReviewStamp(
        action=action, reviewer=reviewer, reviewed_at=now, note=note, based_on_version=base.version
    )


def _next(base: Decision, stamp: ReviewStamp, verdict: Verdict, reasons: tuple[str, ...]) -> Decision:
    return dataclasses.replace(
        base,
        verdict=verdict,
        reasons=reasons,
        version=base.version + 1,
        decided_at=stamp.reviewed_at,
        review=stamp,
        provisional=False,
        timings={},
    )


def approve(base: Decision, reviewer: str, now: str, note: str = "") -> Decision:
    """ALLOW the post as written (ALLOW_WITH_CHANGES when images go out as their redacted copies);
    findings and redacted text are kept for the record."""
    stamp = _stamp(base, ReviewAction.APPROVE, reviewer, now, note)
    if base.redacted_attachments:  # the images still go out as their redacted copies
        reasons = (APPROVED_REASON, IMAGES_AS_SCREENED_REASON)
        return _next(base, stamp, Verdict.ALLOW_WITH_CHANGES, reasons)
    return _next(base, stamp, Verdict.ALLOW, (APPROVED_REASON,))


def approve_with_edits(
    base: Decision, rescreened: Decision, reviewer: str, now: str, note: str = ""
) -> Decision:
    """The re-screened decision of the edited text as version ``base + 1``.

    Raises ``ValueError`` when the edited text is still held (its verdict is not ALLOW or
    ALLOW_WITH_CHANGES) or when ``rescreened`` is about another post.
    """
    if rescreened.verdict not in PUBLISHABLE:
        raise ValueError(f"the edited text is {rescreened.verdict}: it cannot be approved")
    if (rescreened.institution_id, rescreened.post_id) != (base.institution_id, base.post_id):
        raise ValueError(f"the re-screened decision is for post {rescreened.post_id!r}, not {base.post_id!r}")
    stamp = _stamp(base, ReviewAction.APPROVE_WITH_EDITS, reviewer, now, note)
    # Only the text was edited and re-screened: the images keep what screening found in them, and
    # the platform still posts the redacted copy of each one that was acted on.
    image_findings = tuple(f for f in base.findings if not f.in_text)
    verdict, reasons = rescreened.verdict, (APPROVED_WITH_EDITS_REASON, *rescreened.reasons)
    if image_findings or base.redacted_attachments:
        reasons = (*reasons, IMAGES_AS_SCREENED_REASON)
    if base.redacted_attachments:
        verdict = Verdict.most_severe([verdict, Verdict.ALLOW_WITH_CHANGES])
    return dataclasses.replace(
        rescreened,
        verdict=verdict,
        findings=(*rescreened.findings, *image_findings),
        redacted_attachments=base.redacted_attachments,
        version=base.version + 1,
        decided_at=now,
        review=stamp,
        reasons=reasons,
        author_id=base.author_id,
        review_deadline=base.review_deadline,
        provisional=False,
        timings={},
    )


def reject(base: Decision, reviewer: str, now: str, note: str = "") -> Decision:
    """BLOCK the post; the reviewer's note goes in ``review.note``."""
    stamp = _stamp(base, ReviewAction.REJECT, reviewer, now, note)
    return _next(base, stamp, Verdict.BLOCK, (REJECTED_REASON,))


def escalate(base: Decision, reviewer: str, now: str, note: str = "") -> Decision:
    """Keep the post held (REVIEW) for an administrator to decide."""
    stamp = _stamp(base, ReviewAction.ESCALATE, reviewer, now, note)
    return _next(base, stamp, Verdict.REVIEW, (ESCALATED_REASON, *base.reasons))


def deadline_missed(base: Decision, now: str) -> Decision:
    """BLOCK the post because nobody decided in time (fail closed: it is not published)."""
    stamp = _stamp(base, ReviewAction.DEADLINE_MISSED, SYSTEM_REVIEWER, now, "")
    return _next(base, stamp, Verdict.BLOCK, (DEADLINE_MISSED_REASON,))
