"""Helpers shared by the integration tests: posts, metric scrapes, reading a topic from the beginning."""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Callable

import grpc
from kafka import KafkaConsumer, TopicPartition
from postguard.v1 import post_pb2
from prometheus_client.parser import text_string_to_metric_families

DEADLINE_SECONDS = 4.0
"""policy-decision's deadline in these tests: short, so the fail-closed test is quick."""
INSTITUTION = "demo-hospital"
IDENTIFIER_TEXT = (
    "My patient John Smith, 92, from Springfield was admitted 3/4 with pneumonia "
    "and still beat me at chess on the ward."
)
CLEAN_TEXT = "Our staff bake sale raised money for the local food bank. Thank you, neighbors!"


def new_id(prefix: str) -> str:
    """A post_id unique to this test run."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def make_post(text: str, *, post_id: str | None = None, **fields: str) -> post_pb2.Post:
    """A Post message for the demo institution (overridable)."""
    values = {"institution_id": INSTITUTION, "platform": "x", **fields}
    return post_pb2.Post(post_id=post_id or new_id("it"), text=text, **values)


def submit_with_retry(stub: object, post: post_pb2.Post, *, attempts: int = 300) -> object:
    """Submit as a well-behaved platform does: on RESOURCE_EXHAUSTED wait the server's retry pushback."""
    for _ in range(attempts):
        try:
            return stub.Submit(post, timeout=60)  # type: ignore[attr-defined]
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                raise
            pushback = dict(exc.trailing_metadata() or ()).get("grpc-retry-pushback-ms", "200")
            time.sleep(float(pushback) / 1000)
    raise AssertionError(f"{post.post_id}: still refused after {attempts} attempts")


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """``/metrics`` as {(sample name, labels): value}."""
    with urllib.request.urlopen(url, timeout=5) as reply:
        text = reply.read().decode()
    out: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def metric_sum(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, lbls), v in samples.items() if n == name and want <= set(lbls))


def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list], bool],
    timeout: float,
    settle: float = 0.0,
) -> list:
    """Records of ``topic`` from offset 0, read until ``until(records)`` holds (then ``settle`` more seconds).

    Raises ``AssertionError`` when ``until`` does not hold within ``timeout``.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list = []
        deadline = time.monotonic() + timeout
        satisfied_at: float | None = None
        while True:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            now = time.monotonic()
            if satisfied_at is None and until(records):
                satisfied_at = now
            if satisfied_at is not None and now - satisfied_at >= settle:
                return records
            if satisfied_at is None and now > deadline:
                raise AssertionError(
                    f"{topic}: condition not met within {timeout:.0f}s ({len(records)} records)"
                )
    finally:
        consumer.close()
