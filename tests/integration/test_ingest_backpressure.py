"""Backpressure at ingest: beyond its in-flight bound a replica refuses with RESOURCE_EXHAUSTED and retry
pushback, before storing anything, and accepts again once decisions come back. Real broker, real ingest
process; nothing decides the posts until the test writes a decision to the decisions topic itself."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from kafka import KafkaProducer
from postguard.core import codec, topics
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker, fetch_jars
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Decision, Verdict
from postguard.v1 import screening_pb2_grpc
from stack_support import CLEAN_TEXT, make_post, metric_sum, new_id, read_topic, scrape

pytestmark = pytest.mark.integration

LIMIT = 3


@pytest.fixture(scope="module")
def ingest_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KafkaBroker, LocalStack]]:
    fetch_jars()
    run_dir: Path = tmp_path_factory.mktemp("backpressure")
    with KafkaBroker(partitions=1) as broker:
        ensure_topics(broker.bootstrap_servers, 1)
        env = {
            "POSTGUARD_INGEST_MAX_IN_FLIGHT": str(LIMIT),
            "POSTGUARD_INGEST_ADMISSION_TARGET_SECONDS": "0",  # a fixed bound: the test is about shedding
            "POSTGUARD_INGEST_RETRY_AFTER_SECONDS": "1.5",
        }
        stack = LocalStack(run_dir, broker.bootstrap_servers, partitions=1, env=env)
        stack.start(["ingest"], timeout=120)
        try:
            yield broker, stack
        finally:
            stack.stop()


def test_beyond_the_bound_posts_are_refused_with_pushback_and_nothing_is_stored(
    ingest_only: tuple[KafkaBroker, LocalStack],
) -> None:
    broker, stack = ingest_only
    with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        accepted = [make_post(f"{CLEAN_TEXT} {i}", post_id=new_id("bp")) for i in range(LIMIT)]
        for post in accepted:
            assert stub.Submit(post, timeout=30).duplicate is False
        extra = make_post(CLEAN_TEXT + " extra", post_id=new_id("bp-extra"))
        with pytest.raises(grpc.RpcError) as err:
            stub.Submit(extra, timeout=30)
        assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "retry" in (err.value.details() or "")
        assert dict(err.value.trailing_metadata())["grpc-retry-pushback-ms"] == "1500"
        # A duplicate of a post already in flight is still answered (it takes no new slot).
        assert stub.Submit(accepted[0], timeout=30).duplicate is True

        # One decision comes back: its slot frees and the refused post is accepted on retry.
        first = accepted[0]
        decision = Decision(
            post_id=first.post_id,
            institution_id=first.institution_id,
            verdict=Verdict.ALLOW,
            findings=(),
            reasons=(),
            redacted_text=first.text,
            policy_id="default",
            policy_version="test",
            text_sha256=hashlib.sha256(first.text.encode()).hexdigest(),
        )
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
        producer.send(
            topics.DECISIONS, key=codec.encode_key(first.post_id), value=codec.encode(decision)
        ).get(30)
        producer.close()
        for _ in range(100):
            try:
                assert stub.Submit(extra, timeout=30).duplicate is False
                break
            except grpc.RpcError as exc:
                assert exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                time.sleep(0.2)
        else:
            raise AssertionError("the freed slot was never given to the refused post")

    posts = read_topic(
        broker.bootstrap_servers,
        topics.POSTS,
        until=lambda rs: len(rs) >= LIMIT + 1,
        timeout=30,
        settle=1.0,
    )
    assert sorted(r.key.decode() for r in posts) == sorted([p.post_id for p in accepted] + [extra.post_id])
    samples = scrape(stack.metrics_url("ingest"))
    assert metric_sum(samples, "postguard_ingest_shed_total") >= 1
    assert metric_sum(samples, "postguard_ingest_in_flight_limit") == LIMIT
