"""Settings of identifier-detection (prefix ``POSTGUARD_IDENTIFIER_DETECTION_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from postguard.core.stream_settings import StreamServiceSettings


class IdentifierDetectionSettings(StreamServiceSettings):
    """identifier-detection's ports, consumer group and batching."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_IDENTIFIER_DETECTION_", extra="ignore")

    grpc_port: int = Field(
        50052, ge=0, le=65535, description="Port of the unary IdentifierDetection gRPC API."
    )
    metrics_port: int = Field(9102, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    web_port: int = Field(6067, ge=1, le=65535, description="Port of faust's web server when enabled.")
    consumer_group: str = Field(
        "postguard-identifier-detection", description="Consumer group id / faust app id."
    )
