"""Follows postguard.decisions.v1 in the console's own consumer group: held decisions into the queue.

At least once: a partition's offset is committed only after ``hold`` returned for every record before
it, and a record whose ``hold`` failed is read again (the desk's hold is idempotent per version), so
each held decision enters the queue once across restarts and crashes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from postguard.core import topics
from postguard.core.codec import DecodeError
from postguard.core.kafka_security import connect_kafka
from postguard.domain.identity import key_of_decision
from postguard.domain.review.deadlines import HELD_VERDICTS
from postguard.domain.types import Decision, Post
from postguard.ingest.follower import trusted_decision
from postguard.review_console import metrics
from postguard.review_console.post_buffer import PostBuffer

log = logging.getLogger(__name__)

Hold = Callable[[Decision, Post | None], object]


class HeldDecisionFollower:
    """Reads decisions; a held automatic one goes to ``hold(decision, post)`` with its buffered post.

    Versions made by a person (they carry ``review``: this console's own, coming back) are skipped; a
    decision that is not held only frees its buffered post. ``hold`` raising stops that partition at the
    record (seek back, nothing committed past it) and it is retried after ``retry_seconds``.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        hold: Hold,
        buffer: PostBuffer,
        *,
        group_id: str,
        post_wait_seconds: float = 10.0,
        retry_seconds: float = 2.0,
        topic: str = topics.DECISIONS,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._hold = hold
        self._buffer = buffer
        self._group_id = group_id
        self._post_wait = post_wait_seconds
        self._retry = retry_seconds
        self._topic = topic
        self._client_options = dict(client_options or {})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="held-decisions", daemon=True)
        self._consumer: KafkaConsumer | None = None
        self.last_poll = 0.0  # monotonic time of the last poll that returned (health)
        # One post_wait_seconds budget per poll, shared by its records: a lagging posts consumer must not
        # hold the group past max.poll.interval.ms.
        self._wait_until: float | None = None

    def start(self) -> HeldDecisionFollower:
        self._consumer = connect_kafka(
            KafkaConsumer,
            self._client_options,
            bootstrap_servers=self._bootstrap,
            group_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id="postguard-review-console-decisions",
            fetch_max_wait_ms=100,
            max_poll_records=200,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=3_000,
        )
        self._consumer.subscribe([self._topic])
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def handle(self, decision: Decision, produced_ms: int) -> str:
        """Queue or skip one decision; returns the metrics outcome. Raises what ``hold`` raises."""
        if decision.review is not None:
            return "reviewer_version"
        key = key_of_decision(decision)
        if decision.verdict not in HELD_VERDICTS:
            self._buffer.discard(key)
            return "not_held"
        budget = self._post_wait if self._wait_until is None else self._wait_until - time.monotonic()
        post = self._buffer.wait_for(key, produced_ms, max(0.0, budget))
        self._hold(decision, post)
        if post is None:
            metrics.HELD_WITHOUT_TEXT.inc()
            log.info("held post queued without its text", extra={"post_id": decision.post_id})
        if not decision.provisional:  # a complete version may still supersede a provisional one
            self._buffer.discard(key)
        return "held"

    def _partition(self, consumer: KafkaConsumer, tp: TopicPartition, records: list[Any]) -> int | None:
        """Handle ``records`` in order; the offset to commit (None: nothing handled)."""
        done: int | None = None
        for record in records:
            try:
                decision = trusted_decision(record.key, record.value)
            except DecodeError as exc:
                metrics.DECISIONS_READ.labels(outcome="undecodable").inc()
                log.warning(
                    "undecodable decision skipped",
                    extra={"partition": record.partition, "offset": record.offset, "error": str(exc)},
                )
                done = record.offset + 1
                continue
            try:
                outcome = self.handle(decision, record.timestamp)
            except Exception as exc:  # the store is down or refused: read it again later
                metrics.HOLD_FAILURES.inc()
                log.warning(
                    "held decision not queued; retrying",
                    extra={
                        "post_id": decision.post_id,
                        "offset": record.offset,
                        "error_type": type(exc).__name__,
                    },
                )
                consumer.seek(tp, record.offset)
                self._stop.wait(self._retry)
                return done
            metrics.DECISIONS_READ.labels(outcome=outcome).inc()
            done = record.offset + 1
        return done

    def _run(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        try:
            while not self._stop.is_set():
                try:
                    batches = consumer.poll(timeout_ms=500)
                except KafkaError as exc:
                    log.warning("decisions poll failed", extra={"error_type": type(exc).__name__})
                    time.sleep(0.5)
                    continue
                self.last_poll = time.monotonic()
                self._wait_until = self.last_poll + self._post_wait
                offsets = {}
                for tp, records in batches.items():
                    done = self._partition(consumer, tp, records)
                    if done is not None:
                        offsets[tp] = OffsetAndMetadata(done, "", -1)
                if offsets:
                    self._commit(consumer, offsets)
        finally:
            consumer.close()

    @staticmethod
    def _commit(consumer: KafkaConsumer, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        try:
            consumer.commit(offsets)
        except KafkaError as exc:  # a rebalance: the records are read again, hold is idempotent
            log.warning("offset commit failed", extra={"error_type": type(exc).__name__})

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
