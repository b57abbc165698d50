"""Topic administration with kafka-python: create PostGuard's topics idempotently."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from postguard.core.kafka_security import connect_kafka
from postguard.core.topics import ALL_TOPICS


def ensure_topics(
    bootstrap_servers: str,
    partitions: int,
    *,
    replication_factor: int = 1,
    topics: Iterable[str] = ALL_TOPICS,
    timeout: float = 30.0,
    client_options: Mapping[str, Any] | None = None,
) -> list[str]:
    """Create the missing ``topics`` with ``partitions`` partitions; returns the names it created.

    Existing topics are left as they are (their partition count is not changed), so calling it from
    several services at start-up is safe. Waits until every topic is visible in the metadata.
    """
    wanted = list(topics)
    admin = connect_kafka(
        KafkaAdminClient,
        client_options or {},
        bootstrap_servers=bootstrap_servers,
        client_id="postguard-admin",
        request_timeout_ms=15000,
    )
    try:
        existing = set(admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        created: list[str] = []
        for topic in missing:
            try:
                admin.create_topics(
                    [NewTopic(topic, num_partitions=partitions, replication_factor=replication_factor)],
                    timeout_ms=int(timeout * 1000),
                )
                created.append(topic)
            except TopicAlreadyExistsError:
                pass
        deadline = time.monotonic() + timeout
        while True:
            visible = set(admin.list_topics())
            if all(t in visible for t in wanted):
                return created
            if time.monotonic() > deadline:
                raise KafkaError(f"topics not visible after {timeout:.0f}s: {sorted(set(wanted) - visible)}")
            time.sleep(0.2)
    finally:
        admin.close()
