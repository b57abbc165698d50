"""Settings every service shares (prefix ``POSTGUARD_``); each service adds its own class beside its code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MAX_MESSAGE_BYTES = 16 << 20
"""16 MiB: a post with up to 12 MiB of images (``MAX_ATTACHMENT_BYTES``) and all its text fits."""

STREAM_MESSAGE_FACTOR = 2
"""Stream records may be this many times ``max_message_bytes``: policy-decision's join state holds the
post base64-encoded in JSON (4/3 of it) with the stage results beside it."""


class CommonSettings(BaseSettings):
    """Connection and behaviour settings shared by all services, read from ``POSTGUARD_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Comma-separated Kafka bootstrap servers (host:port)."
    )
    topic_partitions: int = Field(3, ge=1, le=1024, description="Partitions for topics PostGuard creates.")
    topic_replication_factor: int = Field(1, ge=1, le=16, description="Replication factor of created topics.")
    max_message_bytes: int = Field(
        DEFAULT_MAX_MESSAGE_BYTES,
        ge=2 << 20,
        le=256 << 20,
        description="Largest post, with its image bytes, that travels: gRPC requests to every service, the "
        "ingest producer and the posts topic's max.message.bytes; stream services' producers, consumers and "
        "the join-state changelog allow twice this (see docs/images-transport.md).",
    )
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

    grpc_tls_cert_file: Path | None = Field(
        None,
        description="PEM certificate chain the gRPC server presents; set (with the key) = TLS, unset = "
        "plaintext (local development only: a warning is logged).",
    )
    grpc_tls_key_file: Path | None = Field(
        None, description="PEM private key (unencrypted) of the gRPC server certificate."
    )
    grpc_tls_client_ca_file: Path | None = Field(
        None,
        description="PEM CA bundle that signs client certificates; set = mutual TLS (every client must "
        "present a certificate it signed).",
    )
    grpc_tls_require_client_cert: bool | None = Field(
        None,
        description="Refuse gRPC clients without a verified certificate; unset = true exactly when a client "
        "CA is set (false together with a client CA is refused: grpcio cannot verify optional certificates).",
    )
    grpc_health_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Extra plaintext port serving gRPC health only (kubelet probes cannot do TLS); "
        "unset = none.",
    )

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
        self._check_grpc_tls()
        return self

    def _check_grpc_tls(self) -> None:
        if (self.grpc_tls_cert_file is None) != (self.grpc_tls_key_file is None):
            raise ValueError("POSTGUARD_GRPC_TLS_CERT_FILE and POSTGUARD_GRPC_TLS_KEY_FILE go together")
        if self.grpc_tls_client_ca_file is not None and self.grpc_tls_cert_file is None:
            raise ValueError(
                "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE (mutual TLS) needs POSTGUARD_GRPC_TLS_CERT_FILE and "
                "POSTGUARD_GRPC_TLS_KEY_FILE: the server must present a certificate too"
            )
        if self.grpc_tls_require_client_cert and self.grpc_tls_client_ca_file is None:
            raise ValueError(
                "POSTGUARD_GRPC_TLS_REQUIRE_CLIENT_CERT=true needs POSTGUARD_GRPC_TLS_CLIENT_CA_FILE "
                "(the CA that signs the client certificates)"
            )
        if self.grpc_tls_require_client_cert is False and self.grpc_tls_client_ca_file is not None:
            raise ValueError(
                "POSTGUARD_GRPC_TLS_REQUIRE_CLIENT_CERT=false with POSTGUARD_GRPC_TLS_CLIENT_CA_FILE set: "
                "grpcio only verifies client certificates it requires; unset the client CA for "
                "server-only TLS, or leave POSTGUARD_GRPC_TLS_REQUIRE_CLIENT_CERT unset / true"
            )

    @property
    def stream_max_message_bytes(self) -> int:
        """Largest record a stream service produces or fetches (posts, join-state changelog)."""
        return STREAM_MESSAGE_FACTOR * self.max_message_bytes

    @property
    def grpc_max_message_bytes(self) -> int:
        """gRPC's own receive/send bound: a little above ``max_message_bytes``, so ingest's deserializer
        answers an oversized request with its precise message (sizes and limit) instead of gRPC's."""
        return self.max_message_bytes + (1 << 20)

    @property
    def kafka_uses_tls(self) -> bool:
        return self.kafka_security_protocol in ("SSL", "SASL_SSL")

    @property
    def grpc_uses_tls(self) -> bool:
        return self.grpc_tls_cert_file is not None

    @property
    def grpc_requires_client_cert(self) -> bool:
        """Mutual TLS: a client CA is set (and REQUIRE_CLIENT_CERT not turned off, which is refused)."""
        return self.grpc_tls_client_ca_file is not None
