"""Topic administration with kafka-python: create PostGuard's topics idempotently."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from postguard.core import topics as topic_names
from postguard.core.kafka_security import connect_kafka
from postguard.core.topics import ALL_TOPICS

log = logging.getLogger(__name__)

RECORD_OVERHEAD_BYTES = 64 << 10
"""Room above the largest value for the key, headers and record-batch framing of one record."""


def posts_record_limit(max_message_bytes: int) -> int:
    """``max.message.bytes`` of the posts topic and the ingest producer's ``max_request_size``: one post
    of ``max_message_bytes`` (the gRPC request bound) plus its record framing."""
    return max_message_bytes + RECORD_OVERHEAD_BYTES


def topic_configs(max_message_bytes: int) -> dict[str, dict[str, str]]:
    """Per-topic configs PostGuard sets: the posts topic carries image bytes up to the message limit."""
    return {topic_names.POSTS: {"max.message.bytes": str(posts_record_limit(max_message_bytes))}}


def ensure_topics(
    bootstrap_servers: str,
    partitions: int,
    *,
    replication_factor: int = 1,
    topics: Iterable[str] = ALL_TOPICS,
    timeout: float = 30.0,
    client_options: Mapping[str, Any] | None = None,
    topic_configs: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Create the missing ``topics`` with ``partitions`` partitions; returns the names it created.

    Existing topics keep their partition count, so calling it from several services at start-up is safe.
    ``topic_configs`` (topic -> {config: value}) are set on created topics and, incrementally (other
    settings untouched), on existing ones; a refusal (ACLs) is logged, not raised. Waits until every
    topic is visible in the metadata.
    """
    wanted = list(topics)
    configs = {t: dict(c) for t, c in (topic_configs or {}).items() if t in wanted}
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
                    [
                        NewTopic(
                            topic,
                            num_partitions=partitions,
                            replication_factor=replication_factor,
                            topic_configs=configs.get(topic, {}),
                        )
                    ],
                    timeout_ms=int(timeout * 1000),
                )
                created.append(topic)
            except TopicAlreadyExistsError:
                pass
        _update_configs(admin, {t: c for t, c in configs.items() if t not in created})
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


def _update_configs(admin: KafkaAdminClient, configs: Mapping[str, Mapping[str, str]]) -> None:
    """Set ``configs`` on existing topics (IncrementalAlterConfigs SET: other overrides are kept)."""
    if not configs:
        return
    resources = [ConfigResource(ConfigResourceType.TOPIC, t, configs=dict(c)) for t, c in configs.items()]
    try:
        outcome = admin.alter_configs(resources)
    except (KafkaError, ValueError) as exc:
        log.warning(
            "topic configs not updated",
            extra={"topics": sorted(configs), "error_type": type(exc).__name__},
        )
        return
    failed = {name: result for name, result in outcome.get("topic", {}).items() if result != "OK"}
    if failed:
        log.warning("topic configs not updated", extra={"topics": sorted(failed), "errors": failed})
