"""Building the faust apps: one factory, explicit broker and ports, PostGuard's topics as raw bytes."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust
from prometheus_client import Counter

from postguard.core import topics
from postguard.core.detection_stage import DetectionStage
from postguard.core.faust_fetch import use_fetch_max_wait
from postguard.core.gap_guard import GapGuard
from postguard.core.kafka_security import faust_credentials
from postguard.core.metrics import CONSUMER_LAG
from postguard.core.records import Inbound, Outgoing
from postguard.core.settings import CommonSettings
from postguard.core.stream_settings import StreamServiceSettings

log = logging.getLogger(__name__)

DETECTOR_CPU = Counter(
    "postguard_detector_cpu_seconds",
    "CPU time the detector thread spent on batches (thread CPU, not wall: on a busy host the gap to "
    "postguard_stage_duration_seconds is time spent waiting for a core).",
    ["stage"],
)
DETECTED_POSTS = Counter(
    "postguard_detector_posts",
    "Posts the detector ran over (with postguard_detector_cpu_seconds).",
    ["stage"],
)


def broker_url(bootstrap_servers: str) -> str:
    """``host1:9092,host2:9092`` -> faust's ``kafka://host1:9092;kafka://host2:9092``."""
    hosts = [h.strip() for h in bootstrap_servers.split(",") if h.strip()]
    if not hosts:
        raise ValueError("kafka_bootstrap_servers is empty")
    return ";".join(h if "://" in h else f"kafka://{h}" for h in hosts)


def create_faust_app(
    app_id: str, common: CommonSettings, settings: StreamServiceSettings, *, store: str = "memory://"
) -> faust.App:
    """A faust app with everything explicit: broker, store, web server, partitions, at-least-once."""
    if not app_id:
        raise ValueError("a faust app needs an id (the consumer group)")
    datadir = settings.data_dir or Path(tempfile.gettempdir()) / "postguard" / app_id
    datadir.mkdir(parents=True, exist_ok=True)
    use_fetch_max_wait(settings.fetch_max_wait_seconds)
    return faust.App(
        app_id,
        broker=broker_url(common.kafka_bootstrap_servers),
        broker_credentials=faust_credentials(common),
        store=store,
        autodiscover=False,
        datadir=str(datadir),
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        web_host="127.0.0.1" if settings.bind_address in ("127.0.0.1", "localhost") else "0.0.0.0",
        topic_partitions=common.topic_partitions,
        topic_replication_factor=common.topic_replication_factor,
        producer_acks=-1,
        producer_linger=settings.producer_linger_seconds,
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=settings.commit_interval_seconds,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=settings.heartbeat_interval_seconds,
        # faust waits 3 s after a rebalance by default before processing; a screening queue need not.
        stream_recovery_delay=settings.recovery_delay_seconds,
        stream_wait_empty=False,
        # Posts carry image bytes (docs/images-transport.md): producers and fetches take records up to the
        # stream limit (the join-state changelog holds a base64 post); aiokafka's default is 1 MiB.
        producer_max_request_size=common.stream_max_message_bytes,
        consumer_max_fetch_size=common.stream_max_message_bytes,
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
        key_serializer="raw",
        value_serializer="raw",
    )


@dataclass(frozen=True)
class Topics:
    """PostGuard's Kafka topics declared on one app (values and keys are raw bytes)."""

    posts: faust.TopicT
    findings: faust.TopicT
    decisions: faust.TopicT
    deadletter: faust.TopicT

    def by_name(self, name: str) -> faust.TopicT:
        for topic in (self.posts, self.findings, self.decisions, self.deadletter):
            if name in topic.topics:
                return topic
        raise KeyError(f"topic {name!r} is not declared on this app")


def declare_topics(app: faust.App) -> Topics:
    """Declare the four topics; empty values are allowed so tombstones can be dead-lettered."""

    def raw(name: str) -> faust.TopicT:
        return app.topic(name, key_serializer="raw", value_serializer="raw", allow_empty=True)

    return Topics(
        posts=raw(topics.POSTS),
        findings=raw(topics.FINDINGS),
        decisions=raw(topics.DECISIONS),
        deadletter=raw(topics.DEADLETTER),
    )


