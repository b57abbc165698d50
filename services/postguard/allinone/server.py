"""``postguard serve all-in-one``: the whole of PostGuard in one process, on SQLite, without Kafka.

One process serves the Screening gRPC API (the ingest servicer over an in-process ``EmbeddedPublisher``
and ``DecisionBook``, with gRPC health), the reviewer console with the HTTP/JSON API mounted
(uvicorn), the review sweeper (missed deadlines, queue gauges) and the Prometheus metrics endpoint.
Decisions made automatically, by reviewers and by missed deadlines all go to the book (GetDecision,
StreamDecisions) and to the institution's webhook. SIGTERM/SIGINT stop it cleanly: the ports close,
every accepted post is still screened and recorded, then the stores close. Accepted posts are kept in
a durable inbox (``<data_dir>/inbox.sqlite``) until screened; after a crash the next start screens them.
Redacted copies of flagged images are kept in ``<data_dir>/redacted`` and served to the platform
(``GET /api/v1/redacted/{reference}``) and to reviewers (the console's post page).
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from postguard.allinone.inbox import INBOX_FILE, Inbox
from postguard.allinone.publisher import EmbeddedPublisher
from postguard.allinone.settings import (
    REDACTED_DIR,
    SESSION_SECRET_FILE,
    TOKENS_FILE,
    USERS_FILE,
    WEBHOOKS_FILE,
    AllInOneSettings,
)
from postguard.core.audit import AuditStore, open_audit_store
from postguard.core.grpc_server import GrpcServer, build_grpc_server
from postguard.core.grpc_tls import GrpcTlsError, server_tls_from_settings
from postguard.core.logging import configure_logging
from postguard.core.metrics import start_metrics_server
from postguard.core.settings import CommonSettings
from postguard.domain.images.store import DirectoryStore
from postguard.domain.policy import PolicyRegistry, UnknownInstitutionError
from postguard.domain.policy.registry import ReviewTiming
from postguard.domain.types import Decision, Post
from postguard.http_api.router import RedactedIndex, create_router
from postguard.http_api.webhooks import WebhookDispatcher, load_webhooks
from postguard.ingest.auth import AuthMode, InstitutionAuthorizer
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.servicer import SERVICE_NAME, ScreeningServicer, add_screening_servicer
from postguard.review.desk import ReviewDesk
from postguard.review.store import ReviewStore, open_review_store
from postguard.review.sweeper import ReviewSweeper, retention_from

log = logging.getLogger(__name__)

SERVICE = "all-in-one"
MIN_SECRET_LENGTH = 32
ScreenBatch = Callable[[Sequence[Post]], Sequence[Decision]]


class AllInOneConfigError(ValueError):
    """The server cannot start with these settings; the message says what is wrong and how to fix it."""


# --- configuration checks (loud, with the fix) -------------------------------------------------------


def session_secret(
    settings: AllInOneSettings, console_secret: str = "", *, dev_insecure: bool = False
) -> str | None:
    """The console's session key: the setting, the secret file, else ``POSTGUARD_CONSOLE_SECRET_KEY``.

    None when there is none and ``dev_insecure`` (``POSTGUARD_CONSOLE_DEV_INSECURE``): the console then
    makes a random key per process and warns.
    """
    secret = settings.session_secret.get_secret_value().strip()
    source = "POSTGUARD_ALLINONE_SESSION_SECRET"
    path = settings.path(settings.session_secret_file, SESSION_SECRET_FILE)
    if not secret and (settings.session_secret_file is not None or path.exists()):
        source = str(path)
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise AllInOneConfigError(
                f"session secret file {path} cannot be read ({type(exc).__name__})"
            ) from None
    if not secret and console_secret:
        secret, source = console_secret, "POSTGUARD_CONSOLE_SECRET_KEY"
    fix = (
        f"write one: mkdir -p {path.parent} && python -c 'import secrets; print(secrets.token_urlsafe(48))' "
        f"> {path} && chmod 600 {path} "
        "(or set POSTGUARD_ALLINONE_SESSION_SECRET)"
    )
    if not secret and dev_insecure:
        return None
    if not secret:
        raise AllInOneConfigError(f"the console session secret is empty ({path} is missing or empty); {fix}")
    if len(secret) < MIN_SECRET_LENGTH:
        raise AllInOneConfigError(
            f"the session secret from {source} is too short ({len(secret)} characters, at least "
            f"{MIN_SECRET_LENGTH}); {fix}"
        )
    return secret


def users_path(settings: AllInOneSettings) -> Path:
    """The reviewer accounts file, which must exist (password login)."""
    path = settings.path(settings.users_file, USERS_FILE)
    if not path.is_file():
        raise AllInOneConfigError(
            f"no reviewer accounts file at {path}: create the first account with `postguard console "
            f"add-user --users {path} --username NAME --institution INSTITUTION_ID --role admin` "
            "(or point POSTGUARD_ALLINONE_USERS_FILE at an existing file)"
        )
    return path


def build_authorizer(settings: AllInOneSettings) -> InstitutionAuthorizer:
    """Bearer tokens from the tokens file (gRPC and HTTP alike), or no authentication when asked for."""
    if settings.auth_mode == "none":
        log.warning(
            "all-in-one authentication is off (POSTGUARD_ALLINONE_AUTH_MODE=none): every caller may "
            "submit for and read every institution; local development only"
        )
        return InstitutionAuthorizer.disabled()
    path = settings.path(settings.tokens_file, TOKENS_FILE)
    if not path.is_file():
        raise AllInOneConfigError(
            f"no platform tokens file at {path}: mint a token with `python -m postguard.ingest.auth` and "
            f"write its hash to {path} as 'clients: [{{name: my-platform, institutions: [INSTITUTION_ID], "
            "token_sha256: [HASH]}]' (see docs/all-in-one.md), or set POSTGUARD_ALLINONE_AUTH_MODE=none for "
            "local development only"
        )
    return InstitutionAuthorizer.from_file(AuthMode.TOKEN, path)


def _timing_lookup(registry: PolicyRegistry) -> Callable[[str], ReviewTiming]:
    def timing_for(institution_id: str) -> ReviewTiming:
        try:
            return registry.policy_for(institution_id).review
        except UnknownInstitutionError:
            return ReviewTiming()

    return timing_for


# --- the running server ------------------------------------------------------------------------------


@dataclass
class AllInOne:
    """The parts of a running all-in-one process, stopped together by :meth:`close`."""

    grpc: GrpcServer
    servicer: ScreeningServicer
    book: DecisionBook
    publisher: EmbeddedPublisher
    desk: ReviewDesk
    store: ReviewStore
    audit: AuditStore
    sweeper: ReviewSweeper
    webhooks: WebhookDispatcher | None
    app: Any
    http_socket: socket.socket
    metrics_port: int | None = None
    inbox: Inbox | None = None
    _http: Any = None
    _http_thread: threading.Thread | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def grpc_port(self) -> int:
        return self.grpc.port

    @property
    def http_port(self) -> int:
        return int(self.http_socket.getsockname()[1])

    def start(self, *, timeout: float = 30.0) -> AllInOne:
        """Start gRPC, the sweeper and uvicorn (in a thread); returns once HTTP accepts connections."""
        import uvicorn

        self.grpc.start()
        self.sweeper.start()
        config = uvicorn.Config(
            self.app, log_config=None, access_log=False, server_header=False, lifespan="off"
        )
        self._http = uvicorn.Server(config)
        self._http_thread = threading.Thread(
            target=self._http.run, kwargs={"sockets": [self.http_socket]}, name="allinone-http", daemon=True
        )
        self._http_thread.start()
        started = threading.Event()
        while not started.wait(0.02):
            if self._http.started:
                started.set()
            elif not self._http_thread.is_alive() or timeout <= 0:
                raise RuntimeError(f"the HTTP server did not start on port {self.http_port}")
            timeout -= 0.02
        return self

    def healthy(self) -> bool:
        """The screening workers and the sweeper run and HTTP serves."""
        http_up = self._http_thread is None or self._http_thread.is_alive()
        return self.sweeper.alive and self.publisher.alive and http_up

    def close(self, grace_seconds: float = 5.0) -> None:
        """Stop taking requests, screen every accepted post, then stop the threads and close the stores."""
        if self._closed:
            return
        self._closed = True
        self.servicer.stopping.set()  # StreamDecisions calls end
        if self._http is not None:
            self._http.should_exit = True
        self.grpc.stop(grace_seconds)
        if self._http_thread is not None:
            self._http_thread.join(grace_seconds + 5.0)
        self.http_socket.close()
        self.publisher.close()  # every accepted post is decided, recorded and queued before the stores close
        self.sweeper.stop()
        if self.webhooks is not None:
            self.webhooks.close()
        self.store.close()
        self.audit.close()
        if self.inbox is not None:
            self.inbox.close()


def _bind_http(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit it: without it, Nagle + delayed ACK add ~40 ms to every response
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot bind the HTTP port {address}:{port} ({exc.strerror})") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _OneAtATime:
    """Serialises use of the pipeline between the screening workers and reviewers' re-screens."""

    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline
        self._lock = threading.Lock()

    def screen_batch(self, posts: Sequence[Post]) -> list[Decision]:
        with self._lock:
            return list(self._pipeline.screen_batch(posts))

    def screen(self, post: Post) -> Decision:
        return self.screen_batch([post])[0]


