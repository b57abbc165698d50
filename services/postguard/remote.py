"""Screening through a running stack (``postguard screen --via grpc[s]://host:port``) over the Screening API.

``grpcs://`` (or any TLS option of :class:`ClientSecurity`) connects with TLS, verifying the server
against ``ca_file`` (default: the system roots); ``cert_file`` / ``key_file`` add a client certificate
(mutual TLS) and ``token`` is sent as ``authorization: Bearer <token>`` — only ever over TLS.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import grpc

from postguard.core.codec import decision_from_proto, post_to_proto
from postguard.core.grpc_tls import channel_credentials
from postguard.domain.types import Decision, Post
from postguard.v1 import screening_pb2, screening_pb2_grpc

DEFAULT_CONCURRENCY = 16
SCHEMES = ("grpc", "grpcs")


@dataclass(frozen=True)
class ClientSecurity:
    """How to connect: TLS trust, an optional client certificate and an optional bearer token.

    TLS is on with ``tls`` (a ``grpcs://`` URL) or any of the files; ``server_name`` overrides the name
    checked against the server certificate (e.g. through ``kubectl port-forward``).
    """

    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    server_name: str | None = None
    token: str | None = field(default=None, repr=False)

    @property
    def uses_tls(self) -> bool:
        return self.tls or any(f is not None for f in (self.ca_file, self.cert_file, self.key_file))

    def with_url(self, url: str) -> ClientSecurity:
        """This security, with TLS turned on when ``url`` is ``grpcs://``."""
        if _scheme(url) == "grpcs" and not self.tls:
            return ClientSecurity(
                True, self.ca_file, self.cert_file, self.key_file, self.server_name, self.token
            )
        return self

    def credentials(self) -> grpc.ChannelCredentials | None:
        """Channel credentials (files checked now), or None for plaintext; ValueError when inconsistent."""
        if not self.uses_tls:
            if self.token:
                raise ValueError(
                    "--token needs TLS (grpcs:// or --tls-ca): a bearer token is never sent in clear"
                )
            if self.server_name:
                raise ValueError("--tls-server-name needs TLS (grpcs:// or --tls-ca)")
            return None
        return channel_credentials(
            ca_file=self.ca_file, cert_file=self.cert_file, key_file=self.key_file, token=self.token
        )

    def channel_options(self) -> list[tuple[str, str]]:
        return [("grpc.ssl_target_name_override", self.server_name)] if self.server_name else []


class RemoteScreeningError(RuntimeError):
    """Screening one post remotely failed; names the post, the gRPC code and the server's reason."""

    def __init__(self, post_id: str, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"post {post_id!r}: {code.name}: {details}")
        self.post_id = post_id
        self.code = code
        self.details = details


def _scheme(url: str) -> str:
    return urlparse(url).scheme if "://" in url else "grpc"


def parse_target(url: str) -> str:
    """``grpc://host:port``, ``grpcs://host:port`` (TLS) or bare ``host:port`` -> the gRPC target."""
    if "://" not in url:
        url = f"grpc://{url}"
    parsed = urlparse(url)
    if parsed.scheme not in SCHEMES:
        raise ValueError(
            f"unsupported scheme {parsed.scheme!r} in {url!r}; use grpc://host:port (or grpcs:// for TLS)"
        )
    if not parsed.hostname or not parsed.port:
        raise ValueError(f"{url!r} needs a host and a port, e.g. grpc://127.0.0.1:50051")
    host = f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname
    return f"{host}:{parsed.port}"


def open_channel(url: str, security: ClientSecurity | None = None) -> grpc.Channel:
    """A channel to ``url``: TLS for ``grpcs://`` or TLS options in ``security``, else plaintext."""
    security = (security or ClientSecurity()).with_url(url)
    target = parse_target(url)
    credentials = security.credentials()
    if credentials is None:
        return grpc.insecure_channel(target)
    return grpc.secure_channel(target, credentials, options=security.channel_options())


def screen_remote(
    url: str,
    posts: Iterable[Post],
    *,
    timeout_seconds: float = 30.0,
    concurrency: int = DEFAULT_CONCURRENCY,
    security: ClientSecurity | None = None,
) -> Iterator[Decision]:
    """Screen ``posts`` through the Screening gRPC API at ``url``; yields one decision per post, in order.

    At most ``concurrency`` Screen calls are in flight. A post that fails raises
    :class:`RemoteScreeningError` at its position (decisions before it have been yielded). ``security``
    adds TLS, a client certificate and a bearer token (see :class:`ClientSecurity`).
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    channel = open_channel(url, security)
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


def remote_batch(
    url: str, security: ClientSecurity | None = None
) -> Callable[[Sequence[Post]], list[Decision | Exception]]:
    """A ``screen_lines`` batch function screening through ``url``; a failed post is an error in its place."""

    def screen(posts: Sequence[Post]) -> list[Decision | Exception]:
        out: list[Decision | Exception] = []
        while len(out) < len(posts):
            try:
                for decision in screen_remote(url, posts[len(out) :], security=security):
                    out.append(decision)
            except Exception as exc:
                out.append(exc)
        return out

    return screen
