"""policy-decision alone on its own real broker: stage results produced straight to Kafka, restarts included.

Checks what the full-stack tests cannot reach: the join table survives a restart (faust changelog), so a
post re-delivered afterwards gets its first decision again byte for byte; a late stage result after the
deadline changes nothing; undecodable findings are dead-lettered too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from postguard.core import codec, topics
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Category, Finding, Post, StageName, StageResult, Verdict
from stack_support import INSTITUTION, new_id, read_topic

pytestmark = pytest.mark.integration

ID = StageName.IDENTIFIER_DETECTION.value
AD = StageName.ADVICE_CLASSIFICATION.value
DEADLINE = 3.0
STALL = 2.0
TEXT = "Lovely to see Mrs Jane Example walking again after her hip surgery."
NAME = Finding(Category.IDENTIFIER, "PERSON", 18, 30, 0.95, "rules", "a patient's name", "remove it")


@pytest.fixture(scope="module")
def broker() -> Iterator[KafkaBroker]:
    with KafkaBroker(partitions=3) as kafka:
        ensure_topics(kafka.bootstrap_servers, 3)
        yield kafka


@pytest.fixture(scope="module")
def policy(broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    run_dir = tmp_path_factory.mktemp("policy-decision")
    env = {
        "POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS": str(DEADLINE),
        "POSTGUARD_POLICY_DECISION_DATA_DIR": str(run_dir / "data"),
        "POSTGUARD_POLICY_DECISION_STALL_SECONDS": str(STALL),
    }
    stack = LocalStack(run_dir, broker.bootstrap_servers, partitions=3, env=env)
    stack.start(["policy-decision"], timeout=120)
    yield stack
    stack.stop()


def _send(broker: KafkaBroker, *items: Post | StageResult | tuple[str, bytes, bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    for item in items:
        if isinstance(item, tuple):
            topic, key, value = item
        else:
            topic = topics.POSTS if isinstance(item, Post) else topics.FINDINGS
            key, value = codec.encode_key(item.post_id), codec.encode(item)
        producer.send(topic, key=key, value=value).get(timeout=30)
    producer.close()


def _decisions(broker: KafkaBroker, post_id: str, *, at_least: int, settle: float) -> list[bytes]:
    key = codec.encode_key(post_id)
    records = read_topic(
        broker.bootstrap_servers,
        topics.DECISIONS,
        until=lambda rs: sum(r.key == key for r in rs) >= at_least,
        timeout=90,
        settle=settle,
    )
    return [r.value for r in records if r.key == key]


def test_a_decision_survives_a_restart_and_is_re_emitted_unchanged(
    broker: KafkaBroker, policy: LocalStack
) -> None:
    post = Post(new_id("restart"), INSTITUTION, "x", TEXT)
    id_result = StageResult(post.post_id, ID, (NAME,), institution_id=INSTITUTION)
    _send(broker, post, id_result, StageResult(post.post_id, AD, (), institution_id=INSTITUTION))
    [first] = _decisions(broker, post.post_id, at_least=1, settle=1.0)
    decision = codec.decode_decision(first)
    assert decision.verdict != Verdict.ALLOW and not decision.incomplete_stages

    policy.stop_service("policy-decision")
    policy.start_service("policy-decision")
    policy.wait_healthy(["policy-decision"], timeout=120)

    # The same post_id again (a re-delivery, or a second submission with other text) and a stage result.
    _send(broker, Post(post.post_id, INSTITUTION, "x", "Other text entirely."), id_result)
    values = _decisions(broker, post.post_id, at_least=3, settle=DEADLINE + 1)
    seen = [(d.decided_at, str(d.verdict), d.incomplete_stages) for d in map(codec.decode_decision, values)]
    # Every record after the restart is the first decision again, byte for byte: one per re-delivered input
    # (two here, more when the restart also re-delivered uncommitted originals). A record faust drops right
    # after the rebalance is re-read by the stall sweep (postguard.core.gap_guard) within STALL seconds.
    assert len(values) >= 3 and set(values) == {first}, seen

    audit = policy.service_env("policy-decision")["POSTGUARD_POLICY_DECISION_AUDIT_URL"]
    with sqlite3.connect(audit) as db:
        rows = db.execute(
            "SELECT verdict, text_sha256 FROM decisions WHERE post_id = ?", (post.post_id,)
        ).fetchall()
    assert rows == [(str(decision.verdict), post.text_sha256)]


def test_missing_stage_is_review_in_time_and_a_late_result_changes_nothing(
    broker: KafkaBroker, policy: LocalStack
) -> None:
    post = Post(new_id("late"), INSTITUTION, "x", "Flu clinic opens Monday at nine.")
    _send(broker, post, StageResult(post.post_id, ID, (), institution_id=INSTITUTION))
    [value] = _decisions(broker, post.post_id, at_least=1, settle=0.0)
    decision = codec.decode_decision(value)
    assert decision.verdict == Verdict.REVIEW
    assert "screening incomplete" in decision.reasons
    assert decision.incomplete_stages == (AD,)
    _send(broker, StageResult(post.post_id, AD, (), institution_id=INSTITUTION))
    assert _decisions(broker, post.post_id, at_least=1, settle=DEADLINE + 1) == [value]


def test_undecodable_posts_and_findings_are_dead_lettered_once(
    broker: KafkaBroker, policy: LocalStack
) -> None:
    bad_post, bad_result = new_id("bad-post").encode(), new_id("bad-result").encode()
    _send(broker, (topics.POSTS, bad_post, b"\x0a\xff\xff"), (topics.FINDINGS, bad_result, b"\xff\x00"))
    good = Post(new_id("after-bad"), INSTITUTION, "x", "Flu clinic opens Monday at nine.")
    _send(broker, good, StageResult(good.post_id, ID, ()), StageResult(good.post_id, AD, ()))
    assert len(_decisions(broker, good.post_id, at_least=1, settle=0.0)) == 1
    records = read_topic(
        broker.bootstrap_servers,
        topics.DEADLETTER,
        until=lambda rs: {bad_post, bad_result} <= {r.key for r in rs},
        timeout=60,
        settle=1.0,
    )
    letters = [codec.decode_deadletter(r.value) for r in records if r.key in (bad_post, bad_result)]
    assert sorted((d.source_topic, d.reason, d.service) for d in letters) == [
        (topics.FINDINGS, "decode_error", "policy-decision"),
        (topics.POSTS, "decode_error", "policy-decision"),
    ]
