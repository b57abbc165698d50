"""Settings every service shares (prefix ``POSTGUARD_``); each service adds its own class beside its code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
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
    use_models: bool = Field(
        True,
        description="Use the trained spaCy models; when true they are required: a service that cannot load "
        "them exits at start-up (code 78) instead of screening with rules alone.",
    )
    models_dir: Path | None = Field(
        None,
        description="Directory holding the trained models (ner/, textcat/); unset = the ones shipped in "
        "the package.",
    )

    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="How clients talk to Kafka: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "PLAIN", description="SASL mechanism when the protocol is SASL_*."
    )
    kafka_sasl_username: str = Field("", description="SASL user name (required for SASL_*).")
    kafka_sasl_password: SecretStr = Field(SecretStr(""), description="SASL password (required for SASL_*).")
    kafka_ssl_cafile: Path | None = Field(None, description="CA bundle that signs the brokers' certificates.")
    kafka_ssl_certfile: Path | None = Field(None, description="Client certificate for mutual TLS.")
    kafka_ssl_keyfile: Path | None = Field(None, description="Private key of the client certificate.")

    @model_validator(mode="after")
    def _check_kafka_security(self) -> Self:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password.get_secret_value()
        ):
            raise ValueError(
                f"POSTGUARD_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "POSTGUARD_KAFKA_SASL_USERNAME and POSTGUARD_KAFKA_SASL_PASSWORD"
            )
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError("POSTGUARD_KAFKA_SSL_CERTFILE and POSTGUARD_KAFKA_SSL_KEYFILE go together")
        return self

    @property
    def kafka_uses_tls(self) -> bool:
        return self.kafka_security_protocol in ("SSL", "SASL_SSL")
