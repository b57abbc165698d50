"""Test ports come from outside the kernel's ephemeral range, so an outgoing connection's source port
cannot take one between picking it and the service binding it."""

from __future__ import annotations

import socket

import pytest
from postguard.devtools import ports

pytestmark = pytest.mark.unit


def test_ports_are_outside_the_ephemeral_range_distinct_and_bindable() -> None:
    low, high = ports.ephemeral_range()
    picked = [ports.free_port() for _ in range(50)]
    assert len(set(picked)) == 50
    for port in picked:
        assert not low <= port <= high
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_taken_port_is_not_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr(ports, "ephemeral_range", lambda: (60_000, 61_000))
        monkeypatch.setattr(ports, "_LOWEST", 59_000)
        monkeypatch.setattr(ports, "_handed_out", set())
        candidates = range(59_000, 60_000)
        chosen = iter([port, *candidates])
        monkeypatch.setattr(ports._random, "choice", lambda _: next(chosen))
        assert ports.free_port() != port
