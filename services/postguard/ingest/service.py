"""ingest process: settings -> logging -> topics -> decision follower + producer -> gRPC server -> run."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass

from postguard.core.grpc_server import GrpcServer, build_grpc_server, serve_until_signal
from postguard.core.grpc_tls import ServerTls, load_server_tls, server_tls_from_settings
from postguard.core.kafka_admin import ensure_topics, posts_record_limit, topic_configs
from postguard.core.kafka_security import kafka_python_options
from postguard.core.logging import configure_logging
from postguard.core.metrics import start_metrics_server
from postguard.core.settings import CommonSettings
from postguard.domain.policy import PolicyRegistry
from postguard.ingest.admission import AdmissionLimit
from postguard.ingest.auth import AuthMode, InstitutionAuthorizer, load_credentials
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.follower import DecisionFollower
from postguard.ingest.publisher import PostPublisher
from postguard.ingest.servicer import SERVICE_NAME, ScreeningServicer, add_screening_servicer
from postguard.ingest.settings import IngestSettings

log = logging.getLogger(__name__)

SERVICE = "ingest"


@dataclass
class IngestService:
    """The parts of a running ingest process, stopped together by :meth:`close`."""

    grpc: GrpcServer
    servicer: ScreeningServicer
    follower: DecisionFollower
    publisher: PostPublisher

    def close(self, grace_seconds: float = 5.0) -> None:
        self.servicer.stopping.set()
        self.grpc.stop(grace_seconds)
        self.follower.stop()
        self.publisher.close()


def build_service(
    settings: IngestSettings, common: CommonSettings, *, catch_up_timeout: float = 60.0
) -> IngestService:
    """Connect to Kafka, replay the decisions topic into memory, and build (not start) the gRPC server.

    TLS files and the client credentials are checked first, so a bad one stops start-up before Kafka is
    touched (``GrpcTlsError`` / ``CredentialsError`` name the setting and the path).
    """
    registry = PolicyRegistry.load(common.policy_dir) if settings.check_institution else None
    tls = server_tls_from_settings(common)
    authorizer = build_authorizer(settings, tls, registry)
    admission = (
        AdmissionLimit(
            ceiling=settings.max_in_flight,
            floor=min(settings.admission_floor, settings.max_in_flight),
            target_seconds=settings.admission_target_seconds,
            initial=min(256, settings.max_in_flight),
        )
        if settings.admission_target_seconds > 0 and settings.max_in_flight > 0
        else None
    )
    book = DecisionBook(
        max_entries=settings.decision_cache_size, max_in_flight=settings.max_in_flight, admission=admission
    )
    client_options = kafka_python_options(common)
    follower = DecisionFollower(common.kafka_bootstrap_servers, book, client_options=client_options).start()
    if not follower.caught_up.wait(catch_up_timeout):
        follower.stop()
        raise TimeoutError(f"decisions topic not replayed within {catch_up_timeout:.0f}s")
    publisher = PostPublisher(
        common.kafka_bootstrap_servers,
        client_options=client_options,
        max_request_size=posts_record_limit(common.max_message_bytes),
    )
    servicer = ScreeningServicer(
        retry_after_seconds=settings.retry_after_seconds,
        book=book,
        publisher=publisher,
        registry=registry,
        screen_timeout=settings.screen_timeout_seconds,
        max_screen_timeout=settings.max_screen_timeout_seconds,
        submit_timeout=settings.submit_timeout_seconds,
        max_text_chars=settings.max_text_chars,
        authorizer=authorizer,
    )
    server = build_grpc_server(
        settings.grpc_port,
        add_screening_servicer(servicer, settings.max_request_bytes, common.max_message_bytes),
        [SERVICE_NAME],
        max_workers=settings.max_workers,
        metrics_service=SERVICE,
        bind_address=settings.bind_address,
        tls=tls,
        health_port=common.grpc_health_port,
        max_message_bytes=common.grpc_max_message_bytes,
    )
    return IngestService(grpc=server, servicer=servicer, follower=follower, publisher=publisher)


def build_authorizer(
    settings: IngestSettings, tls: ServerTls | None, registry: PolicyRegistry | None = None
) -> InstitutionAuthorizer:
    """The caller -> institutions authorizer of ``POSTGUARD_INGEST_AUTH_*``, checked against the TLS setup.

    mtls modes need a client CA (no certificate would ever be verified otherwise); tokens over plaintext
    work but are logged as a warning (they travel in clear); ``none`` is logged as a warning too.
    """
    mode = AuthMode(settings.auth_mode)
    if mode.uses_certificates and (tls is None or not tls.mutual):
        raise ValueError(
            f"POSTGUARD_INGEST_AUTH_MODE={mode.value} identifies callers by client certificate: it needs "
            "mutual TLS (POSTGUARD_GRPC_TLS_CERT_FILE, POSTGUARD_GRPC_TLS_KEY_FILE and "
            "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE)"
        )
    authorizer = InstitutionAuthorizer.from_file(mode, settings.auth_credentials_file)
    if mode is AuthMode.NONE:
        log.warning(
            "ingest authentication is off (POSTGUARD_INGEST_AUTH_MODE=none): every caller may submit for "
            "and read every institution; local development only"
        )
        return authorizer
    if mode.uses_tokens and tls is None:
        log.warning(
            "bearer tokens over plaintext gRPC travel in clear: set POSTGUARD_GRPC_TLS_CERT_FILE and "
            "POSTGUARD_GRPC_TLS_KEY_FILE (unless TLS is terminated in front of ingest)"
        )
    if registry is not None:
        unknown = sorted(i for i in authorizer.institutions if i != "*" and not registry.knows(i))
        if unknown:
            log.warning(
                "credentials grant institutions no policy covers (their posts are refused)",
                extra={"institutions": unknown},
            )
    log.info(
        "ingest authentication on",
        extra={"auth_mode": mode.value, "clients": len(authorizer.clients)},
    )
    return authorizer


def run(argv: list[str] | None = None) -> int:
    """Run ingest until SIGTERM/SIGINT; every setting comes from ``POSTGUARD_*`` environment variables."""
    parser = argparse.ArgumentParser(prog="postguard serve ingest", description=__doc__)
    parser.parse_args(argv or [])
    settings = IngestSettings()
    common = CommonSettings()
    configure_logging(common.log_level, service=SERVICE)
    tls = server_tls_from_settings(common)
    if tls is not None:
        load_server_tls(tls)  # bad TLS files or credentials stop start-up here, before Kafka
    if settings.auth_credentials_file is not None:
        load_credentials(settings.auth_credentials_file)
    ensure_topics(
        common.kafka_bootstrap_servers,
        common.topic_partitions,
        replication_factor=common.topic_replication_factor,
        client_options=kafka_python_options(common),
        topic_configs=topic_configs(common.max_message_bytes),
    )
    metrics_port = start_metrics_server(settings.metrics_port, settings.bind_address)
    service = build_service(settings, common)
    log.info(
        "ingest ready",
        extra={
            "grpc_port": service.grpc.port,
            "metrics_port": metrics_port,
            "decisions": len(service.servicer.book),
        },
    )
    try:
        serve_until_signal(service.grpc)
    finally:
        service.servicer.stopping.set()
        service.follower.stop()
        service.publisher.close()
    return 0
