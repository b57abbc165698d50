"""Kafka SASL (PLAIN, SCRAM) on a real broker: topics, ingest producer/follower, a faust service, refusals."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaTimeoutError
from postguard.core import topics
from postguard.core.codec import decode_key, decode_post, decode_stage_result, encode, post_from_proto
from postguard.core.kafka_admin import ensure_topics
from postguard.core.kafka_security import (
    KafkaLoginError,
    connect_kafka,
    kafka_python_options,
    preflight,
)
from postguard.core.settings import CommonSettings
from postguard.devtools.kafka_broker import KafkaBroker, fetch_jars, free_port
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Decision, Verdict
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.follower import DecisionFollower
from postguard.ingest.publisher import PostPublisher
from stack_support import IDENTIFIER_TEXT, make_post, new_id

pytestmark = pytest.mark.integration

USER, PASSWORD = "postguard", "pg-sasl-secret"
PARTITIONS = 2


@pytest.fixture(scope="module")
def broker() -> Iterator[KafkaBroker]:
    """A broker of its own with a PLAINTEXT and a SASL_PLAINTEXT (PLAIN + SCRAM) listener."""
    fetch_jars()
    with KafkaBroker(partitions=PARTITIONS, sasl_users={USER: PASSWORD, "other": "other-secret"}) as b:
        yield b


def sasl_settings(broker: KafkaBroker, password: str = PASSWORD, mechanism: str = "PLAIN") -> CommonSettings:
    return CommonSettings(
        _env_file=None,
        kafka_bootstrap_servers=broker.sasl_bootstrap_servers,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism=mechanism,
        kafka_sasl_username=USER,
        kafka_sasl_password=password,
        topic_partitions=PARTITIONS,
    )


def read_all(
    bootstrap: str, topic: str, options: dict, until: Callable[[list], bool], timeout: float = 60.0
) -> list:
    """Records of ``topic`` from offset 0 (no group) until ``until(records)`` holds."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **options)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        records: list = []
        deadline = time.monotonic() + timeout
        while not until(records):
            assert time.monotonic() < deadline, f"{topic}: condition not met, {len(records)} records read"
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


class NeverCalled:
    """A client factory that records whether ``connect_kafka`` got as far as starting kafka-python."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **kwargs: object) -> KafkaAdminClient:
        self.calls += 1
        return KafkaAdminClient(**kwargs)


class RecordingBook(DecisionBook):
    """A DecisionBook that also keeps every decision the follower handed it, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Decision] = []

    def record(self, decision: Decision) -> bool:
        self.seen.append(decision)
        return super().record(decision)


def test_broker_config_keeps_plaintext_and_adds_a_sasl_listener(broker: KafkaBroker) -> None:
    config = (broker.work_dir / "server.properties").read_text()
    assert f"PLAINTEXT://127.0.0.1:{broker.port}" in config
    assert f"SASL_PLAINTEXT://127.0.0.1:{broker.sasl_port}" in config
    assert "0.0.0.0" not in config
    assert broker.sasl_bootstrap_servers == f"127.0.0.1:{broker.sasl_port}"


def test_scram_users_log_in_too(broker: KafkaBroker) -> None:
    for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        options = kafka_python_options(sasl_settings(broker, mechanism=mechanism))
        assert preflight(broker.sasl_bootstrap_servers, options) is True
        admin = connect_kafka(KafkaAdminClient, options, bootstrap_servers=broker.sasl_bootstrap_servers)
        admin.close()
    bad = kafka_python_options(sasl_settings(broker, password="nope", mechanism="SCRAM-SHA-256"))
    # kafka-python alone often sees this refusal only as a disconnect (see the wrong-password test below);
    # the preflight reads the broker's SaslAuthenticate error reply before it closes, so the error is sure.
    factory = NeverCalled()
    with pytest.raises(
        KafkaLoginError, match="refused the SASL SCRAM-SHA-256 login of user 'postguard'"
    ) as info:
        connect_kafka(factory, bad, bootstrap_servers=broker.sasl_bootstrap_servers)
    assert factory.calls == 0
    assert "nope" not in str(info.value)
    assert "SASL_AUTHENTICATION_FAILED" in str(info.value)


