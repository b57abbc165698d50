"""Integration fixtures: one real Kafka broker and the four services as processes, shared by the session."""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import pytest
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker, fetch_jars
from postguard.devtools.stack import LocalStack
from postguard.v1 import screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, DEADLINE_SECONDS, make_post, new_id

PARTITIONS = 3


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    """A real single-node KRaft broker on a free loopback port, with PostGuard's topics (3 partitions)."""
    fetch_jars()  # no-op when `make kafka-jars` (or an earlier session) has fetched them
    with KafkaBroker(partitions=PARTITIONS) as broker:
        ensure_topics(broker.bootstrap_servers, PARTITIONS)
        yield broker


def _warm_up(stack: LocalStack) -> None:
    """Screen posts until one is decided with every stage in time (models loaded, consumer groups joined)."""
    with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        deadline = time.monotonic() + 120
        while True:
            reply = stub.Screen(
                screening_pb2.ScreenRequest(
                    post=make_post(CLEAN_TEXT, post_id=new_id("warmup")), timeout_seconds=30
                ),
                timeout=40,
            )
            if not reply.incomplete_stages:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("stack never decided a post with every stage in time")


@pytest.fixture(scope="session")
def stack(kafka_broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """ingest, identifier-detection, advice-classification and policy-decision as subprocesses."""
    run_dir = tmp_path_factory.mktemp("stack")
    env = {
        "POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
        # posts with images wait longer (OCR); short enough that a stopped image stage is seen in a test
        "POSTGUARD_POLICY_DECISION_IMAGE_DEADLINE_SECONDS": "15",
        "POSTGUARD_INGEST_SCREEN_TIMEOUT_SECONDS": "30",
    }
    local = LocalStack(run_dir, kafka_broker.bootstrap_servers, partitions=PARTITIONS, env=env)
    local.start(timeout=240)
    try:
        _warm_up(local)
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def channel(stack: LocalStack) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(stack.grpc_target("ingest")) as chan:
        yield chan


@pytest.fixture
def screening(channel: grpc.Channel) -> screening_pb2_grpc.ScreeningStub:
    """A client of the public Screening API served by ingest."""
    return screening_pb2_grpc.ScreeningStub(channel)
