"""policy-decision alone on its own real broker: stage results produced straight to Kafka, restarts included.

Checks what the full-stack tests cannot reach: the join table survives a restart (faust changelog), so a
post re-delivered afterwards gets its first decision again byte for byte; a late stage result after the
deadline changes nothing; undecodable findings are dead-lettered too.
"""

from __future__ import annotations

import dataclasses
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


def _result(post: Post, stage: str, *findings: Finding) -> StageResult:
    """A stage's result for exactly ``post``'s content."""
    return StageResult(
        post.post_id, stage, findings, institution_id=post.institution_id, text_sha256=post.text_sha256
    )


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
    id_result = _result(post, ID, NAME)
    _send(broker, post, id_result, _result(post, AD))
    [first] = _decisions(broker, post.post_id, at_least=1, settle=1.0)
    decision = codec.decode_decision(first)
    assert decision.verdict != Verdict.ALLOW and not decision.incomplete_stages

    policy.stop_service("policy-decision")
    policy.start_service("policy-decision")
    policy.wait_healthy(["policy-decision"], timeout=120)

    # The same post again (a re-delivery) and a stage result, plus the same post_id with other text.
    edited = Post(post.post_id, INSTITUTION, "x", "Other text entirely.")
    _send(broker, post, edited, id_result)
    values = _decisions(broker, post.post_id, at_least=4, settle=DEADLINE + 1)
    decoded = list(map(codec.decode_decision, values))
    seen = [(d.decided_at, str(d.verdict), d.incomplete_stages, d.text_sha256[:8]) for d in decoded]
    # Every record for the original content after the restart is the first decision again, byte for byte:
    # one per re-delivered input (two here, more when the restart also re-delivered uncommitted originals).
    # A record faust drops right after the rebalance is re-read by the stall sweep (core.gap_guard).
    original = [v for v, d in zip(values, decoded, strict=True) if d.text_sha256 == post.text_sha256]
    assert len(original) >= 3 and set(original) == {first}, seen
    # The edited text is another post: decided on its own (its stages never reported: incomplete).
    others = [d for d in decoded if d.text_sha256 == edited.text_sha256]
    assert others and all(d.verdict == Verdict.REVIEW and d.incomplete_stages for d in others), seen

    audit = policy.service_env("policy-decision")["POSTGUARD_POLICY_DECISION_AUDIT_URL"]
    with sqlite3.connect(audit) as db:
        rows = db.execute(
            "SELECT verdict, text_sha256 FROM decision_versions WHERE post_id = ?", (post.post_id,)
        ).fetchall()
    assert (str(decision.verdict), post.text_sha256) in rows
    assert (Verdict.REVIEW.value, edited.text_sha256) in rows


def test_missing_stage_is_provisional_review_in_time_and_a_late_result_completes_it(
    broker: KafkaBroker, policy: LocalStack
) -> None:
    post = Post(new_id("late"), INSTITUTION, "x", "Flu clinic opens Monday at nine.")
    _send(broker, post, _result(post, ID))
    [value] = _decisions(broker, post.post_id, at_least=1, settle=0.0)
    decision = codec.decode_decision(value)
    assert decision.verdict == Verdict.REVIEW
    assert "screening incomplete" in decision.reasons
    assert decision.incomplete_stages == (AD,)
    assert decision.provisional and decision.version == 1
    _send(broker, _result(post, AD))
    values = _decisions(broker, post.post_id, at_least=2, settle=1.0)
    assert values[0] == value
    final = codec.decode_decision(values[1])
    assert (final.version, final.provisional, final.incomplete_stages) == (2, False, ())
    assert final.verdict == Verdict.ALLOW and final.text_sha256 == post.text_sha256
    # A result for other content (another text hash) never joins the post.
    stranger = dataclasses.replace(_result(post, AD), text_sha256="0" * 64)
    _send(broker, stranger)
    assert len(_decisions(broker, post.post_id, at_least=2, settle=DEADLINE + 1)) == 2


def test_undecodable_posts_and_findings_are_dead_lettered_once(
    broker: KafkaBroker, policy: LocalStack
) -> None:
    bad_post, bad_result = new_id("bad-post").encode(), new_id("bad-result").encode()
    _send(broker, (topics.POSTS, bad_post, b"\x0a\xff\xff"), (topics.FINDINGS, bad_result, b"\xff\x00"))
    good = Post(new_id("after-bad"), INSTITUTION, "x", "Flu clinic opens Monday at nine.")
    _send(broker, good, _result(good, ID), _result(good, AD))
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