def test_ensure_topics_over_sasl_creates_topics_seen_on_both_listeners(broker: KafkaBroker) -> None:
    options = kafka_python_options(sasl_settings(broker))
    assert options["security_protocol"] == "SASL_PLAINTEXT" and "ssl_context" not in options
    created = ensure_topics(broker.sasl_bootstrap_servers, PARTITIONS, client_options=options)
    assert sorted(created) == sorted(topics.ALL_TOPICS)
    assert ensure_topics(broker.sasl_bootstrap_servers, PARTITIONS, client_options=options) == []
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)  # the PLAINTEXT listener
    try:
        assert set(topics.ALL_TOPICS) <= set(admin.list_topics())
    finally:
        admin.close()


def test_ingest_publisher_and_decision_follower_over_sasl(broker: KafkaBroker) -> None:
    options = kafka_python_options(sasl_settings(broker))
    ensure_topics(broker.sasl_bootstrap_servers, PARTITIONS, client_options=options)
    post = post_from_proto(make_post("Fun run on Saturday!", post_id=new_id("sasl-pub")))
    publisher = PostPublisher(broker.sasl_bootstrap_servers, client_options=options)
    try:
        partition, offset = publisher.publish(post, timeout=30)
    finally:
        publisher.close()
    records = read_all(
        broker.sasl_bootstrap_servers,
        topics.POSTS,
        options,
        until=lambda rs: any(decode_key(r.key) == post.post_id for r in rs),
    )
    mine = next(r for r in records if decode_key(r.key) == post.post_id)
    assert (mine.partition, mine.offset) == (partition, offset)
    assert decode_post(mine.value).text == post.text

    decision = Decision(
        post_id=post.post_id,
        institution_id=post.institution_id,
        verdict=Verdict.ALLOW,
        findings=(),
        reasons=(),
        redacted_text="",
        policy_id="default",
        policy_version="1",
        text_sha256="0" * 64,
    )
    producer = KafkaProducer(bootstrap_servers=broker.sasl_bootstrap_servers, acks="all", **options)
    try:
        producer.send(topics.DECISIONS, key=post.post_id.encode(), value=encode(decision)).get(timeout=30)
    finally:
        producer.close()
    book = RecordingBook()
    follower = DecisionFollower(broker.sasl_bootstrap_servers, book, client_options=options).start()
    try:
        # Caught up = every decision up to the end offsets seen at start is in the book, ours included.
        assert follower.caught_up.wait(60)
    finally:
        follower.stop()
    got = [d for d in book.seen if d.post_id == post.post_id]
    assert [d.verdict for d in got] == [Verdict.ALLOW]


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-512"])
def test_identifier_detection_service_screens_a_post_over_sasl(
    broker: KafkaBroker, tmp_path: Path, mechanism: str
) -> None:
    """The real service process (faust worker on aiokafka, kafka-python admin) with POSTGUARD_KAFKA_* SASL."""
    common = sasl_settings(broker, mechanism=mechanism)
    options = kafka_python_options(common)
    ensure_topics(broker.sasl_bootstrap_servers, PARTITIONS, client_options=options)
    env = {
        "POSTGUARD_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "POSTGUARD_KAFKA_SASL_MECHANISM": mechanism,
        "POSTGUARD_KAFKA_SASL_USERNAME": USER,
        "POSTGUARD_KAFKA_SASL_PASSWORD": PASSWORD,
        "POSTGUARD_IDENTIFIER_DETECTION_DATA_DIR": str(tmp_path / "faust"),
    }
    stack = LocalStack(tmp_path, broker.sasl_bootstrap_servers, partitions=PARTITIONS, env=env)
    stack.start_service("identifier-detection")
    try:
        stack.wait_healthy(["identifier-detection"], timeout=120)
        post = post_from_proto(make_post(IDENTIFIER_TEXT, post_id=new_id("sasl-detect")))
        publisher = PostPublisher(broker.sasl_bootstrap_servers, client_options=options)
        try:
            publisher.publish(post, timeout=30)
        finally:
            publisher.close()
        records = read_all(
            broker.sasl_bootstrap_servers,
            topics.FINDINGS,
            options,
            until=lambda rs: any(decode_key(r.key) == post.post_id for r in rs),
            timeout=90,
        )
    finally:
        stack.stop()
    result = decode_stage_result(next(r.value for r in records if decode_key(r.key) == post.post_id))
    assert result.post_id == post.post_id
    assert result.findings, "the identifier post produced no findings"
    assert PASSWORD not in stack.log_path("identifier-detection").read_text(errors="replace")


