"""Screening through a running stack (``postguard screen --via grpc://host:port``) over the Screening API."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlparse

import grpc

from postguard.core.codec import decision_from_proto, post_to_proto
from postguard.domain.types import Decision, Post
from postguard.v1 import screening_pb2, screening_pb2_grpc

DEFAULT_CONCURRENCY = 16


class RemoteScreeningError(RuntimeError):
    """Screening one post remotely failed; names the post, the gRPC code and the server's reason."""

    def __init__(self, post_id: str, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"post {post_id!r}: {code.name}: {details}")
        self.post_id = post_id
        self.code = code
        self.details = details


def parse_target(url: str) -> str:
    """``grpc://host:port`` (or bare ``host:port``) -> the ``host:port`` gRPC target."""
    if "://" not in url:
        url = f"grpc://{url}"
    parsed = urlparse(url)
    if parsed.scheme != "grpc":
        raise ValueError(f"unsupported scheme {parsed.scheme!r} in {url!r}; use grpc://host:port")
    if not parsed.hostname or not parsed.port:
        raise ValueError(f"{url!r} needs a host and a port, e.g. grpc://127.0.0.1:50051")
    host = f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname
    return f"{host}:{parsed.port}"


def screen_remote(
    url: str,
    posts: Iterable[Post],
    *,
    timeout_seconds: float = 30.0,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Iterator[Decision]:
    """Screen ``posts`` through the Screening gRPC API at ``url``; yields one decision per post, in order.

    At most ``concurrency`` Screen calls are in flight. A post that fails raises
    :class:`RemoteScreeningError` at its position (decisions before it have been yielded).
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    channel = grpc.insecure_channel(parse_target(url))
    stub = screening_pb2_grpc.ScreeningStub(channel)

    def screen_one(post: Post) -> Decision:
        request = screening_pb2.ScreenRequest(post=post_to_proto(post), timeout_seconds=timeout_seconds)
        try:
            reply = stub.Screen(request, timeout=timeout_seconds + 5.0)
        except grpc.RpcError as exc:
            raise RemoteScreeningError(post.post_id, exc.code(), exc.details() or "") from None
        return decision_from_proto(reply)

    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="screen-remote")
    window: deque[Future[Decision]] = deque()
    try:
        for post in posts:
            window.append(pool.submit(screen_one, post))
            if len(window) >= concurrency:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        for future in window:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        channel.close()
