"""Reviewer decision versions onto postguard.decisions.v1 (acks=all, key = post_id), for ingest to stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kafka import KafkaProducer

from postguard.core import topics
from postguard.core.codec import encode, encode_key
from postguard.core.kafka_security import connect_kafka
from postguard.domain.types import Decision
from postguard.review_console import metrics


class DecisionPublisher:
    """A thread-safe idempotent producer; :meth:`publish` returns once the broker has the version."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        timeout: float = 10.0,
        topic: str = topics.DECISIONS,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._topic = topic
        self._timeout = timeout
        self._producer = connect_kafka(
            KafkaProducer,
            client_options or {},
            bootstrap_servers=bootstrap_servers,
            client_id="postguard-review-console",
            acks="all",
            enable_idempotence=True,
            linger_ms=0,
            retries=5,
            max_in_flight_requests_per_connection=5,
        )

    def publish(self, decision: Decision) -> None:
        """Write ``decision`` and wait for acks=all; raises the producer's error when it does not come."""
        future = self._producer.send(self._topic, key=encode_key(decision.post_id), value=encode(decision))
        try:
            future.get(timeout=self._timeout)
        except Exception:
            metrics.PUBLISH_ERRORS.inc()
            raise
        metrics.PUBLISHED.inc()

    def close(self, timeout: float = 5.0) -> None:
        self._producer.close(timeout=timeout)
