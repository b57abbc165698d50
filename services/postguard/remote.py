"""Screening through a running stack (``postguard screen --via grpc://host:port``). STUB."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from postguard.domain.types import Decision, Post


def screen_remote(url: str, posts: Iterable[Post], *, timeout_seconds: float = 30.0) -> Iterator[Decision]:
    """Screen ``posts`` through the Screening gRPC API at ``url``; yields one decision per post, in order."""
    raise NotImplementedError("remote screening lands with the distributed path")
