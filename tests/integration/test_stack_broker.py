"""The real Kafka broker fixture and topic creation."""

from __future__ import annotations

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient
from postguard.core import topics
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker
from stack_support import read_topic

pytestmark = pytest.mark.integration


def test_topics_exist_with_configured_partitions(kafka_broker: KafkaBroker) -> None:
    admin = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        described = {t["name"]: t for t in admin.describe_topics(list(topics.ALL_TOPICS))}
    finally:
        admin.close()
    assert set(described) == set(topics.ALL_TOPICS)
    for topic in topics.ALL_TOPICS:
        assert len(described[topic]["partitions"]) == 3, topic


def test_ensure_topics_is_idempotent(kafka_broker: KafkaBroker) -> None:
    assert ensure_topics(kafka_broker.bootstrap_servers, 3) == []
    assert ensure_topics(kafka_broker.bootstrap_servers, 2, topics=["postguard.test.extra"]) == [
        "postguard.test.extra"
    ]
    assert ensure_topics(kafka_broker.bootstrap_servers, 2, topics=["postguard.test.extra"]) == []


def test_keyed_messages_round_trip_with_acks_all(kafka_broker: KafkaBroker) -> None:
    producer = KafkaProducer(
        bootstrap_servers=kafka_broker.bootstrap_servers, acks="all", enable_idempotence=True
    )
    ensure_topics(kafka_broker.bootstrap_servers, 3, topics=["postguard.test.roundtrip"])
    meta = producer.send("postguard.test.roundtrip", key=b"post-1", value=b"payload").get(timeout=30)
    producer.close()
    records = read_topic(
        kafka_broker.bootstrap_servers, "postguard.test.roundtrip", until=lambda rs: len(rs) >= 1, timeout=30
    )
    assert [(r.key, r.value, r.partition, r.offset) for r in records] == [
        (b"post-1", b"payload", meta.partition, meta.offset)
    ]


def test_broker_listens_on_loopback_only(kafka_broker: KafkaBroker) -> None:
    config = (kafka_broker.work_dir / "server.properties").read_text()
    listeners = next(line for line in config.splitlines() if line.startswith("listeners="))
    assert "127.0.0.1" in listeners and "0.0.0.0" not in listeners
