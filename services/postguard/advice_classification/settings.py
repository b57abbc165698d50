"""Settings of advice-classification (prefix ``POSTGUARD_ADVICE_CLASSIFICATION_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from postguard.core.stream_settings import StreamServiceSettings


class AdviceClassificationSettings(StreamServiceSettings):
    """advice-classification's ports, consumer group and batching."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_ADVICE_CLASSIFICATION_", extra="ignore")

    grpc_port: int = Field(
        50053, ge=0, le=65535, description="Port of the unary AdviceClassification gRPC API."
    )
    metrics_port: int = Field(9103, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    web_port: int = Field(6068, ge=1, le=65535, description="Port of faust's web server when enabled.")
    consumer_group: str = Field(
        "postguard-advice-classification", description="Consumer group id / faust app id."
    )
