"""JSON-friendly views of domain objects (the CLI's JSONL output and the audit store)."""

from __future__ import annotations

from typing import Any

from postguard.domain.types import Decision, Finding, ReviewStamp


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as JSON; ``attachment_id``/``field`` for attachment findings, ``attributes`` when set."""
    out: dict[str, Any] = {
        "category": str(finding.category),
        "label": finding.label,
        "start": finding.start,
        "end": finding.end,
        "confidence": round(finding.confidence, 4),
        "detector": finding.detector,
        "reason": finding.reason,
        "suggestion": finding.suggestion,
    }
    if finding.attachment_id:
        out["attachment_id"] = finding.attachment_id
    if finding.field:
        out["field"] = finding.field
    if finding.attributes:
        out["attributes"] = dict(finding.attributes)
    return out


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "post_id": decision.post_id,
        "institution_id": decision.institution_id,
        "verdict": str(decision.verdict),
        "findings": [finding_to_dict(f) for f in decision.findings],
        "reasons": list(decision.reasons),
        "redacted_text": decision.redacted_text,
        "policy": {"id": decision.policy_id, "version": decision.policy_version},
        "text_sha256": decision.text_sha256,
        "incomplete_stages": list(decision.incomplete_stages),
        "timings": {k: round(v, 6) for k, v in decision.timings.items()},
        "decided_at": decision.decided_at,
        "version": decision.version,
        "provisional": decision.provisional,
        "reidentification": {"risk": decision.reidentification_risk, "details": list(decision.risk_details)},
        **(
            {"redacted_attachments": dict(decision.redacted_attachments)}
            if decision.redacted_attachments
            else {}
        ),
        **({"author_id": decision.author_id} if decision.author_id else {}),
        **({"review_deadline": decision.review_deadline} if decision.review_deadline else {}),
        **({"review": review_to_dict(decision.review)} if decision.review else {}),
    }


def review_to_dict(review: ReviewStamp) -> dict[str, Any]:
    """A reviewer's stamp as JSON."""
    return {
        "action": str(review.action),
        "reviewer": review.reviewer,
        "reviewed_at": review.reviewed_at,
        "note": review.note,
        "based_on_version": review.based_on_version,
    }
