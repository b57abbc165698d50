"""Running a stream service process: metrics server, topics, gRPC server in threads, faust worker in main."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import faust
import grpc

from postguard.core.grpc_server import GrpcServer, build_grpc_server
from postguard.core.grpc_tls import load_server_tls, server_tls_from_settings
from postguard.core.kafka_admin import ensure_topics, topic_configs
from postguard.core.kafka_security import kafka_python_options
from postguard.core.metrics import start_metrics_server
from postguard.core.settings import CommonSettings
from postguard.core.stream_settings import StreamServiceSettings
from postguard.core.topics import ALL_TOPICS
from postguard.domain.models import ModelLoadError

log = logging.getLogger(__name__)

T = TypeVar("T")
EXIT_MODELS_UNAVAILABLE = 78
"""Exit status of a stream service whose required models cannot be loaded (sysexits' EX_CONFIG)."""
MODELS_FIX = (
    "set POSTGUARD_MODELS_DIR to the directory holding ner/ and textcat/ (unset = the shipped models), "
    "or POSTGUARD_USE_MODELS=false to screen with rules only"
)


class ModelsUnavailable(SystemExit):
    """Start-up stops: ``POSTGUARD_USE_MODELS`` is true and ``error`` says which model could not load."""

    def __init__(self, error: ModelLoadError) -> None:
        super().__init__(EXIT_MODELS_UNAVAILABLE)
        self.error = error


def require_models(load: Callable[[], T]) -> T:
    """Run ``load`` (the service's model loading) at start-up; if a model cannot be loaded, stop.

    Stopping means: one ERROR log line naming the model path and the settings to change, then
    ``ModelsUnavailable`` (a ``SystemExit`` with status 78) before any port is opened, so the process
    never reports healthy. Under Kubernetes the pod is never Ready and restarts (CrashLoopBackOff) with
    that line as its last log: a detector without the models it was configured with must not decide.
    """
    try:
        return load()
    except ModelLoadError as exc:
        log.error(
            "required models cannot be loaded: %s; %s",
            exc,
            MODELS_FIX,
            extra={
                "model": exc.model,
                "model_path": str(exc.path),
                "setting": "POSTGUARD_MODELS_DIR",
                "exit_code": EXIT_MODELS_UNAVAILABLE,
            },
        )
        raise ModelsUnavailable(exc) from None


def run_stream_service(
    *,
    service: str,
    app: faust.App,
    settings: StreamServiceSettings,
    common: CommonSettings,
    add_servicers: Callable[[grpc.Server], None],
    service_names: Iterable[str],
    extra_topics: Iterable[str] = (),
) -> int:
    """Serve ``/metrics`` and the unary gRPC API, then run the faust worker until SIGTERM/SIGINT.

    On the signal faust stops consuming and commits; gRPC goes NOT_SERVING as shutdown begins and stops
    with ``settings.grace_seconds`` for in-flight RPCs. Returns the process exit code.
    """
    tls = server_tls_from_settings(common)
    if tls is not None:
        load_server_tls(tls)  # a bad TLS file stops start-up here, naming the setting, before Kafka
    metrics_port = start_metrics_server(settings.metrics_port, addr=settings.bind_address)
    created = ensure_topics(
        common.kafka_bootstrap_servers,
        common.topic_partitions,
        replication_factor=common.topic_replication_factor,
        topics=(*ALL_TOPICS, *extra_topics),
        client_options=kafka_python_options(common),
        topic_configs=topic_configs(common.max_message_bytes),
    )
    server = build_grpc_server(
        settings.grpc_port,
        add_servicers,
        service_names,
        settings.grpc_max_workers,
        metrics_service=service,
        bind_address=settings.bind_address,
        tls=tls,
        health_port=common.grpc_health_port,
        max_message_bytes=common.grpc_max_message_bytes,
    ).start()
    log.info(
        "service starting",
        extra={
            "service": service,
            "grpc_port": server.port,
            "metrics_port": metrics_port,
            "consumer_group": settings.consumer_group,
            "topics_created": len(created),
        },
    )
    return run_worker(app, server, settings.grace_seconds, loglevel=common.log_level)


def run_worker(app: faust.App, server: GrpcServer | None, grace_seconds: float, *, loglevel: str) -> int:
    """Run ``app`` in a faust worker in this (main) thread; stop ``server`` gracefully when it ends."""

    @app.on_before_shutdown.connect
    async def _not_serving(sender: Any, **kwargs: Any) -> None:
        if server is not None:
            server.set_serving(False)

    worker = faust.Worker(
        app,
        loglevel=loglevel,
        quiet=True,
        override_logging=False,  # keep our JSON logging
        redirect_stdouts=False,
        daemon=True,
    )
    worker.spinner = None  # its terminal escape codes would break the JSON log lines
    code = 0
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        if server is not None:
            server.stop(grace_seconds)
        log.info("service stopped", extra={"exit_code": code})
    return code
