"""Settings of the all-in-one server (prefix ``POSTGUARD_ALLINONE_``); policy and models as everywhere.

Everything lives under ``data_dir`` unless set otherwise: ``audit.sqlite`` (the audit trail),
``review.sqlite`` (the review queue), ``users.yaml`` (reviewer accounts), ``tokens.yaml`` (platform
credentials, the ingest credentials format), ``session-secret`` (signs console sessions),
``webhooks.yaml`` (optional decision callbacks) and ``redacted/`` (the redacted copies of flagged images).
The console's own ``POSTGUARD_CONSOLE_*`` settings (cookie, login throttle, OIDC proxy) apply as they
do in the distributed stack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from postguard.domain.validation import MAX_TEXT_CHARS
from postguard.http_api.router import DEFAULT_MAX_BODY_BYTES
from postguard.review.settings import RetentionSettings

USERS_FILE = "users.yaml"
TOKENS_FILE = "tokens.yaml"
SESSION_SECRET_FILE = "session-secret"
WEBHOOKS_FILE = "webhooks.yaml"
REDACTED_DIR = "redacted"


class AllInOneSettings(BaseSettings, RetentionSettings):
    """What ``postguard serve all-in-one`` listens on, where it keeps its files, and how it screens."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_ALLINONE_", extra="ignore")

    bind_address: str = Field("0.0.0.0", description="Address the gRPC, HTTP and metrics servers listen on.")
    grpc_port: int = Field(50051, ge=0, le=65535, description="Port of the Screening gRPC API (0: any free).")
    http_port: int = Field(
        8080, ge=0, le=65535, description="Port of the console and the HTTP/JSON API (0: any free)."
    )
    metrics_port: int = Field(9100, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    data_dir: Path = Field(
        Path("postguard-data"), description="Where the SQLite files and the default config files live."
    )
    audit_url: str = Field(
        "", description="Audit store (sqlite:///path or postgresql://...); default <data_dir>/audit.sqlite."
    )
    review_store_url: str = Field(
        "",
        description="Review queue store (sqlite:///path or postgresql://...); default "
        "<data_dir>/review.sqlite.",
    )
    users_file: Path | None = Field(
        None, description="Reviewer accounts (postguard console add-user); default <data_dir>/users.yaml."
    )
    tokens_file: Path | None = Field(
        None,
        description="Platform credentials: token SHA-256 hashes -> institutions, the ingest credentials "
        "format (python -m postguard.ingest.auth mints a token); default <data_dir>/tokens.yaml.",
    )
    auth_mode: Literal["token", "none"] = Field(
        "token",
        description="token: gRPC and HTTP API callers send 'Authorization: Bearer <token>'; none: anyone "
        "may act for every institution (local development only).",
    )
    session_secret: SecretStr = Field(
        SecretStr(""), description="Signs console sessions (at least 32 characters); or session_secret_file."
    )
    session_secret_file: Path | None = Field(
        None, description="File holding the session secret; default <data_dir>/session-secret when present."
    )
    webhooks_file: Path | None = Field(
        None,
        description="Per-institution decision callbacks (YAML); default <data_dir>/webhooks.yaml if present.",
    )
    redacted_dir: Path | None = Field(
        None,
        description="Where the redacted copies of flagged images are kept (content-addressed files, served "
        "by GET /api/v1/redacted/{reference} and the console); default <data_dir>/redacted.",
    )
    redacted_index_size: int = Field(
        100_000,
        ge=1,
        description="Redacted-copy references remembered with the institutions whose decisions name them "
        "(in memory, filled as decisions go out; the oldest are forgotten first, then fetching them is 404).",
    )
    policy_dir: Path | None = Field(
        None, description="Policy files (default: POSTGUARD_POLICY_DIR, else shipped)."
    )
    use_models: bool | None = Field(
        None, description="Load the trained models (default: POSTGUARD_USE_MODELS, true)."
    )
    screen_timeout_seconds: float = Field(
        15.0, gt=0, le=300, description="How long Screen waits for a decision when the request sets none."
    )
    max_screen_timeout_seconds: float = Field(60.0, gt=0, le=600, description="Upper bound of a Screen wait.")
    max_in_flight: int = Field(
        2000,
        ge=1,
        description="Posts accepted and not yet decided; beyond it new posts are refused (gRPC "
        "RESOURCE_EXHAUSTED, HTTP 429) with a retry hint, never dropped.",
    )
    screening_workers: int = Field(1, ge=1, le=64, description="Threads that screen queued posts.")
    screening_batch_size: int = Field(16, ge=1, le=256, description="Posts screened together at most.")
    max_text_chars: int = Field(MAX_TEXT_CHARS, ge=1, le=1_000_000, description="Longest accepted post text.")
    max_request_bytes: int = Field(
        16 << 20, ge=1024, le=256 << 20, description="Largest gRPC request (images included), in bytes."
    )
    http_max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES, ge=1024, le=256 << 20, description="Largest HTTP API request body, in bytes."
    )
    grpc_max_workers: int = Field(
        64, ge=4, le=1024, description="gRPC worker threads (each Screen wait and each stream holds one)."
    )
    sweep_interval_seconds: float = Field(
        5.0, gt=0, le=3600, description="How often overdue review items are expired and queue metrics set."
    )

    def path(self, configured: Path | None, default_name: str) -> Path:
        """``configured``, else ``data_dir/default_name``."""
        return configured if configured is not None else self.data_dir / default_name

    def store_url(self, configured: str, default_name: str) -> str:
        """``configured``, else a SQLite file ``data_dir/default_name``."""
        return configured or f"sqlite:///{self.data_dir / default_name}"
