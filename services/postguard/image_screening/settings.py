"""Settings of image-screening (prefix ``POSTGUARD_IMAGE_SCREENING_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from postguard.core.stream_settings import StreamServiceSettings


class ImageScreeningSettings(StreamServiceSettings):
    """image-screening's ports, consumer group, batching, time bound and where redacted copies go."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_IMAGE_SCREENING_", extra="ignore")

    grpc_port: int = Field(50055, ge=0, le=65535, description="Port of the unary ImageScreening gRPC API.")
    metrics_port: int = Field(9105, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    web_port: int = Field(6070, ge=1, le=65535, description="Port of faust's web server when enabled.")
    consumer_group: str = Field("postguard-image-screening", description="Consumer group id / faust app id.")
    batch_size: int = Field(
        4, ge=1, le=64, description="Most posts taken from the topic at once (screened one by one)."
    )
    stream_buffer_maxsize: int = Field(
        16,
        ge=1,
        le=4096,
        description="Most consumed posts buffered before fetching pauses (each may carry 12 MiB of images).",
    )
    timeout_seconds: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="Longest time one post's images may take; beyond it the result is ok=False (the policy "
        "holds the post for review).",
    )
    redacted_dir: Path = Field(
        Path("/var/lib/postguard/redacted"),
        description="Directory the redacted copies are written to, named by their SHA-256 "
        "(sha256:<hex>.<ext> references in the decision); a volume shared with what serves them.",
    )