@dataclass
class _Core:
    """The screening and review parts, before any port is opened."""

    book: DecisionBook
    audit: AuditStore
    store: ReviewStore
    desk: ReviewDesk
    publisher: EmbeddedPublisher
    webhooks: WebhookDispatcher | None
    inbox: Inbox
    redacted: DirectoryStore
    redacted_index: RedactedIndex


def _core(
    settings: AllInOneSettings, registry: PolicyRegistry, pipeline: Any, hooks: dict[str, Any]
) -> _Core:
    """Stores under the data dir, the book, the desk and the publisher; every decision goes out by
    ``emit``: the redacted-copy index, the book (GetDecision, StreamDecisions) and, when it is new, the
    institution's webhook. Posts left in the inbox by a crash are queued again (claimed in the book)
    before any port opens."""
    screening = _OneAtATime(pipeline)
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    audit = open_audit_store(settings.store_url(settings.audit_url, "audit.sqlite"))
    store = open_review_store(settings.store_url(settings.review_store_url, "review.sqlite"))
    book = DecisionBook(max_in_flight=settings.max_in_flight)
    inbox = Inbox(settings.data_dir / INBOX_FILE)
    webhooks = WebhookDispatcher(hooks) if hooks else None
    redacted_dir = settings.path(settings.redacted_dir, REDACTED_DIR)
    redacted_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    index = RedactedIndex(settings.redacted_index_size)
    index.note_all(item.decision for item in store.open_items(None))  # held before a restart

    def emit(decision: Decision) -> None:
        index.note(decision)  # before anyone is told of the decision, so its copies can be fetched
        if book.record(decision) and webhooks is not None:
            webhooks.enqueue(decision)

    desk = ReviewDesk(
        store, audit, rescreen=screening.screen, publish=emit, timing_for=_timing_lookup(registry)
    )
    publisher = EmbeddedPublisher(
        screening.screen_batch,
        audit=audit,
        desk=desk,
        emit=emit,
        inbox=inbox,
        registry=registry,
        workers=settings.screening_workers,
        max_queue=settings.max_in_flight,
        batch_size=settings.screening_batch_size,
    )
    publisher.recover(claim=lambda post: book.claim(post.institution_id, post.post_id, post.text_sha256))
    return _Core(book, audit, store, desk, publisher, webhooks, inbox, DirectoryStore(redacted_dir), index)


