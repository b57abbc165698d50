"""Benchmark of the three stream services alone: posts produced straight to Kafka, decisions read back.

Starts a real broker and identifier-detection, advice-classification and policy-decision as processes
(no ingest, no gRPC), produces N posts with kafka-python (acks=all) and prints throughput (posts/s from
first post produced to last decision seen) and per-post latency p50/p99 (decision record timestamp minus
post record timestamp, both broker-assigned). Run:
``.venv/bin/python benchmarks/bench_stream_services.py --posts 2000``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from postguard.core import codec, topics
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Post

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "posts.jsonl"
STREAM_SERVICES = ("identifier-detection", "advice-classification", "policy-decision")


def _posts(prefix: str, n: int) -> list[Post]:
    rows = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["institution_id"] == "demo-hospital"]
    return [
        Post(f"{prefix}-{i:06d}", r["institution_id"], r["platform"], r["text"])
        for i, r in ((i, rows[i % len(rows)]) for i in range(n))
    ]


def _decisions(bootstrap: str, wanted: set[bytes], timeout: float) -> dict[bytes, tuple[int, object]]:
    """Read postguard.decisions.v1 from the start until every wanted key has a decision."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    parts = [TopicPartition(topics.DECISIONS, p) for p in consumer.partitions_for_topic(topics.DECISIONS)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    seen: dict[bytes, tuple[int, object]] = {}
    deadline = time.monotonic() + timeout
    try:
        while not wanted <= seen.keys():
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(wanted & seen.keys())}/{len(wanted)} decided in {timeout:.0f}s")
            for batch in consumer.poll(timeout_ms=200).values():
                for record in batch:
                    if record.key in wanted and record.key not in seen:
                        seen[record.key] = (record.timestamp, codec.decode_decision(record.value))
    finally:
        consumer.close()
    return seen


def _run(bootstrap: str, prefix: str, n: int, timeout: float) -> tuple[float, list[float], int]:
    posts = _posts(prefix, n)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    started = time.time()
    futures = [
        producer.send(topics.POSTS, key=codec.encode_key(p.post_id), value=codec.encode(p)) for p in posts
    ]
    produced = {p.post_id.encode(): f.get(timeout=60).timestamp for p, f in zip(posts, futures, strict=True)}
    producer.close()
    seen = _decisions(bootstrap, set(produced), timeout)
    last = max(ts for ts, _ in seen.values()) / 1000
    latencies = sorted((seen[k][0] - produced[k]) / 1000 for k in produced)
    incomplete = sum(1 for _, d in seen.values() if d.incomplete_stages)  # type: ignore[attr-defined]
    return n / max(last - started, 1e-9), latencies, incomplete


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="postguard-bench-stream-") as tmp,
        KafkaBroker(partitions=args.partitions) as broker,
    ):
        ensure_topics(broker.bootstrap_servers, args.partitions)
        # A deadline far above the run time: every decision here must be a complete one.
        env = {"POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS": "120"}
        stack = LocalStack(Path(tmp), broker.bootstrap_servers, partitions=args.partitions, env=env)
        stack.start(STREAM_SERVICES, timeout=240)
        try:
            _run(broker.bootstrap_servers, "warmup", 20, args.timeout)  # groups joined, models loaded
            rate, lat, incomplete = _run(broker.bootstrap_servers, "bench", args.posts, args.timeout)
        finally:
            stack.stop()
    p50, p99 = statistics.median(lat), lat[min(len(lat) - 1, int(0.99 * len(lat)))]
    print(f"stream services: {args.posts} posts, {args.partitions} partitions, one process per service")
    print(f"  throughput  {rate:8.1f} posts/s (first post produced -> last decision written)")
    print(f"  latency     p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms (post -> decision)")
    print(f"  incomplete  {incomplete} (must be 0)")
    return 0 if incomplete == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
