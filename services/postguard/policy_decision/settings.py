"""Settings of policy-decision (prefix ``POSTGUARD_POLICY_DECISION_``)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from postguard.core.stream_settings import StreamServiceSettings


class PolicyDecisionSettings(StreamServiceSettings):
    """What policy-decision needs beyond the shared ``POSTGUARD_*`` settings."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_POLICY_DECISION_", extra="ignore")

    grpc_port: int = Field(50054, ge=0, le=65535, description="Port of the unary PolicyDecision gRPC API.")
    metrics_port: int = Field(9104, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    web_port: int = Field(6069, ge=1, le=65535, description="Port of faust's web server when enabled.")
    consumer_group: str = Field("postguard-policy-decision", description="Consumer group id / faust app id.")
    deadline_seconds: float = Field(
        5.0,
        gt=0,
        le=600,
        description="Seconds after a post is first seen after which missing stages make it REVIEW.",
    )
    image_deadline_seconds: float = Field(
        60.0,
        gt=0,
        le=600,
        description="The deadline of a post with image bytes, which waits for OCR (seconds per image).",
    )
    sweep_interval_seconds: float = Field(
        0.25, gt=0, le=60, description="How often open posts are checked against the deadline."
    )
    retention_seconds: float = Field(
        86_400.0,
        gt=0,
        description="How long a decided post_id is remembered (re-deliveries re-emit the same decision).",
    )
    redrive_seconds: float = Field(
        30.0,
        gt=0,
        description=(
            "A provisional decision whose missing stage has not reported after this long has its post "
            "re-published to the posts topic, so the detectors screen it again (a lost result cannot "
            "leave it provisional for ever)."
        ),
    )
    max_redrives: int = Field(3, ge=0, le=100, description="Re-publications per provisional post at most.")
    store: str = Field(
        "memory://",
        description="faust table store: memory:// (state rebuilt from the changelog) or rocksdb://.",
    )
    audit_url: str = Field(
        "",
        description="Audit store: a SQLite path (or sqlite:///path) or a postgresql:// URL; "
        "empty = audit.sqlite3 in the data directory; 'off' disables auditing.",
    )

    @model_validator(mode="after")
    def _sweep_shorter_than_deadline(self) -> PolicyDecisionSettings:
        if self.sweep_interval_seconds > self.deadline_seconds:
            raise ValueError("sweep_interval_seconds must not exceed deadline_seconds")
        return self
