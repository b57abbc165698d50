"""Loopback ports for test and benchmark processes that a race cannot take.

A port from ``bind(("127.0.0.1", 0))`` comes from the kernel's ephemeral range, the same range it
draws the source port of every outgoing connection from: between picking the port and the service
binding it, a Kafka client's or a gRPC channel's connection can take it, and the service fails with
"Failed to bind" (a CI run failed so on 3 Dec 2026). ``free_port`` picks below that range instead,
where the kernel never allocates on its own, and never hands the same port out twice in a process.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20_000
"""Below this are well-known and registered service ports a developer's machine may be using."""
_handed_out: set[int] = set()
_random = random.SystemRandom()


def ephemeral_range() -> tuple[int, int]:
    """The kernel's ephemeral (outgoing source) port range; Linux's default when it cannot be read."""
    try:
        low, high = (int(part) for part in _PORT_RANGE.read_text().split())
    except (OSError, ValueError):
        return 32_768, 60_999
    return low, high


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` a moment ago, outside the ephemeral range when there is room."""
    low, high = ephemeral_range()
    candidates = range(_LOWEST, low) if low - _LOWEST >= 1_000 else range(high + 1, 65_536)
    for _ in range(500):
        port = _random.choice(candidates) if len(candidates) else 0
        if port == 0:
            break
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # no room outside: the kernel's pick
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