def build(
    settings: AllInOneSettings,
    common: CommonSettings | None = None,
    *,
    pipeline: Any = None,
    users: Any = None,
    console_settings: Any = None,
    start_metrics: bool = True,
) -> AllInOne:
    """Check the configuration, open the stores, load the pipeline and build (not start) every server.

    Every configuration error is raised before anything is opened or loaded. ``pipeline`` (anything
    with ``screen_batch``) replaces the embedded pipeline; ``users`` and ``console_settings`` replace
    the users file and ``POSTGUARD_CONSOLE_*`` (tests).
    """
    from postguard.console.app import create_app
    from postguard.console.settings import ConsoleSettings
    from postguard.console.users import UserDirectory

    common = common or CommonSettings()
    policy_dir = settings.policy_dir or common.policy_dir
    console_settings = console_settings or ConsoleSettings()
    secret = session_secret(
        settings, console_settings.secret_key.get_secret_value(), dev_insecure=console_settings.dev_insecure
    )
    if secret is not None:
        console_settings = console_settings.model_copy(update={"secret_key": SecretStr(secret)})
    if users is None and console_settings.auth_mode == "password":
        users = UserDirectory.from_file(users_path(settings))
    authorizer = build_authorizer(settings)
    webhooks_path = settings.path(settings.webhooks_file, WEBHOOKS_FILE)
    hooks = load_webhooks(webhooks_path) if settings.webhooks_file or webhooks_path.exists() else {}
    registry = PolicyRegistry.load(policy_dir)
    if pipeline is None:
        from postguard.embedded.runner import build_pipeline

        use_models = common.use_models if settings.use_models is None else settings.use_models
        pipeline = build_pipeline(
            policy_dir,
            use_models=use_models,
            models_dir=common.models_dir,
            redacted_dir=settings.path(settings.redacted_dir, REDACTED_DIR),
        )
    core = _core(settings, registry, pipeline, dict(hooks))
    servicer = ScreeningServicer(
        book=core.book,
        publisher=core.publisher,
        registry=registry,
        screen_timeout=settings.screen_timeout_seconds,
        max_screen_timeout=settings.max_screen_timeout_seconds,
        submit_timeout=settings.screen_timeout_seconds,
        max_text_chars=settings.max_text_chars,
        authorizer=authorizer,
    )
    grpc_server = build_grpc_server(
        settings.grpc_port,
        add_screening_servicer(servicer, settings.max_request_bytes, settings.max_request_bytes),
        [SERVICE_NAME],
        max_workers=settings.grpc_max_workers,
        metrics_service="ingest",  # the Screening API's metrics, as the distributed stack's ingest
        bind_address=settings.bind_address,
        tls=server_tls_from_settings(common),  # POSTGUARD_GRPC_TLS_*, as every service
        max_message_bytes=settings.max_request_bytes,
    )
    router = create_router(
        servicer,
        max_body_bytes=settings.http_max_body_bytes,
        redacted=core.redacted,
        redacted_index=core.redacted_index,
    )
    retention = retention_from(settings, core.audit, core.store, core.redacted.directory)
    sweeper = ReviewSweeper(core.desk, settings.sweep_interval_seconds, retention=retention)
    app = create_app(core.desk, core.audit, users, console_settings, extra_routers=[router])
    app.state.console.redacted_store = core.redacted  # the console's post page shows the copies
    _replace_healthz(app, lambda: sweeper.alive and core.publisher.alive)
    metrics_port = (
        start_metrics_server(settings.metrics_port, settings.bind_address) if start_metrics else None
    )
    return AllInOne(
        grpc=grpc_server,
        servicer=servicer,
        book=core.book,
        publisher=core.publisher,
        desk=core.desk,
        store=core.store,
        audit=core.audit,
        sweeper=sweeper,
        webhooks=core.webhooks,
        app=app,
        http_socket=_bind_http(settings.bind_address, settings.http_port),
        metrics_port=metrics_port,
        inbox=core.inbox,
    )