def test_wrong_password_is_refused_with_a_login_error(broker: KafkaBroker) -> None:
    """A definite KafkaLoginError before kafka-python starts: no bootstrap timeout to wait out or race.

    The broker answers a wrong password with a SaslAuthenticate error and then closes the connection.
    kafka-python 3.0 drops bytes it reads together with the close, so on a loaded machine it often sees
    only a disconnect and retries until its bootstrap timeout (the old flake: a 2.5 s timeout and a
    refusal that was sometimes never seen). The preflight's blocking reads always get the reply.
    """
    options = {**kafka_python_options(sasl_settings(broker, password="not-the-password"))}
    factory = NeverCalled()
    with pytest.raises(KafkaLoginError, match="refused the SASL PLAIN login of user 'postguard'") as info:
        connect_kafka(factory, options, bootstrap_servers=broker.sasl_bootstrap_servers)
    assert factory.calls == 0, "the refusal must come from the preflight, not from a bootstrap timeout"
    assert "not-the-password" not in str(info.value)
    assert "Invalid username or password" in str(info.value)
    with pytest.raises(KafkaLoginError, match="Invalid username or password"):
        PostPublisher(broker.sasl_bootstrap_servers, client_options=options)
    unknown_user = {**options, "sasl_plain_username": "nobody"}
    with pytest.raises(KafkaLoginError, match="login of user 'nobody'"):
        connect_kafka(factory, unknown_user, bootstrap_servers=broker.sasl_bootstrap_servers)
    assert factory.calls == 0


def test_preflight_leaves_an_unreachable_broker_to_the_client(broker: KafkaBroker) -> None:
    """No broker listening: not a refusal, so no KafkaLoginError; the client's bounded bootstrap decides."""
    options = kafka_python_options(sasl_settings(broker))
    closed = f"127.0.0.1:{free_port()}"
    assert preflight(closed, options) is False
    with pytest.raises(KafkaTimeoutError, match="broker unreachable or the SASL PLAIN login"):
        connect_kafka(KafkaAdminClient, options, bootstrap_servers=closed, bootstrap_timeout_ms=1500)
    # A reachable broker after an unreachable one in the list: the preflight goes on to it.
    assert preflight(f"{closed},{broker.sasl_bootstrap_servers}", options) is True


def test_plaintext_client_on_the_sasl_listener_is_not_let_in(broker: KafkaBroker) -> None:
    # The broker drops a client that skips the SASL handshake; kafka-python reports a bootstrap timeout.
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        KafkaAdminClient(bootstrap_servers=broker.sasl_bootstrap_servers, bootstrap_timeout_ms=2000)


def test_service_with_a_wrong_password_exits_at_start_up_saying_why(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    """No hang: the preflight's KafkaLoginError ends the process at its first Kafka connection."""
    env = {
        "POSTGUARD_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "POSTGUARD_KAFKA_SASL_MECHANISM": "PLAIN",
        "POSTGUARD_KAFKA_SASL_USERNAME": USER,
        "POSTGUARD_KAFKA_SASL_PASSWORD": "not-the-password",
        "POSTGUARD_IDENTIFIER_DETECTION_DATA_DIR": str(tmp_path / "faust"),
    }
    stack = LocalStack(tmp_path, broker.sasl_bootstrap_servers, partitions=PARTITIONS, env=env)
    started = time.monotonic()
    stack.start_service("identifier-detection")
    proc = stack.processes["identifier-detection"]
    try:
        code = proc.wait(timeout=75)
    finally:
        stack.stop()
    elapsed = time.monotonic() - started
    log = stack.log_path("identifier-detection").read_text(errors="replace")
    assert code != 0
    assert "KafkaLoginError" in log and "refused the SASL PLAIN login of user 'postguard'" in log, log[-2000:]
    assert "not-the-password" not in log
    print(f"\nwrong password: service exited with code {code} after {elapsed:.1f}s")
