"""policy-decision as a process with a postgresql:// audit URL: one audit row per decided post."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from kafka import KafkaProducer
from postgres_support import PostgresCluster
from postguard.core import codec, topics
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker, fetch_jars
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Category, Finding, Post, StageName, StageResult
from stack_support import INSTITUTION, new_id, read_topic

pytestmark = pytest.mark.integration

ID = StageName.IDENTIFIER_DETECTION.value
AD = StageName.ADVICE_CLASSIFICATION.value
TEXT = "Lovely to see Mrs Jane Example walking again after her hip surgery."
NAME = Finding(Category.IDENTIFIER, "PERSON", 18, 30, 0.95, "rules", "a patient's name", "remove it")


@pytest.fixture(scope="module")
def audit_dsn(postgres: PostgresCluster) -> str:
    with psycopg.connect(postgres.dsn, autocommit=True) as admin:
        admin.execute("CREATE DATABASE audit_service")
    return postgres.dsn.rsplit("/", 1)[0] + "/audit_service"


@pytest.fixture(scope="module")
def policy(
    audit_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[KafkaBroker, LocalStack]]:
    """Its own broker (no consumer group shared with the session's stack) and policy-decision alone."""
    fetch_jars()
    run_dir = tmp_path_factory.mktemp("policy-decision-pg")
    env = {
        "POSTGUARD_POLICY_DECISION_AUDIT_URL": audit_dsn,
        "POSTGUARD_POLICY_DECISION_DATA_DIR": str(run_dir / "data"),
        "POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS": "3",
    }
    with KafkaBroker(partitions=1) as broker:
        ensure_topics(broker.bootstrap_servers, 1)
        stack = LocalStack(run_dir, broker.bootstrap_servers, partitions=1, env=env)
        stack.start(["policy-decision"], timeout=120)
        try:
            yield broker, stack
        finally:
            stack.stop()


def test_policy_decision_writes_one_audit_row_per_decided_post(
    policy: tuple[KafkaBroker, LocalStack], audit_dsn: str
) -> None:
    broker, _ = policy
    posts = [Post(new_id("pg-e2e"), INSTITUTION, "x", TEXT) for _ in range(3)]
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    for post in posts:
        for item in (
            post,
            StageResult(post.post_id, ID, (NAME,), institution_id=INSTITUTION, text_sha256=post.text_sha256),
            StageResult(post.post_id, AD, (), institution_id=INSTITUTION, text_sha256=post.text_sha256),
        ):
            topic = topics.POSTS if isinstance(item, Post) else topics.FINDINGS
            producer.send(topic, key=codec.encode_key(item.post_id), value=codec.encode(item)).get(timeout=30)
    producer.close()
    keys = {codec.encode_key(p.post_id) for p in posts}
    records = read_topic(
        broker.bootstrap_servers,
        topics.DECISIONS,
        until=lambda rs: keys <= {r.key for r in rs},
        timeout=90,
        settle=0.5,
    )
    decisions = {d.post_id: d for d in (codec.decode_decision(r.value) for r in records if r.key in keys)}
    assert set(decisions) == {p.post_id for p in posts}

    with psycopg.connect(audit_dsn) as db:
        rows = db.execute(
            "SELECT post_id, verdict, text_sha256, redacted_text FROM decision_versions ORDER BY post_id"
        ).fetchall()
        dump = " ".join(r[0] for r in db.execute("SELECT d::text FROM decision_versions d").fetchall())
    assert rows == sorted(
        (p.post_id, str(decisions[p.post_id].verdict), p.text_sha256, decisions[p.post_id].redacted_text)
        for p in posts
    )
    assert all("[PERSON]" in row[3] for row in rows)
    assert TEXT not in dump and "Jane Example" not in dump
