"""``screen_remote`` target parsing (the network path is covered by the integration tests)."""

from __future__ import annotations

import pytest
from postguard.remote import parse_target

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("grpc://127.0.0.1:50051", "127.0.0.1:50051"),
        ("localhost:9", "localhost:9"),
        ("grpc://[::1]:50051", "[::1]:50051"),
    ],
)
def test_parse_target(url: str, target: str) -> None:
    assert parse_target(url) == target


@pytest.mark.parametrize("url", ["http://host:1", "grpc://host", "grpc://:50051"])
def test_parse_target_rejects(url: str) -> None:
    with pytest.raises(ValueError, match="grpc://"):
        parse_target(url)
