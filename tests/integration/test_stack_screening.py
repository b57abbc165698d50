"""End to end through the real broker and the four services: verdicts, volume, duplicates, poison messages."""

from __future__ import annotations

import collections
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from kafka import KafkaProducer
from postguard.core import topics
from postguard.core.codec import decision_from_proto, decode_deadletter, decode_decision, encode_key
from postguard.devtools.stack import SERVICES, LocalStack
from postguard.v1 import decision_pb2, finding_pb2, post_pb2, screening_pb2, screening_pb2_grpc
from stack_support import (
    CLEAN_TEXT,
    DEADLINE_SECONDS,
    IDENTIFIER_TEXT,
    make_post,
    metric_sum,
    new_id,
    read_topic,
    scrape,
    submit_with_retry,
)

pytestmark = pytest.mark.integration


def _screen(stub: screening_pb2_grpc.ScreeningStub, post: post_pb2.Post) -> decision_pb2.Decision:
    return stub.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)


def test_post_with_patient_identifiers_is_stopped_with_spans(
    screening: screening_pb2_grpc.ScreeningStub,
) -> None:
    post = make_post(IDENTIFIER_TEXT, platform="linkedin")
    decision = _screen(screening, post)
    assert decision.post_id == post.post_id
    assert decision.verdict in (decision_pb2.BLOCK, decision_pb2.REVIEW)
    assert not decision.incomplete_stages
    identifiers = [f for f in decision.findings if f.category == finding_pb2.IDENTIFIER]
    assert identifiers, "no identifier findings"
    for finding in identifiers:
        assert 0 <= finding.start < finding.end <= len(IDENTIFIER_TEXT)
    spans = {IDENTIFIER_TEXT[f.start : f.end] for f in identifiers}
    assert "John Smith" in spans
    assert decision.reasons
    assert "John Smith" not in decision.redacted_text


def test_clean_post_is_allowed(screening: screening_pb2_grpc.ScreeningStub) -> None:
    decision = _screen(screening, make_post(CLEAN_TEXT))
    assert decision_pb2.Verdict.Name(decision.verdict) == "ALLOW", list(decision.reasons)
    assert not decision.incomplete_stages
    assert decision.policy_id and decision.text_sha256


