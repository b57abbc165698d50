"""Shared pieces of the all-in-one publisher and inbox tests: a post and a deterministic fake pipeline."""

from __future__ import annotations

from datetime import UTC, datetime

from postguard.domain.types import Decision, Post, Verdict


def post(post_id: str = "p1", text: str = "A lovely day", institution: str = "demo-hospital") -> Post:
    return Post(post_id=post_id, institution_id=institution, platform="x", text=text)


def decide(p: Post) -> Decision:
    """REVIEW when the text mentions a bed, else ALLOW; deterministic but for decided_at, as the pipeline."""
    verdict = Verdict.REVIEW if "bed" in p.text else Verdict.ALLOW
    return Decision(
        post_id=p.post_id,
        institution_id=p.institution_id,
        verdict=verdict,
        findings=(),
        reasons=("held",) if verdict is Verdict.REVIEW else (),
        redacted_text="[redacted]" if verdict is Verdict.REVIEW else p.text,
        policy_id="demo",
        policy_version="1",
        text_sha256=p.text_sha256,
        decided_at=datetime.now(UTC).isoformat(timespec="microseconds"),
    )
