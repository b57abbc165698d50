"""Settings of the review console service (prefix ``POSTGUARD_REVIEW_CONSOLE_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from postguard.review.settings import RetentionSettings


class ReviewConsoleSettings(BaseSettings, RetentionSettings):
    """What the review console service needs beyond the shared ``POSTGUARD_*`` settings (Kafka, policies)
    and the console's own ``POSTGUARD_CONSOLE_*`` ones (secret key, users file, login mode)."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_REVIEW_CONSOLE_", extra="ignore")

    http_port: int = Field(8090, ge=0, le=65535, description="Port of the web console and /healthz.")
    metrics_port: int = Field(9106, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    bind_address: str = Field("0.0.0.0", description="Address the console and metrics servers listen on.")
    review_store_url: str = Field(
        "review.sqlite3",
        description="Review queue store: a postgresql:// URL (production) or a SQLite path / sqlite:///path.",
    )
    audit_url: str = Field(
        "audit.sqlite3",
        description="Audit store of every decision version: the same database policy-decision writes "
        "(postgresql:// in production; a SQLite path in tests).",
    )
    consumer_group: str = Field(
        "postguard-review-console",
        description="Consumer group of the held-decisions follower: offsets are committed after a decision "
        "is queued, so each enters the queue once across restarts.",
    )
    post_buffer_posts: int = Field(
        10_000, ge=1, description="Posts kept in memory until their decision arrives (oldest dropped first)."
    )
    post_buffer_bytes: int = Field(
        256 << 20, ge=1 << 20, description="Bytes of posts (text and image bytes) kept in memory at most."
    )
    post_buffer_seconds: float = Field(
        3600.0, gt=0, description="A buffered post whose decision has not come after this long is dropped."
    )
    posts_lookback_seconds: float = Field(
        600.0,
        ge=0,
        description="At start the posts follower reads the posts topic from this long ago, so a restart "
        "still knows the text of posts decided meanwhile.",
    )
    post_wait_seconds: float = Field(
        10.0,
        ge=0,
        le=300,
        description="How long a held decision waits for the posts follower to reach its post (the topics "
        "are read by two consumers); past it the item is queued with the redacted text only.",
    )
    publish_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long publishing a reviewer version waits for acks=all."
    )
    sweep_interval_seconds: float = Field(
        15.0, gt=0, le=3600, description="How often overdue items are expired and queue metrics refreshed."
    )
    redacted_dir: Path | None = Field(
        None, description="Where re-screening an edit with images writes redacted copies; unset = none."
    )
