"""Durable publishing of accepted posts to postguard.posts.v1 (idempotent producer, acks=all)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kafka import KafkaProducer

from postguard.core import topics
from postguard.core.codec import encode, encode_key
from postguard.core.kafka_admin import posts_record_limit
from postguard.core.kafka_security import connect_kafka
from postguard.core.settings import DEFAULT_MAX_MESSAGE_BYTES
from postguard.domain.types import Post


class PostPublisher:
    """A thread-safe kafka-python producer; :meth:`publish` returns once the broker has the post."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        topic: str = topics.POSTS,
        client_options: Mapping[str, Any] | None = None,
        max_request_size: int = posts_record_limit(DEFAULT_MAX_MESSAGE_BYTES),
    ) -> None:
        self._topic = topic
        self._producer = connect_kafka(
            KafkaProducer,
            client_options or {},
            bootstrap_servers=bootstrap_servers,
            client_id="postguard-ingest",
            acks="all",
            enable_idempotence=True,
            linger_ms=2,
            retries=5,
            max_in_flight_requests_per_connection=5,
            # A post with images is up to POSTGUARD_MAX_MESSAGE_BYTES (kafka-python's default is 1 MiB).
            max_request_size=max_request_size,
        )

    def publish(self, post: Post, timeout: float) -> tuple[int, int]:
        """Write ``post`` (key = post_id) and wait for the acknowledgement; returns (partition, offset)."""
        future = self._producer.send(self._topic, key=encode_key(post.post_id), value=encode(post))
        metadata = future.get(timeout=timeout)
        return metadata.partition, metadata.offset

    def close(self, timeout: float = 5.0) -> None:
        self._producer.close(timeout=timeout)
