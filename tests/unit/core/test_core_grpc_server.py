"""The shared gRPC bootstrap: health per service, reflection, request counting, NOT_SERVING on stop."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from postguard.core.grpc_server import GrpcServer, build_grpc_server
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

NAME = "postguard.v1.PolicyDecision"


@pytest.fixture
def server() -> Iterator[GrpcServer]:
    built = build_grpc_server(
        0, lambda s: None, [NAME], max_workers=2, metrics_service="policy-decision", bind_address="127.0.0.1"
    )
    built.start()
    yield built
    built.stop(0.5)


def _count(method: str, code: str) -> float:
    labels = {"service": "policy-decision", "method": method, "code": code}
    return REGISTRY.get_sample_value("postguard_grpc_requests_total", labels) or 0.0


def test_health_serving_then_not_serving(server: GrpcServer) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        before = _count("Check", "OK")
        for name in ("", NAME):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        assert _count("Check", "OK") == before + 2
        server.set_serving(False)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=NAME), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


def test_unknown_health_service_is_counted_as_not_found(server: GrpcServer) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        before = _count("Check", "NOT_FOUND")
        with pytest.raises(grpc.RpcError) as info:
            stub.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=5)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        assert _count("Check", "NOT_FOUND") == before + 1


def test_reflection_lists_the_services(server: GrpcServer) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
        )
        names = {s.name for r in replies for s in r.list_services_response.service}
    assert {NAME, "grpc.health.v1.Health"} <= names