def test_duplicate_submit_creates_no_second_decision(
    stack: LocalStack, kafka_broker, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    post = make_post(CLEAN_TEXT, post_id=new_id("it-dup"))
    assert screening.Submit(post, timeout=30).duplicate is False
    assert screening.Submit(post, timeout=30).duplicate is True  # still in flight: not published again
    first = _screen(screening, post)  # returns the decision of the first submission
    assert screening.Submit(post, timeout=30).duplicate is True  # decided
    again = _screen(screening, post)
    assert again == first
    assert screening.GetDecision(screening_pb2.GetDecisionRequest(post_id=post.post_id), timeout=10) == first
    # The same id with edited text is another post: accepted and screened on its own text.
    edited = make_post(CLEAN_TEXT + " (edited)", post_id=post.post_id)
    assert screening.Submit(edited, timeout=30).duplicate is False
    assert _screen(screening, edited).text_sha256 != first.text_sha256
    key = encode_key(post.post_id)
    posts = read_topic(
        kafka_broker.bootstrap_servers,
        topics.POSTS,
        until=lambda rs: any(r.key == key for r in rs),
        timeout=30,
    )
    assert sum(r.key == key for r in posts) == 2  # the original once, the edit once
    decisions = read_topic(
        kafka_broker.bootstrap_servers,
        topics.DECISIONS,
        until=lambda rs: sum(r.key == key for r in rs) >= 2,
        timeout=30,
        settle=DEADLINE_SECONDS + 1,  # a late second decision would come within the deadline
    )
    hashes = [decode_decision(r.value).text_sha256 for r in decisions if r.key == key]
    assert hashes.count(first.text_sha256) == 1 and len(hashes) == 2


def test_redelivered_post_yields_no_different_decision(
    stack: LocalStack, kafka_broker, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    post = make_post(IDENTIFIER_TEXT, post_id=new_id("it-redeliver"))
    first = _screen(screening, post)
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    producer.send(topics.POSTS, key=encode_key(post.post_id), value=post.SerializeToString()).get(timeout=30)
    producer.close()
    key = encode_key(post.post_id)
    records = read_topic(
        kafka_broker.bootstrap_servers,
        topics.DECISIONS,
        until=lambda rs: any(r.key == key for r in rs),
        timeout=30,
        settle=DEADLINE_SECONDS + 2,
    )
    decisions = [decode_decision(r.value) for r in records if r.key == key]
    assert decisions, "no decision on the topic"
    expected = decision_from_proto(first)
    for decision in decisions:  # an identical re-emission is fine; a different outcome is not
        assert (decision.verdict, decision.findings, decision.reasons, decision.redacted_text) == (
            expected.verdict,
            expected.findings,
            expected.reasons,
            expected.redacted_text,
        )


def test_thousand_concurrent_posts_get_exactly_one_final_decision_each(
    stack: LocalStack, kafka_broker, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    batch = new_id("it-load")
    posts = [make_post(f"{CLEAN_TEXT} Shift {i % 7}.", post_id=f"{batch}-{i:04d}") for i in range(1000)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        replies = list(pool.map(lambda p: submit_with_retry(screening, p), posts))
    assert [r.post_id for r in replies] == [p.post_id for p in posts]
    assert not any(r.duplicate for r in replies)
    wanted = {p.post_id.encode() for p in posts}
    records = read_topic(
        kafka_broker.bootstrap_servers,
        topics.DECISIONS,
        until=lambda rs: wanted <= {r.key for r in rs},
        timeout=240,
        settle=DEADLINE_SECONDS + 1,
    )
    elapsed = time.monotonic() - started
    mine = [decode_decision(r.value) for r in records if r.key in wanted]
    finals = collections.Counter(d.post_id for d in mine if not d.provisional)
    provisional = collections.Counter(d.post_id for d in mine if d.provisional)
    # Exactly one final decision per post. A post decided at the deadline with stages missing has one
    # provisional decision first (version 1) and its final one supersedes it (version 2): never more.
    assert len(finals) == 1000 and set(finals.values()) == {1}, [k for k, n in finals.items() if n != 1][:5]
    assert set(provisional.values()) <= {1}
    for d in mine:
        assert d.version == (1 if d.provisional or d.post_id not in provisional else 2), d.post_id
    with ThreadPoolExecutor(max_workers=16) as pool:
        decisions = list(
            pool.map(
                lambda p: screening.GetDecision(
                    screening_pb2.GetDecisionRequest(post_id=p.post_id), timeout=10
                ),
                posts,
            )
        )
    assert {d.post_id for d in decisions} == {p.post_id for p in posts}
    assert all(d.verdict != decision_pb2.VERDICT_UNSPECIFIED for d in decisions)
    assert all(not d.provisional for d in decisions)  # GetDecision answers with the newest version
    print(
        f"\n1000 posts submitted and decided in {elapsed:.1f}s ({1000 / elapsed:.0f} posts/s), "
        f"{len(provisional)} provisional first"
    )


def test_poison_messages_go_to_deadletter_and_processing_goes_on(
    stack: LocalStack, kafka_broker, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    before = {
        s.name: metric_sum(scrape(stack.metrics_url(s.name)), "postguard_deadletter_total") for s in SERVICES
    }
    poison_key = new_id("it-poison").encode()
    invalid = make_post("   ", post_id=new_id("it-invalid"))  # decodes, but fails validation
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    producer.send(topics.POSTS, key=poison_key, value=b"\xff\xfe not a protobuf \x00\x01").get(timeout=30)
    producer.send(topics.POSTS, key=encode_key(invalid.post_id), value=invalid.SerializeToString()).get(
        timeout=30
    )
    producer.close()
    good = make_post(IDENTIFIER_TEXT, post_id=new_id("it-after-poison"))
    decision = _screen(screening, good)
    assert decision.post_id == good.post_id
    assert decision.verdict in (decision_pb2.BLOCK, decision_pb2.REVIEW)
    assert not decision.incomplete_stages
    invalid_key = encode_key(invalid.post_id)
    records = read_topic(
        kafka_broker.bootstrap_servers,
        topics.DEADLETTER,
        until=lambda rs: {poison_key, invalid_key} <= {r.key for r in rs},
        timeout=60,
    )
    letters = [decode_deadletter(r.value) for r in records if r.key in (poison_key, invalid_key)]
    poison = [d for d in letters if d.key == poison_key.decode()]
    assert poison and all(d.reason == "decode_error" and d.source_topic == topics.POSTS for d in poison)
    assert all(d.payload.startswith(b"\xff\xfe") and d.error for d in poison)
    invalid_letters = [d for d in letters if d.key == invalid.post_id]
    assert invalid_letters and all(d.reason == "validation_error" for d in invalid_letters)
    assert all("text" in d.error for d in invalid_letters)
    after = {
        s.name: metric_sum(scrape(stack.metrics_url(s.name)), "postguard_deadletter_total") for s in SERVICES
    }
    assert sum(after.values()) >= sum(before.values()) + len(letters)
    with pytest.raises(grpc.RpcError) as info:
        screening.GetDecision(screening_pb2.GetDecisionRequest(post_id=invalid.post_id), timeout=10)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


_COUNTED = (
    ("ingest", "postguard_posts_received_total", {"service": "ingest"}),
    ("ingest", "postguard_screen_latency_seconds_count", {}),
    ("ingest", "postguard_grpc_requests_total", {"method": "Screen", "code": "OK"}),
    ("identifier-detection", "postguard_posts_received_total", {"service": "identifier-detection"}),
    ("identifier-detection", "postguard_stage_duration_seconds_count", {"stage": "identifier-detection"}),
    ("identifier-detection", "postguard_findings_total", {"category": "IDENTIFIER"}),
    ("advice-classification", "postguard_posts_received_total", {"service": "advice-classification"}),
    ("advice-classification", "postguard_stage_duration_seconds_count", {"stage": "advice-classification"}),
    ("policy-decision", "postguard_posts_screened_total", {"verdict": "ALLOW"}),
)


def test_metrics_endpoints_answer_and_count(
    stack: LocalStack, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    def counts() -> list[float]:
        scraped = {s.name: scrape(stack.metrics_url(s.name)) for s in SERVICES}
        return [metric_sum(scraped[svc], name, **labels) for svc, name, labels in _COUNTED]

    before = counts()
    for text in (CLEAN_TEXT, IDENTIFIER_TEXT, CLEAN_TEXT):
        assert not _screen(screening, make_post(text)).incomplete_stages
    moved = [a - b for a, b in zip(counts(), before, strict=True)]
    for (service, name, labels), delta in zip(_COUNTED, moved, strict=True):
        minimum = 1 if "findings" in name else 2 if "ALLOW" in labels.values() else 3
        assert delta >= minimum, (service, name, labels, delta)
    for service in SERVICES:
        for (metric, labels), _ in scrape(stack.metrics_url(service.name)).items():
            for _label, value in labels:
                assert "John Smith" not in value and "bake sale" not in value, (service.name, metric)
