"""Follows postguard.posts.v1 into a PostBuffer: every partition, no consumer group, from a lookback."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from postguard.core import topics
from postguard.core.codec import DecodeError, decode_post
from postguard.core.kafka_security import connect_kafka
from postguard.review_console.post_buffer import PostBuffer

log = logging.getLogger(__name__)


def wait_for_partitions(consumer: KafkaConsumer, topic: str, timeout: float = 30.0) -> list[TopicPartition]:
    """Every partition of ``topic``; ``KafkaError`` when it has none within ``timeout``."""
    deadline = time.monotonic() + timeout
    partitions = consumer.partitions_for_topic(topic)
    while not partitions:
        if time.monotonic() > deadline:
            raise KafkaError(f"topic {topic} has no partitions (not created?)")
        time.sleep(0.2)
        partitions = consumer.partitions_for_topic(topic)
    return [TopicPartition(topic, p) for p in sorted(partitions)]


class PostsFollower:
    """Reads every post into ``buffer`` and tells it how far (in producer time) every partition is read.

    No consumer group and no committed offsets: the buffer is memory only, so at start the follower seeks
    to ``lookback_seconds`` ago; posts produced earlier whose decision is still unread are queued without
    their text. Post text is never logged.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        buffer: PostBuffer,
        *,
        lookback_seconds: float = 600.0,
        max_record_bytes: int = 32 << 20,
        topic: str = topics.POSTS,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._buffer = buffer
        self._lookback = lookback_seconds
        self._max_record_bytes = max_record_bytes
        self._topic = topic
        self._client_options = dict(client_options or {})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posts-follower", daemon=True)
        self._consumer: KafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []
        self._last_seen_ms: dict[TopicPartition, int] = {}
        self.undecodable = 0

    def start(self) -> PostsFollower:
        consumer = connect_kafka(
            KafkaConsumer,
            self._client_options,
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            client_id="postguard-review-console-posts",
            fetch_max_wait_ms=100,
            max_partition_fetch_bytes=self._max_record_bytes,
            fetch_max_bytes=max(2 * self._max_record_bytes, 52428800),
        )
        self._partitions = wait_for_partitions(consumer, self._topic)
        consumer.assign(self._partitions)
        since_ms = int((time.time() - self._lookback) * 1000)
        found = consumer.offsets_for_times(dict.fromkeys(self._partitions, since_ms))
        for tp in self._partitions:
            hit = found.get(tp)
            if hit is None:
                consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, hit.offset)
        self._consumer = consumer
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _progress(self, consumer: KafkaConsumer, polled_at_ms: int) -> int:
        """Producer time before which every post has been read: a partition read to its end counts as
        read up to the poll; one behind counts up to the newest record read from it."""
        progress: list[int] = []
        for tp in self._partitions:
            highwater = consumer.highwater(tp)
            if highwater is not None and consumer.position(tp) >= highwater:
                progress.append(polled_at_ms)
            else:
                progress.append(self._last_seen_ms.get(tp, 0))
        return min(progress, default=polled_at_ms)

    def _run(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        try:
            while not self._stop.is_set():
                polled_at_ms = int(time.time() * 1000)
                try:
                    batches = consumer.poll(timeout_ms=200)
                except KafkaError as exc:
                    log.warning("posts poll failed", extra={"error_type": type(exc).__name__})
                    time.sleep(0.5)
                    continue
                for tp, records in batches.items():
                    for record in records:
                        self._add(record)
                    if records:
                        self._last_seen_ms[tp] = records[-1].timestamp
                self._buffer.advance(self._progress(consumer, polled_at_ms))
        finally:
            consumer.close()

    def _add(self, record: Any) -> None:
        try:
            self._buffer.add(decode_post(record.value))
        except DecodeError as exc:
            self.undecodable += 1
            log.warning(
                "undecodable post skipped",
                extra={"partition": record.partition, "offset": record.offset, "error": str(exc)},
            )

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