def _replace_healthz(app: Any, healthy: Callable[[], bool]) -> None:
    """``GET /healthz``: 200 while the screening workers and the sweeper run, else 503 (no login)."""
    from fastapi import APIRouter
    from fastapi.responses import JSONResponse

    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        ok = healthy()
        return JSONResponse({"status": "ok" if ok else "failing"}, status_code=200 if ok else 503)

    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/healthz"]
    app.include_router(router)


def wait_for_signal() -> None:
    """Block the main thread until SIGTERM or SIGINT."""
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        log.info("signal received, stopping", extra={"signal": signal.Signals(signum).name})
        stopping.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        stopping.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(argv: list[str] | None = None) -> int:
    """Run the all-in-one server until SIGTERM/SIGINT; settings from ``POSTGUARD_ALLINONE_*`` (and
    ``POSTGUARD_POLICY_DIR``, ``POSTGUARD_USE_MODELS``, ``POSTGUARD_CONSOLE_*``). Exit status 2 on a
    configuration error, with the fix on stderr."""
    from postguard.console.settings import ConsoleConfigError
    from postguard.console.users import UsersError
    from postguard.domain.models import ModelLoadError
    from postguard.domain.policy import PolicyError
    from postguard.http_api.webhooks import WebhookConfigError
    from postguard.ingest.auth import CredentialsError

    parser = argparse.ArgumentParser(prog="postguard serve all-in-one", description=__doc__)
    parser.parse_args(argv or [])
    common = CommonSettings()
    configure_logging(common.log_level, service=SERVICE)
    try:
        server = build(AllInOneSettings(), common).start()
    except (AllInOneConfigError, ConsoleConfigError, UsersError, CredentialsError, WebhookConfigError,
            PolicyError, ModelLoadError, GrpcTlsError, OSError) as exc:  # fmt: skip
        print(f"postguard serve all-in-one: cannot start: {exc}", file=sys.stderr)
        return 2
    log.info(
        "all-in-one ready",
        extra={
            "grpc_port": server.grpc_port,
            "http_port": server.http_port,
            "metrics_port": server.metrics_port,
        },
    )
    try:
        wait_for_signal()
    finally:
        server.close()
    log.info("all-in-one stopped")
    return 0
