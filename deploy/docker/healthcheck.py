#!/usr/bin/env python3
"""Container health check: asks the local gRPC health service whether this PostGuard service is SERVING.

Installed in the image as ``postguard-healthcheck``. Usage: ``postguard-healthcheck [PORT]``; without a port
it uses $POSTGUARD_HEALTHCHECK_PORT, else tries the five services' default gRPC ports (a container runs
exactly one service). Exit 0 = serving, 1 = not serving or unreachable. Kubernetes uses native ``grpc``
probes instead.
"""

from __future__ import annotations

import os
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

DEFAULT_PORTS = (50051, 50052, 50053, 50054, 50055)


def serving(port: int, timeout: float = 3.0) -> bool:
    """True when the gRPC server on localhost:port reports overall health SERVING."""
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=timeout
            )
    except grpc.RpcError:
        return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def main(argv: list[str]) -> int:
    """Exit status for Docker's HEALTHCHECK."""
    chosen = argv[1] if len(argv) > 1 else os.environ.get("POSTGUARD_HEALTHCHECK_PORT", "")
    ports = (int(chosen),) if chosen else DEFAULT_PORTS
    return 0 if any(serving(port) for port in ports) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
