"""Settings every faust stream service has (ports, consumer group, batching); subclassed per service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StreamServiceSettings(BaseSettings):
    """Base of the three stream services' settings; each subclass sets its prefix and default ports."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_STREAM_", extra="ignore")

    grpc_port: int = Field(0, ge=0, le=65535, description="Port of the service's unary gRPC API.")
    metrics_port: int = Field(0, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint.")
    bind_address: str = Field("0.0.0.0", description="Address the gRPC and metrics servers listen on.")
    web_enabled: bool = Field(False, description="Run faust's own web server (not needed: /metrics is ours).")
    web_port: int = Field(6066, ge=1, le=65535, description="Port of faust's web server when enabled.")
    consumer_group: str = Field("", description="Kafka consumer group id (also the faust app id).")
    batch_size: int = Field(32, ge=1, le=4096, description="Most posts a stage processes in one batch.")
    batch_within_seconds: float = Field(
        0.02, gt=0, le=5, description="Longest wait to fill a batch before processing what has arrived."
    )
    producer_linger_seconds: float = Field(
        0.005,
        ge=0,
        le=1,
        description="How long the producer waits to fill a batch (aiokafka linger): records produced "
        "within it share one request, which the broker and this process pay for per request, not per "
        "record (0 = send each at once).",
    )
    fetch_max_wait_seconds: float = Field(
        0.1,
        gt=0,
        le=1.5,
        description="Longest a Kafka fetch waits at the broker for records (faust's own 1.5 s held a "
        "partition that was left out of the fetch in flight up to 1.5 s: docs/capacity.md).",
    )
    stream_buffer_maxsize: int = Field(
        4096,
        ge=1,
        le=65536,
        description="Most consumed records buffered per input before fetching pauses (each post may carry up "
        "to 12 MiB of images: memory is bounded by this times the post size).",
    )
    grpc_max_workers: int = Field(8, ge=1, le=256, description="gRPC worker threads.")
    grace_seconds: float = Field(5.0, ge=0, le=120, description="Graceful-stop time for in-flight RPCs.")
    lag_interval_seconds: float = Field(
        5.0, gt=0, le=300, description="How often consumer lag is published as a metric."
    )
    data_dir: Path | None = Field(
        None, description="faust's data directory (table stores); default: <tmp>/postguard/<consumer group>."
    )
    stall_seconds: float = Field(
        10.0,
        ge=1,
        le=600,
        description="An input partition with unread records and no progress this long is re-read.",
    )
    recovery_delay_seconds: float = Field(
        0.0,
        ge=0,
        le=60,
        description="Pause after a rebalance before processing resumes (faust default: 3).",
    )
    commit_interval_seconds: float = Field(
        0.5, gt=0, le=60, description="How often consumed offsets are committed (at-least-once)."
    )
    session_timeout_seconds: float = Field(
        10.0,
        ge=6,
        le=300,
        description=(
            "Kafka consumer-group session timeout: how soon a killed replica's partitions move to the "
            "others (faust's default, 60 s, stalls a partition that long after a crash)."
        ),
    )
    heartbeat_interval_seconds: float = Field(
        3.0, gt=0, le=60, description="Consumer-group heartbeat interval (well below the session timeout)."
    )
