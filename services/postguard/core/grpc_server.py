"""gRPC server bootstrap shared by every service: TLS, health, reflection, request metrics, graceful stop."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from postguard.core.grpc_tls import ServerTls, describe, server_credentials
from postguard.core.metrics import GRPC_REQUESTS

log = logging.getLogger(__name__)


class MetricsInterceptor(grpc.ServerInterceptor):
    """Counts ``postguard_grpc_requests_total{service,method,code}`` for every handled RPC.

    ``service`` is the deployed service name (bounded), ``method`` the RPC's short name; calls to
    methods the server does not implement are not counted (their names come from the client).
    """

    def __init__(self, service: str) -> None:
        self.service = service

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Any],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method.rsplit("/", 1)[-1]
        if handler.unary_unary:
            return handler._replace(unary_unary=self._wrap_unary(handler.unary_unary, method))
        if handler.unary_stream:
            return handler._replace(unary_stream=self._wrap_stream(handler.unary_stream, method))
        if handler.stream_unary:
            return handler._replace(stream_unary=self._wrap_unary(handler.stream_unary, method))
        if handler.stream_stream:
            return handler._replace(stream_stream=self._wrap_stream(handler.stream_stream, method))
        return handler

    def _count(self, method: str, context: grpc.ServicerContext, failed: bool) -> None:
        code = context.code()
        if code is None:
            code = grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK
        GRPC_REQUESTS.labels(service=self.service, method=method, code=code.name).inc()

    def _wrap_unary(self, behavior: Callable[..., Any], method: str) -> Callable[..., Any]:
        def wrapper(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                response = behavior(request, context)
            except BaseException:
                self._count(method, context, failed=True)
                raise
            self._count(method, context, failed=False)
            return response

        return wrapper

    def _wrap_stream(self, behavior: Callable[..., Any], method: str) -> Callable[..., Any]:
        def wrapper(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                yield from behavior(request, context)
            except GeneratorExit:
                # The client went away mid-stream: counted as CANCELLED.
                GRPC_REQUESTS.labels(service=self.service, method=method, code="CANCELLED").inc()
                raise
            except BaseException:
                self._count(method, context, failed=True)
                raise
            self._count(method, context, failed=False)

        return wrapper


@dataclass
class GrpcServer:
    """A built (not yet started) gRPC server with its health servicer and the port it is bound to.

    ``health_server`` (on ``health_port``) is the optional plaintext server answering gRPC health only,
    for probes that cannot speak TLS; it shares ``health`` with the main server.
    """

    server: grpc.Server
    health: health.HealthServicer
    port: int
    service_names: tuple[str, ...]
    started: bool = False
    security: str = "plaintext"
    health_server: grpc.Server | None = None
    health_port: int | None = None

    def start(self) -> GrpcServer:
        """Start serving (once) and mark every service SERVING."""
        if not self.started:
            self.server.start()
            if self.health_server is not None:
                self.health_server.start()
            self.started = True
        self.set_serving(True)
        return self

    def set_serving(self, serving: bool) -> None:
        """Flip the health status of the overall server ("") and of every named service."""
        status = (
            health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", *self.service_names):
            self.health.set(name, status)

    def stop(self, grace_seconds: float = 5.0) -> None:
        """NOT_SERVING first (so load balancers drain), then stop accepting and wait ``grace_seconds``."""
        self.set_serving(False)
        stopped = self.server.stop(grace_seconds)
        if self.health_server is not None:
            self.health_server.stop(0)
        stopped.wait(grace_seconds + 1.0)


def build_grpc_server(
    port: int,
    add_servicers: Callable[[grpc.Server], None],
    service_names: Iterable[str],
    max_workers: int = 8,
    *,
    metrics_service: str,
    bind_address: str = "0.0.0.0",
    tls: ServerTls | None = None,
    health_port: int | None = None,
    max_message_bytes: int | None = None,
) -> GrpcServer:
    """Build a server on ``bind_address:port`` (0 = any free port) with health, reflection and metrics.

    ``add_servicers(server)`` registers the service's own servicers; ``service_names`` are their full
    names (e.g. ``postguard.v1.IdentifierDetection``) for health and reflection; ``metrics_service`` is
    the deployed name used as the ``service`` metric label. ``tls`` (``postguard.core.grpc_tls``) makes
    the port TLS, or mutual TLS with a client CA; its files are checked here (``GrpcTlsError`` names the
    setting and path). Without it the port is plaintext and a warning is logged. ``health_port`` adds a
    plaintext port serving only gRPC health (kubelet probes cannot do TLS); 0 = any free port.
    ``max_message_bytes`` bounds received and sent messages (gRPC's default receive bound is 4 MiB, too
    small for a post with images; ``CommonSettings.grpc_max_message_bytes``); None keeps gRPC's defaults.
    """
    names = tuple(service_names)
    credentials = server_credentials(tls) if tls is not None else None
    options: list[tuple[str, int]] = [("grpc.so_reuseport", 0)]
    if max_message_bytes is not None:
        options += [
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
        ]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"grpc-{metrics_service}"),
        interceptors=[MetricsInterceptor(metrics_service)],
        options=options,
    )
    add_servicers(server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", *names):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    reflection.enable_server_reflection(
        (*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server
    )
    address = f"{bind_address}:{port}"
    if credentials is not None:
        bound = server.add_secure_port(address, credentials)
    else:
        bound = server.add_insecure_port(address)
        log.warning(
            "gRPC is plaintext: anyone who can reach the port can read and send traffic; outside local "
            "development set POSTGUARD_GRPC_TLS_CERT_FILE and POSTGUARD_GRPC_TLS_KEY_FILE (and "
            "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE for mutual TLS)",
            extra={"service": metrics_service, "address": address},
        )
    if bound == 0:
        raise OSError(f"cannot bind gRPC port {address}")
    health_server, health_bound = None, None
    if health_port is not None:
        health_server, health_bound = _health_only_server(health_servicer, bind_address, health_port)
    return GrpcServer(
        server=server,
        health=health_servicer,
        port=bound,
        service_names=names,
        security=describe(tls),
        health_server=health_server,
        health_port=health_bound,
    )


def _health_only_server(
    health_servicer: health.HealthServicer, bind_address: str, port: int
) -> tuple[grpc.Server, int]:
    """A plaintext server with nothing but ``grpc.health.v1.Health`` (shared status), for probes."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="grpc-health"),
        options=[("grpc.so_reuseport", 0)],
    )
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    bound = server.add_insecure_port(f"{bind_address}:{port}")
    if bound == 0:
        raise OSError(f"cannot bind gRPC health port {bind_address}:{port}")
    return server, bound


def serve_until_signal(
    server: GrpcServer, health_servicer: health.HealthServicer | None = None, grace_seconds: float = 5.0
) -> None:
    """Start ``server`` (if needed), block until SIGTERM/SIGINT, then NOT_SERVING and ``stop(grace)``.

    Must run in the main thread (signal handlers). ``health_servicer`` defaults to the server's own.
    """
    if health_servicer is not None:
        server.health = health_servicer
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        log.info("signal received, stopping", extra={"signal": signal.Signals(signum).name})
        stopping.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.start()
        log.info(
            "grpc serving",
            extra={"port": server.port, "security": server.security, "health_port": server.health_port},
        )
        stopping.wait()
    finally:
        server.stop(grace_seconds)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