async def send_all(known: Topics, outgoing: Iterable[Outgoing]) -> list[Any]:
    """Produce every record now (buffered; faust flushes the producer before committing offsets).

    ``force=True`` bypasses faust's "attachments": without it a record sent from an agent is held back
    and attached to the offset of the *current* event, and only published when that offset is
    committed. In a batched agent (``take_events``) the current event is one post of one partition,
    so the findings of posts from the other partitions were attached to it: a kill -9 between the
    commits of two partitions lost findings whose posts' offsets were already committed (seen in the
    fault suite as posts that stayed provisional for ever).
    """
    futures = []
    for record in outgoing:
        futures.append(
            await known.by_name(record.topic).send(
                key=record.key, value=record.value, partition=record.partition, force=True
            )
        )
    return futures


def add_stall_timer(
    app: faust.App, guard: GapGuard, input_topics: Iterable[str], stall_seconds: float
) -> Any:
    """Run ``guard.sweep`` over ``input_topics`` periodically (see ``postguard.core.gap_guard``)."""
    wanted = frozenset(input_topics)

    @app.timer(max(1.0, stall_seconds / 4), name=f"{app.conf.id}.stall_sweep")
    async def sweep() -> None:
        try:
            await guard.sweep(wanted, stall_seconds, time.monotonic())
        except Exception as exc:
            log.warning("stall sweep failed", extra={"error_type": type(exc).__name__})

    return sweep


def add_detection_agent(
    app: faust.App,
    known: Topics,
    stage: DetectionStage,
    *,
    batch_size: int,
    within: float,
    stall_seconds: float = 10.0,
) -> Any:
    """Register the agent of a detection stage: batches of posts -> findings, detector off the event loop."""

    guard = GapGuard(app)
    add_stall_timer(app, guard, [topics.POSTS], stall_seconds)

    @app.agent(known.posts, name=f"{app.conf.id}.detect")
    async def detect(stream: faust.StreamT) -> None:
        loop = asyncio.get_running_loop()
        async for events in stream.take_events(batch_size, within=within):
            for event in events:
                await guard.check(event)
            records = [Inbound.from_event(event) for event in events]
            # Decoding is cheap; the detector (spaCy) runs in a thread so heartbeats and fetches go on.
            pairs = stage.screenable(records)
            posts = [post for _, post in pairs]
            results = await loop.run_in_executor(None, _timed_detect, stage, posts)
            await send_all(known, stage.outgoing(results, [record.partition for record, _ in pairs]))

    return detect


def _timed_detect(stage: DetectionStage, posts: list[Any]) -> list[Any]:
    """``stage.detect(posts)``, its thread CPU time counted (separates detector cost from stream cost)."""
    started = time.thread_time()
    try:
        return stage.detect(posts)
    finally:
        DETECTOR_CPU.labels(stage=stage.stage).inc(time.thread_time() - started)
        DETECTED_POSTS.labels(stage=stage.stage).inc(len(posts))


def add_lag_timer(app: faust.App, service: str, interval: float, input_topics: Iterable[str]) -> Any:
    """Publish ``postguard_consumer_lag_messages`` per assigned partition every ``interval`` seconds.

    Lag = the partition's high watermark minus the group's committed offset (or the fetch position
    before the first commit); faust keeps both on its consumer, so this costs no broker round trip.
    Only ``input_topics`` are reported (not changelog or assignor topics faust also reads).
    """
    wanted = frozenset(input_topics)

    @app.timer(interval, name=f"{app.conf.id}.consumer_lag")
    async def publish_lag() -> None:
        consumer = app.consumer
        committed = getattr(consumer, "_committed_offset", {})
        for tp in consumer.assignment():
            if tp.topic not in wanted:
                continue
            try:
                high = consumer.highwater(tp)
                done = committed.get(tp)
                if done is None:
                    done = await consumer.position(tp)
            except Exception:
                continue
            if high is None or done is None:
                continue
            CONSUMER_LAG.labels(service=service, topic=tp.topic, partition=str(tp.partition)).set(
                max(0, int(high) - int(done))
            )

    return publish_lag
