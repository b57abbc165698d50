"""A decision belongs to (institution, post_id, text hash): reused ids, forged records, partitioners.

Each test failed on the version that looked decisions up by post_id alone (a reused id was answered with
the other post's ALLOW) or that relied on the producer's partitioner to co-locate a post and its findings.
"""

from __future__ import annotations

import dataclasses
import hashlib

import grpc
import pytest
from kafka import KafkaProducer
from kafka.partitioner.default import murmur2
from postguard.core import codec, topics
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Decision, Verdict
from postguard.v1 import decision_pb2, screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, IDENTIFIER_TEXT, make_post, new_id, read_topic

pytestmark = pytest.mark.integration

SSN_TEXT = "Patient Maria Lopez, SSN 219-09-9999, was discharged from our cardiac unit this morning."
OTHER_INSTITUTION = "riverside-clinic"


def _screen(stub: screening_pb2_grpc.ScreeningStub, post: object) -> decision_pb2.Decision:
    return stub.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_reused_post_id_of_another_institution_is_screened_on_its_own(
    screening: screening_pb2_grpc.ScreeningStub,
) -> None:
    post_id = new_id("it-reuse-inst")
    clean = _screen(screening, make_post(CLEAN_TEXT, post_id=post_id))
    assert clean.verdict == decision_pb2.ALLOW
    risky = _screen(screening, make_post(SSN_TEXT, post_id=post_id, institution_id=OTHER_INSTITUTION))
    assert risky.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK)
    assert risky.institution_id == OTHER_INSTITUTION
    assert risky.text_sha256 == _sha(SSN_TEXT)
    assert "219-09-9999" not in risky.redacted_text

    # Each institution reads its own decision; without an institution the id is ambiguous.
    mine = screening.GetDecision(
        screening_pb2.GetDecisionRequest(post_id=post_id, institution_id="demo-hospital"), timeout=10
    )
    assert mine.verdict == decision_pb2.ALLOW and mine.text_sha256 == _sha(CLEAN_TEXT)
    with pytest.raises(grpc.RpcError) as err:
        screening.GetDecision(screening_pb2.GetDecisionRequest(post_id=post_id), timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "institution_id" in (err.value.details() or "")


def test_reused_post_id_with_other_text_is_screened_afresh(
    screening: screening_pb2_grpc.ScreeningStub,
) -> None:
    post_id = new_id("it-reuse-text")
    assert _screen(screening, make_post(CLEAN_TEXT, post_id=post_id)).verdict == decision_pb2.ALLOW
    edited = _screen(screening, make_post(SSN_TEXT, post_id=post_id))
    assert edited.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK)
    assert edited.text_sha256 == _sha(SSN_TEXT)
    # Submit of the edited text again is a duplicate of the edited one, not of the first.
    assert screening.Submit(make_post(SSN_TEXT, post_id=post_id), timeout=30).duplicate is True
    newest = screening.GetDecision(screening_pb2.GetDecisionRequest(post_id=post_id), timeout=10)
    assert newest.text_sha256 == _sha(SSN_TEXT)
    exact = screening.GetDecision(
        screening_pb2.GetDecisionRequest(post_id=post_id, text_sha256=_sha(CLEAN_TEXT)), timeout=10
    )
    assert exact.verdict == decision_pb2.ALLOW


def test_forged_decisions_on_the_topic_never_answer_a_post(
    stack: LocalStack, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    post_id = new_id("it-forged")
    forged = Decision(
        post_id=post_id,
        institution_id="demo-hospital",
        verdict=Verdict.ALLOW,
        findings=(),
        reasons=(),
        redacted_text="",
        policy_id="default",
        policy_version="x",
        text_sha256=_sha("some other text"),
    )
    no_hash = dataclasses.replace(forged, text_sha256="")  # refused by the follower outright
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    try:
        producer.send(topics.DECISIONS, key=codec.encode_key(post_id), value=codec.encode(forged)).get(30)
        producer.send(topics.DECISIONS, key=codec.encode_key(post_id), value=codec.encode(no_hash)).get(30)
    finally:
        producer.close()
    decision = _screen(screening, make_post(SSN_TEXT, post_id=post_id))
    assert decision.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK)
    assert decision.text_sha256 == _sha(SSN_TEXT)
    assert decision.policy_version != "x"


def _java_partition(key: bytes, partitions: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def test_post_from_a_producer_with_another_partitioner_is_joined_completely(stack: LocalStack) -> None:
    """A post on a partition its key would not hash to (librdkafka's default, kcat) is still decided whole."""
    post = make_post(IDENTIFIER_TEXT, post_id=new_id("it-partitioner"))
    key = codec.encode_key(post.post_id)
    partitions = stack.partitions
    foreign = (_java_partition(key, partitions) + 1) % partitions
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    try:
        producer.send(topics.POSTS, key=key, value=post.SerializeToString(), partition=foreign).get(
            timeout=30
        )
    finally:
        producer.close()
    records = read_topic(
        stack.bootstrap_servers,
        topics.DECISIONS,
        until=lambda rs: any(r.key == key for r in rs),
        timeout=60,
    )
    decision = codec.decode_decision(next(r.value for r in records if r.key == key))
    assert decision.incomplete_stages == ()
    assert not decision.provisional
    assert decision.verdict in (Verdict.REVIEW, Verdict.BLOCK)
    findings = read_topic(
        stack.bootstrap_servers,
        topics.FINDINGS,
        until=lambda rs: sum(r.key == key for r in rs) >= 2,
        timeout=30,
    )
    assert {r.partition for r in findings if r.key == key} == {foreign}
