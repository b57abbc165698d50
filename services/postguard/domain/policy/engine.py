"""The policy engine: findings + policy -> verdict, reasons, fixes and redacted text. STUB."""

from __future__ import annotations

from collections.abc import Sequence

from postguard.domain.policy.registry import Policy
from postguard.domain.types import Decision, Post, StageName, StageResult, Verdict


class PolicyEngine:
    """Applies a policy. Fails closed: a missing or failed stage yields REVIEW, never ALLOW."""

    def decide(
        self,
        post: Post,
        results: Sequence[StageResult],
        policy: Policy,
        expected_stages: Sequence[str] = tuple(StageName),
    ) -> Decision:
        findings = tuple(f for r in results for f in r.findings)
        return Decision(
            post_id=post.post_id,
            institution_id=post.institution_id,
            verdict=Verdict.ALLOW,
            findings=findings,
            reasons=(),
            redacted_text=post.text,
            policy_id=policy.policy_id,
            policy_version=policy.version,
            text_sha256=post.text_sha256,
        )
