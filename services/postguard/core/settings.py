"""Settings every service shares (prefix ``POSTGUARD_``); each service adds its own class beside its code."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Connection and behaviour settings shared by all services, read from ``POSTGUARD_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Comma-separated Kafka bootstrap servers (host:port)."
    )
    topic_partitions: int = Field(3, ge=1, le=1024, description="Partitions for topics PostGuard creates.")
    topic_replication_factor: int = Field(1, ge=1, le=16, description="Replication factor of created topics.")
    policy_dir: Path | None = Field(
        None, description="Directory of institution policy YAML files; unset = the shipped defaults."
    )
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$", description="Log level.")
    use_models: bool = Field(True, description="Use the trained spaCy models shipped in the repo.")
