"""The decision given to a post the embedded pipeline could not screen: held for a person, never ALLOW."""

from __future__ import annotations

from datetime import UTC, datetime

from postguard.domain.join import EXPECTED_STAGES
from postguard.domain.policy import PolicyRegistry, UnknownInstitutionError
from postguard.domain.policy.registry import ReviewTiming
from postguard.domain.review.deadlines import format_rfc3339, review_deadline
from postguard.domain.types import Decision, Post, Verdict

SCREENING_FAILED_REASON = "screening failed"


def screening_failed_decision(
    post: Post, error_type: str, registry: PolicyRegistry | None = None, *, now: datetime | None = None
) -> Decision:
    """A REVIEW decision for ``post`` saying screening failed (``error_type`` names the exception class).

    No findings, no redacted text (nothing derived from a failed run is safe to publish); every text stage
    is listed as incomplete; the review deadline follows the institution's policy when it is known.
    """
    decided = now or datetime.now(UTC)
    policy_id, policy_version, timing = "", "", ReviewTiming()
    if registry is not None:
        try:
            policy = registry.policy_for(post.institution_id)
        except UnknownInstitutionError:
            pass
        else:
            policy_id, policy_version, timing = policy.policy_id, policy.version, policy.review
    return Decision(
        post_id=post.post_id,
        institution_id=post.institution_id,
        author_id=post.author_id,
        verdict=Verdict.REVIEW,
        findings=(),
        reasons=(f"{SCREENING_FAILED_REASON} ({error_type}); a person must review this post",),
        redacted_text="",
        policy_id=policy_id,
        policy_version=policy_version,
        text_sha256=post.text_sha256,
        incomplete_stages=EXPECTED_STAGES,
        decided_at=decided.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        review_deadline=format_rfc3339(review_deadline(post.scheduled_publish_at, decided, timing)),
    )
