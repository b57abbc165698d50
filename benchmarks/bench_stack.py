"""End-to-end benchmark of the local distributed stack: real broker + four service processes, via gRPC.

Prints throughput (posts/s, Submit -> decision seen on StreamDecisions) and Screen latency p50/p99.
Run: ``make bench-stack`` or ``.venv/bin/python benchmarks/bench_stack.py --posts 2000``.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker
from postguard.devtools.stack import LocalStack
from postguard.v1 import decision_pb2, post_pb2, screening_pb2, screening_pb2_grpc

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "posts.jsonl"


def _posts(prefix: str, n: int) -> list[post_pb2.Post]:
    rows = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["institution_id"] == "demo-hospital"]
    return [
        post_pb2.Post(
            post_id=f"{prefix}-{i:06d}",
            institution_id=rows[i % len(rows)]["institution_id"],
            platform=rows[i % len(rows)]["platform"],
            text=rows[i % len(rows)]["text"],
        )
        for i in range(n)
    ]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def throughput(stub: screening_pb2_grpc.ScreeningStub, n: int, concurrency: int) -> dict[str, float]:
    """Submit ``n`` posts concurrently; time until every decision has arrived on StreamDecisions."""
    posts = _posts(f"bench-{time.time_ns()}", n)
    wanted = {p.post_id for p in posts}
    seen: dict[str, int] = {}
    done = threading.Event()
    stream = stub.StreamDecisions(screening_pb2.StreamDecisionsRequest())

    def follow() -> None:
        try:
            for decision in stream:
                if decision.post_id in wanted:
                    seen[decision.post_id] = decision.verdict
                    if len(seen) == len(wanted):
                        done.set()
        except grpc.RpcError:
            pass

    threading.Thread(target=follow, daemon=True).start()
    time.sleep(0.5)  # let the subscription register
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda p: stub.Submit(p, timeout=60), posts))
    submitted = time.monotonic() - started
    finished = done.wait(600)
    elapsed = time.monotonic() - started
    stream.cancel()
    verdicts = collections.Counter(decision_pb2.Verdict.Name(v) for v in seen.values())
    return {
        "posts": n,
        "decided": len(seen),
        "complete": float(finished),
        "submit_s": submitted,
        "elapsed_s": elapsed,
        "posts_per_s": len(seen) / elapsed,
        **{f"verdict_{k}": float(v) for k, v in sorted(verdicts.items())},
    }


def latency(stub: screening_pb2_grpc.ScreeningStub, n: int, concurrency: int) -> dict[str, float]:
    """``n`` Screen calls, ``concurrency`` at a time: per-call latency percentiles (seconds)."""
    posts = _posts(f"lat-{time.time_ns()}", n)
    incomplete = 0

    def one(post: post_pb2.Post) -> float:
        nonlocal incomplete
        t0 = time.perf_counter()
        reply = stub.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=60), timeout=70)
        if reply.incomplete_stages:
            incomplete += 1
        return time.perf_counter() - t0

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        times = list(pool.map(one, posts))
    elapsed = time.monotonic() - started
    return {
        "calls": n,
        "concurrency": concurrency,
        "p50_ms": 1000 * _percentile(times, 0.50),
        "p99_ms": 1000 * _percentile(times, 0.99),
        "mean_ms": 1000 * statistics.fmean(times),
        "max_ms": 1000 * max(times),
        "screens_per_s": n / elapsed,
        "incomplete": float(incomplete),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000, help="posts for the throughput run")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent Submit calls")
    parser.add_argument("--screens", type=int, default=300, help="Screen calls for the latency run")
    parser.add_argument("--screen-concurrency", type=int, default=4, help="concurrent Screen calls")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--deadline", type=float, default=60.0, help="policy-decision deadline (s)")
    args = parser.parse_args()
    with KafkaBroker(partitions=args.partitions) as broker, tempfile.TemporaryDirectory() as run_dir:
        ensure_topics(broker.bootstrap_servers, args.partitions)
        env = {"POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS": str(args.deadline)}
        t0 = time.monotonic()
        with LocalStack(
            Path(run_dir), broker.bootstrap_servers, partitions=args.partitions, env=env
        ) as stack:
            print(f"stack healthy in {time.monotonic() - t0:.1f}s (broker {broker.bootstrap_servers})")
            with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
                stub = screening_pb2_grpc.ScreeningStub(channel)
                warm = latency(stub, 20, 2)
                print(f"warm-up: 20 Screen calls, p50 {warm['p50_ms']:.0f} ms")
                tp = throughput(stub, args.posts, args.concurrency)
                print(
                    f"throughput: {tp['decided']:.0f}/{tp['posts']:.0f} decided in {tp['elapsed_s']:.1f}s "
                    f"-> {tp['posts_per_s']:.0f} posts/s end to end (Submit phase {tp['submit_s']:.1f}s)"
                )
                print(
                    "  verdicts: "
                    + ", ".join(f"{k[8:]}={v:.0f}" for k, v in tp.items() if k.startswith("verdict_"))
                )
                lat = latency(stub, args.screens, args.screen_concurrency)
                print(
                    f"Screen latency ({lat['calls']:.0f} calls, {lat['concurrency']:.0f} concurrent): "
                    f"p50 {lat['p50_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms, max {lat['max_ms']:.0f} ms, "
                    f"{lat['screens_per_s']:.0f} screens/s, incomplete {lat['incomplete']:.0f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
