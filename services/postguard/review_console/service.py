"""The review console process: settings -> stores, desk -> Kafka followers + publisher -> sweeper,
metrics -> the console app under uvicorn (with /healthz) until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from typing import Any, cast

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from postguard.core.audit import AuditStore, SearchableAuditStore, open_audit_store
from postguard.core.kafka_admin import ensure_topics, posts_record_limit, topic_configs
from postguard.core.kafka_security import kafka_python_options
from postguard.core.logging import configure_logging
from postguard.core.metrics import start_metrics_server
from postguard.core.settings import CommonSettings
from postguard.domain.policy import PolicyRegistry, UnknownInstitutionError
from postguard.domain.policy.registry import ReviewTiming
from postguard.domain.types import Decision, Post
from postguard.review.store import ReviewStore, open_review_store
from postguard.review.sweeper import ReviewSweeper, retention_from
from postguard.review_console import metrics
from postguard.review_console.decisions_follower import HeldDecisionFollower
from postguard.review_console.desk import ServiceDesk
from postguard.review_console.post_buffer import PostBuffer
from postguard.review_console.posts_follower import PostsFollower
from postguard.review_console.publisher import DecisionPublisher
from postguard.review_console.settings import ReviewConsoleSettings

log = logging.getLogger(__name__)

SERVICE = "review-console"


def _buffer_gauges(buffer: PostBuffer) -> Any:
    def publish() -> None:
        metrics.POSTS_BUFFERED.set(len(buffer))
        metrics.POSTS_BUFFER_BYTES.set(buffer.bytes)
        metrics.POSTS_EVICTED.set(buffer.evicted)

    return publish


@dataclass
class ReviewConsoleService:
    """The parts of a running console process, stopped together by :meth:`close`."""

    desk: ServiceDesk
    store: ReviewStore
    audit: AuditStore
    buffer: PostBuffer
    publisher: DecisionPublisher
    posts: PostsFollower
    decisions: HeldDecisionFollower
    sweeper: ReviewSweeper

    def healthy(self) -> bool:
        """Every thread runs (a dead follower means held posts stop reaching the queue)."""
        return self.posts.alive and self.decisions.alive and self.sweeper.alive

    def close(self) -> None:
        self.decisions.stop()
        self.posts.stop()
        self.sweeper.stop()
        self.publisher.close()
        self.store.close()
        self.audit.close()


def health_router(service: ReviewConsoleService) -> APIRouter:
    """``GET /healthz``: 200 while the followers and the sweeper run, 503 otherwise (no login needed)."""
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        ok = service.healthy()
        return JSONResponse({"status": "ok" if ok else "failing"}, status_code=200 if ok else 503)

    return router


def with_health(app: FastAPI, service: ReviewConsoleService) -> FastAPI:
    """``app`` with its /healthz answered by ``service.healthy`` (the console's own says only that the
    web app runs; this one also fails when a follower or the sweeper thread died)."""
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/healthz"]
    app.include_router(health_router(service))
    return app


def timing_lookup(registry: PolicyRegistry) -> Any:
    """``institution -> ReviewTiming`` of its policy (the defaults for an institution no policy covers)."""

    def timing_for(institution_id: str) -> ReviewTiming:
        try:
            return registry.policy_for(institution_id).review
        except UnknownInstitutionError:
            return ReviewTiming()

    return timing_for


def build_service(
    settings: ReviewConsoleSettings, common: CommonSettings, *, rescreen: Any = None
) -> ReviewConsoleService:
    """Open the stores, load the pipeline (for edits), connect to Kafka and start the threads.

    ``rescreen`` replaces the embedded pipeline (tests); by default it is loaded with the same policy
    dir and models settings as the other services.
    """
    registry = PolicyRegistry.load(common.policy_dir)
    if rescreen is None:
        from postguard.embedded.runner import build_pipeline

        pipeline = build_pipeline(
            common.policy_dir,
            use_models=common.use_models,
            models_dir=common.models_dir,
            redacted_dir=settings.redacted_dir,
        )
        rescreen = pipeline.screen
    store = open_review_store(settings.review_store_url)
    audit = open_audit_store(settings.audit_url)
    client_options = kafka_python_options(common)
    publisher = DecisionPublisher(
        common.kafka_bootstrap_servers,
        timeout=settings.publish_timeout_seconds,
        client_options=client_options,
    )
    desk = ServiceDesk(
        store, audit, rescreen=rescreen, publish=publisher.publish, timing_for=timing_lookup(registry)
    )
    buffer = PostBuffer(settings.post_buffer_posts, settings.post_buffer_bytes, settings.post_buffer_seconds)
    posts = PostsFollower(
        common.kafka_bootstrap_servers,
        buffer,
        lookback_seconds=settings.posts_lookback_seconds,
        max_record_bytes=posts_record_limit(common.max_message_bytes),
        client_options=client_options,
    ).start()
    decisions = HeldDecisionFollower(
        common.kafka_bootstrap_servers,
        _hold(desk),
        buffer,
        group_id=settings.consumer_group,
        post_wait_seconds=settings.post_wait_seconds,
        client_options=client_options,
    ).start()
    retention = retention_from(settings, cast(SearchableAuditStore, audit), store, settings.redacted_dir)
    sweeper = ReviewSweeper(
        desk, settings.sweep_interval_seconds, retention=retention, after_pass=_buffer_gauges(buffer)
    ).start()
    return ReviewConsoleService(desk, store, audit, buffer, publisher, posts, decisions, sweeper)


def _hold(desk: ServiceDesk) -> Any:
    def hold(decision: Decision, post: Post | None) -> object:
        return desk.hold(decision, post)

    return hold


def run(argv: list[str] | None = None) -> int:
    """Run the review console until SIGTERM/SIGINT; settings from ``POSTGUARD_*`` environment variables."""
    import uvicorn

    from postguard.console.app import create_app
    from postguard.console.settings import ConsoleConfigError, ConsoleSettings
    from postguard.console.users import UserDirectory

    parser = argparse.ArgumentParser(prog="postguard serve review-console", description=__doc__)
    parser.parse_args(argv or [])
    common = CommonSettings()
    settings = ReviewConsoleSettings()
    console_settings = ConsoleSettings()
    configure_logging(common.log_level, service=SERVICE)
    console_settings.session_secret()  # a missing or short secret key stops start-up here, naming it
    if console_settings.auth_mode == "password" and console_settings.users_file is None:
        raise ConsoleConfigError("password mode needs a users file (POSTGUARD_CONSOLE_USERS_FILE)")
    users = (
        UserDirectory.from_file(console_settings.users_file)
        if console_settings.users_file is not None and console_settings.auth_mode == "password"
        else None
    )  # an invalid users file stops start-up here (UsersError names the file and line), before Kafka
    ensure_topics(
        common.kafka_bootstrap_servers,
        common.topic_partitions,
        replication_factor=common.topic_replication_factor,
        client_options=kafka_python_options(common),
        topic_configs=topic_configs(common.max_message_bytes),
    )
    metrics_port = start_metrics_server(settings.metrics_port, settings.bind_address)
    service = build_service(settings, common)
    try:
        app = with_health(create_app(service.desk, service.audit, users, console_settings), service)
        config = uvicorn.Config(
            app,
            host=settings.bind_address,
            port=settings.http_port,
            log_config=None,
            access_log=False,
            server_header=False,
        )
        log.info(
            "review console ready",
            extra={"http_port": settings.http_port, "metrics_port": metrics_port, "users": len(users or ())},
        )
        uvicorn.Server(config).run()
    finally:
        service.close()
    return 0
