"""The retention settings both servers of the review console read (``*_AUDIT_RETENTION_DAYS``, ...)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RetentionSettings(BaseModel):
    """How long the audit trail and the review records are kept; mixed into a service's settings."""

    audit_retention_days: float = Field(
        0.0,
        ge=0,
        description="Audit rows (every decision version: redacted text, hashes, who decided) older than "
        "this are deleted, hourly; 0 = kept forever. Many institutions must keep them for years.",
    )
    review_retention_days: float = Field(
        90.0,
        ge=0,
        description="Decided review items, reviewers' feedback (which keeps the text judged) and redacted "
        "image copies older than this are deleted, hourly; 0 = kept forever.",
    )
