"""Settings of the ingest service (prefix ``POSTGUARD_INGEST_``); connections come from CommonSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from postguard.domain.validation import MAX_TEXT_CHARS


class IngestSettings(BaseSettings):
    """What the ingest service needs beyond the shared ``POSTGUARD_*`` settings."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_INGEST_", extra="ignore")

    grpc_port: int = Field(50051, ge=0, le=65535, description="Port of the public Screening gRPC API.")
    bind_address: str = Field("0.0.0.0", description="Address the gRPC and metrics servers listen on.")
    metrics_port: int = Field(9101, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    screen_timeout_seconds: float = Field(
        15.0,
        gt=0,
        le=300,
        description="How long Screen waits for a decision when the request sets no timeout.",
    )
    max_screen_timeout_seconds: float = Field(
        60.0, gt=0, le=600, description="Upper bound on a client-requested Screen timeout."
    )
    submit_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long Submit waits for Kafka to acknowledge (acks=all) the post."
    )
    max_text_chars: int = Field(
        MAX_TEXT_CHARS, ge=1, le=1_000_000, description="Longest accepted post text, in characters."
    )
    max_request_bytes: int = Field(
        1 << 20,
        ge=1024,
        le=64 << 20,
        description="Largest accepted gRPC request (bytes) apart from attachment image bytes; bigger ones "
        "fail. The whole request, images included, is bounded by POSTGUARD_MAX_MESSAGE_BYTES.",
    )
    max_workers: int = Field(
        64, ge=2, le=1024, description="gRPC worker threads (each Screen wait and each stream holds one)."
    )
    max_in_flight: int = Field(
        2000,
        ge=0,
        description=(
            "Posts accepted but not yet decided that one ingest replica allows; beyond it new posts get "
            "RESOURCE_EXHAUSTED with retry pushback (0 = unbounded)."
        ),
    )
    admission_target_seconds: float = Field(
        2.0,
        ge=0,
        le=300,
        description=(
            "Accept-to-decision latency the adaptive in-flight limit aims for (keep it below the policy "
            "deadline); 0 turns the adaptive limit off and MAX_IN_FLIGHT is a fixed bound."
        ),
    )
    admission_floor: int = Field(
        16, ge=1, description="Smallest in-flight limit the adaptive limit goes down to."
    )
    retry_after_seconds: float = Field(
        1.0, gt=0, le=60, description="Retry pushback sent with RESOURCE_EXHAUSTED when at capacity."
    )
    decision_cache_size: int = Field(
        1_000_000, ge=1000, description="Decisions kept in memory for GetDecision and duplicate detection."
    )
    check_institution: bool = Field(
        True, description="Refuse posts of institutions no policy covers (FAILED_PRECONDITION)."
    )
    auth_mode: Literal["none", "mtls", "token", "mtls-or-token"] = Field(
        "none",
        description="How callers prove which institutions they act for: none (anyone may act for every "
        "institution; local development only), mtls (client certificate), token (bearer token) or "
        "mtls-or-token.",
    )
    auth_credentials_file: Path | None = Field(
        None,
        description="YAML/JSON file mapping client certificate identities and token SHA-256 hashes to "
        "institutions (see docs/security.md); required unless the auth mode is none.",
    )

    @model_validator(mode="after")
    def _check_auth(self) -> Self:
        if self.auth_mode != "none" and self.auth_credentials_file is None:
            raise ValueError(
                f"POSTGUARD_INGEST_AUTH_MODE={self.auth_mode} needs POSTGUARD_INGEST_AUTH_CREDENTIALS_FILE "
                "(the client credentials file, see docs/security.md)"
            )
        return self
