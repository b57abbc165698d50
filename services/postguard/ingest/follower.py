"""Follows postguard.decisions.v1 from offset 0 into a DecisionBook (daemon thread, no consumer group)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from postguard.core import topics
from postguard.core.codec import DecodeError, decode_decision, decode_key
from postguard.core.kafka_security import connect_kafka
from postguard.domain.types import Decision
from postguard.ingest.decision_book import DecisionBook

log = logging.getLogger(__name__)


def trusted_decision(key: bytes | None, value: bytes | None) -> Decision:
    """A decision record as something the book may answer with, or ``DecodeError``.

    The book answers only for the exact (institution, post_id, text hash) a decision names, so a record
    without an institution or a hash, or whose key is not its post_id, is refused: it cannot be tied to
    one post's content and would otherwise be a way to plant answers.
    """
    decision = decode_decision(value)
    if not decision.institution_id or len(decision.text_sha256) != 64:
        raise DecodeError("Decision", "no institution_id or text_sha256: cannot be tied to a post's content")
    if decode_key(key) != decision.post_id:
        raise DecodeError("Decision", "record key is not the decision's post_id")
    return decision


class DecisionFollower:
    """Reads every partition of the decisions topic from offset 0 and records each decision.

    No consumer group: every ingest replica sees every decision, so Screen waiters, GetDecision and
    duplicate detection work whichever replica the client reached, and survive restarts. ``caught_up``
    is set once the end offsets seen at start are reached.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        book: DecisionBook,
        *,
        topic: str = topics.DECISIONS,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._client_options = dict(client_options or {})
        self._bootstrap = bootstrap_servers
        self._book = book
        self._topic = topic
        self._stop = threading.Event()
        self.caught_up = threading.Event()
        self.undecodable = 0
        self._thread = threading.Thread(target=self._run, name="decision-follower", daemon=True)
        self._consumer: KafkaConsumer | None = None

    def start(self) -> DecisionFollower:
        self._consumer = self._connect()
        self._thread.start()
        return self

    def _connect(self) -> KafkaConsumer:
        consumer = connect_kafka(
            KafkaConsumer,
            self._client_options,
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            client_id="postguard-ingest-decisions",
            fetch_max_wait_ms=100,
            max_poll_records=2000,
        )
        deadline = time.monotonic() + 30
        partitions = consumer.partitions_for_topic(self._topic)
        while not partitions:
            if time.monotonic() > deadline:
                consumer.close()
                raise KafkaError(f"topic {self._topic} has no partitions (not created?)")
            time.sleep(0.2)
            partitions = consumer.partitions_for_topic(self._topic)
        assigned = [TopicPartition(self._topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        self._end_offsets = consumer.end_offsets(assigned)
        return consumer

    def _check_caught_up(self) -> None:
        assert self._consumer is not None
        if all(self._consumer.position(tp) >= end for tp, end in self._end_offsets.items()):
            self.caught_up.set()
            log.info("decisions caught up", extra={"decisions": len(self._book)})

    def _run(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        try:
            while not self._stop.is_set():
                try:
                    batches = consumer.poll(timeout_ms=200)
                except KafkaError as exc:
                    log.warning("decisions poll failed", extra={"error_type": type(exc).__name__})
                    time.sleep(0.5)
                    continue
                for records in batches.values():
                    for record in records:
                        try:
                            self._book.record(trusted_decision(record.key, record.value))
                        except DecodeError as exc:
                            self.undecodable += 1
                            log.warning(
                                "undecodable decision skipped",
                                extra={
                                    "partition": record.partition,
                                    "offset": record.offset,
                                    "error": str(exc),
                                },
                            )
                if not self.caught_up.is_set():
                    self._check_caught_up()
        finally:
            consumer.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
