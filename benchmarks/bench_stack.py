"""End-to-end benchmark of the local distributed stack: real broker + the service processes, via gRPC.

For each partition count (``--partitions 1,2,4``; the two detection stages run that many replicas
unless ``--replicas`` says otherwise) it starts a broker and the stack and runs:

* a **burst**: ``--posts`` Submit calls as fast as ``--concurrency`` clients can send them (shed posts
  are retried after the server's ``grpc-retry-pushback-ms``), timed until every post has a decision on
  StreamDecisions: posts/s end to end, and how many decisions were provisional ("incomplete");
* a **paced** run: Screen calls at ``--rate`` per second for ``--paced-seconds`` (open loop, each call
  starts at its scheduled time): p50/p99 latency, incomplete replies, calls that fell behind schedule;
* the CPU each process used while idle and during the burst (from /proc), per post, and the detector
  thread's own CPU per post (``postguard_detector_cpu_seconds_total``), so the stream path's overhead
  per post can be compared with the detector's on a machine whose absolute speed varies.

Run: ``make bench-stack`` or ``.venv/bin/python benchmarks/bench_stack.py --partitions 1,2,4``.
On a shared machine absolute numbers are noisy; compare ratios and the provisional count.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker
from postguard.devtools.stack import LocalStack
from postguard.v1 import decision_pb2, post_pb2, screening_pb2, screening_pb2_grpc

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "posts.jsonl"
DETECTION = ("identifier-detection", "advice-classification")
CLK_TCK = os.sysconf("SC_CLK_TCK")
_DETECTOR_CPU = re.compile(r'^postguard_detector_cpu_seconds_total\{stage="([^"]+)"\} (\S+)$', re.M)


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
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _pushback_seconds(error: grpc.RpcError) -> float:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-retry-pushback-ms":
            return int(value) / 1000
    return 1.0


def with_retry(call: Callable[[], Any], counters: dict[str, int], lock: threading.Lock) -> Any:
    """``call()``, retried after the pushback while ingest sheds it (RESOURCE_EXHAUSTED)."""
    while True:
        try:
            return call()
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                raise
            with lock:
                counters["shed"] = counters.get("shed", 0) + 1
            time.sleep(_pushback_seconds(exc))


# --- CPU accounting ------------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _detector_seconds(url: str) -> dict[str, float]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            text = reply.read().decode()
    except OSError:
        return {}
    return {stage: float(v) for stage, v in _DETECTOR_CPU.findall(text)}


@dataclass
class CpuMeter:
    """CPU seconds of every stack process (and the broker) and detector seconds, between two snapshots."""

    stack: LocalStack
    broker_pid: int | None
    start_cpu: dict[str, float] = field(default_factory=dict)
    start_det: dict[str, float] = field(default_factory=dict)

    def _snapshot(self) -> tuple[dict[str, float], dict[str, float]]:
        cpu = {name: _cpu_seconds(proc.pid) for name, proc in self.stack.processes.items()}
        if self.broker_pid:
            cpu["kafka"] = _cpu_seconds(self.broker_pid)
        det: dict[str, float] = {}
        for name in self.stack.processes:
            if self.stack.service_of.get(name) in DETECTION:
                for stage, seconds in _detector_seconds(self.stack.metrics_url(name)).items():
                    if stage == self.stack.service_of[name]:
                        det[name] = seconds
        return cpu, det

    def start(self) -> None:
        self.start_cpu, self.start_det = self._snapshot()

    def stop(self) -> tuple[dict[str, float], dict[str, float]]:
        """CPU seconds per service (replicas summed) and detector seconds per detection stage."""
        cpu, det = self._snapshot()
        by_service: dict[str, float] = {}
        for name, seconds in cpu.items():
            service = self.stack.service_of.get(name, name)
            by_service[service] = by_service.get(service, 0.0) + seconds - self.start_cpu.get(name, 0.0)
        detector: dict[str, float] = {}
        for name, seconds in det.items():
            service = self.stack.service_of[name]
            detector[service] = detector.get(service, 0.0) + seconds - self.start_det.get(name, 0.0)
        return by_service, detector


# --- the two runs --------------------------------------------------------------------------------------


def burst(stub: screening_pb2_grpc.ScreeningStub, n: int, concurrency: int, wait: float) -> dict[str, Any]:
    """Submit ``n`` posts as fast as possible; time until every one has a decision on StreamDecisions."""
    posts = _posts(f"burst-{time.time_ns()}", n)
    wanted = {p.post_id for p in posts}
    first: dict[str, decision_pb2.Decision] = {}
    last: dict[str, decision_pb2.Decision] = {}
    done = threading.Event()
    stream = stub.StreamDecisions(screening_pb2.StreamDecisionsRequest())

    def follow() -> None:
        try:
            for decision in stream:
                if decision.post_id in wanted:
                    first.setdefault(decision.post_id, decision)
                    last[decision.post_id] = decision
                    if len(first) == len(wanted):
                        done.set()
        except grpc.RpcError:
            pass

    threading.Thread(target=follow, daemon=True).start()
    time.sleep(0.5)  # let the subscription register
    counters: dict[str, int] = {}
    lock = threading.Lock()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda p: with_retry(lambda: stub.Submit(p, timeout=60), counters, lock), posts))
    submitted = time.monotonic() - started
    finished = done.wait(wait)
    elapsed = time.monotonic() - started
    stream.cancel()
    return {
        "posts": n,
        "decided": len(first),
        "complete": finished,
        "submit_s": submitted,
        "elapsed_s": elapsed,
        "posts_per_s": len(first) / elapsed,
        "provisional": sum(1 for d in first.values() if d.provisional or d.incomplete_stages),
        "still_provisional": sum(1 for d in last.values() if d.provisional or d.incomplete_stages),
        "shed": counters.get("shed", 0),
    }


def paced(stub: screening_pb2_grpc.ScreeningStub, rate: float, seconds: float) -> dict[str, Any]:
    """Screen calls started at ``rate`` per second (open loop) for ``seconds``: latency percentiles."""
    n = max(1, int(rate * seconds))
    posts = _posts(f"paced-{time.time_ns()}", n)
    counters: dict[str, int] = {}
    lock = threading.Lock()
    times: list[float] = []
    late = 0
    started = time.monotonic() + 0.2

    give_up = started + 2 * seconds  # a stack far below the rate: skip the rest, keep the run short

    def one(i: int) -> None:
        nonlocal late
        if time.monotonic() > give_up:
            with lock:
                counters["skipped"] = counters.get("skipped", 0) + 1
            return
        due = started + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -0.05:
            with lock:
                late += 1
        t0 = time.perf_counter()
        request = screening_pb2.ScreenRequest(post=posts[i], timeout_seconds=60)
        reply = with_retry(lambda: stub.Screen(request, timeout=70), counters, lock)
        took = time.perf_counter() - t0
        with lock:
            times.append(took)
            if reply.provisional or reply.incomplete_stages:
                counters["incomplete"] = counters.get("incomplete", 0) + 1

    with ThreadPoolExecutor(max_workers=min(256, max(16, int(rate)))) as pool:
        list(pool.map(one, range(n)))
    elapsed = time.monotonic() - started
    return {
        "calls": len(times),
        "rate": rate,
        "achieved_per_s": len(times) / elapsed,
        "skipped": counters.get("skipped", 0),
        "p50_ms": 1000 * _percentile(times, 0.50),
        "p99_ms": 1000 * _percentile(times, 0.99),
        "max_ms": 1000 * max(times, default=float("nan")),
        "incomplete": counters.get("incomplete", 0),
        "shed": counters.get("shed", 0),
        "late_starts": late,
    }


def run_one(args: argparse.Namespace, partitions: int) -> dict[str, Any]:
    """Broker + stack with ``partitions`` partitions; the burst, the CPU accounting and the paced run."""
    replicas = args.replicas or partitions
    env = {k: v for k, v in (s.split("=", 1) for s in args.env)}
    if args.deadline is not None:
        env["POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS"] = str(args.deadline)
    result: dict[str, Any] = {"partitions": partitions, "replicas": replicas}
    with KafkaBroker(partitions=partitions) as broker, tempfile.TemporaryDirectory() as run_dir:
        ensure_topics(broker.bootstrap_servers, partitions)
        t0 = time.monotonic()
        stack = LocalStack(
            Path(run_dir),
            broker.bootstrap_servers,
            partitions=partitions,
            env=env,
            replicas={name: replicas for name in DETECTION},
        )
        with stack:
            print(
                f"\n== {partitions} partition(s), {replicas} replica(s) of each detection stage: "
                f"stack healthy in {time.monotonic() - t0:.1f}s",
                flush=True,
            )
            with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
                stub = screening_pb2_grpc.ScreeningStub(channel)
                warm = paced(stub, 10, 3)
                print(f"warm-up: {warm['calls']} Screen calls, p50 {warm['p50_ms']:.0f} ms", flush=True)
                if args.warm_posts:
                    burst(stub, args.warm_posts, args.concurrency, args.wait)
                meter = CpuMeter(stack, broker.pid)
                if args.idle_seconds > 0:
                    meter.start()
                    time.sleep(args.idle_seconds)
                    idle, _ = meter.stop()
                    result["idle_cores"] = {k: v / args.idle_seconds for k, v in idle.items()}
                    print(
                        f"idle: {sum(idle.values()) / args.idle_seconds:.2f} cores in all ("
                        + ", ".join(f"{k} {v / args.idle_seconds:.3f}" for k, v in sorted(idle.items()))
                        + ")",
                        flush=True,
                    )
                meter.start()
                tp = burst(stub, args.posts, args.concurrency, args.wait)
                cpu, detector = meter.stop()
                result["burst"], result["cpu_s"], result["detector_s"] = tp, cpu, detector
                print(
                    f"burst: {tp['decided']}/{tp['posts']} decided in {tp['elapsed_s']:.1f}s -> "
                    f"{tp['posts_per_s']:.0f} posts/s end to end (Submit phase {tp['submit_s']:.1f}s, "
                    f"{tp['shed']} shed+retried); provisional {tp['provisional']} "
                    f"(still provisional at the end: {tp['still_provisional']})",
                    flush=True,
                )
                result["marginal_ms"] = _print_cpu(
                    cpu, detector, max(1, tp["decided"]), result.get("idle_cores", {}), tp["elapsed_s"]
                )
                if args.rate > 0 and args.paced_seconds > 0:
                    lat = paced(stub, args.rate, args.paced_seconds)
                    result["paced"] = lat
                    print(
                        f"paced Screen at {lat['rate']:.0f}/s ({lat['calls']} calls, achieved "
                        f"{lat['achieved_per_s']:.0f}/s): p50 {lat['p50_ms']:.0f} ms, "
                        f"p99 {lat['p99_ms']:.0f} ms, max {lat['max_ms']:.0f} ms, incomplete "
                        f"{lat['incomplete']}, shed {lat['shed']}, late starts {lat['late_starts']}, "
                        f"skipped (over 2x the run's length) {lat['skipped']}",
                        flush=True,
                    )
    return result


def _print_cpu(
    cpu: dict[str, float], detector: dict[str, float], posts: int, idle: dict[str, float], seconds: float
) -> dict[str, float]:
    """Print CPU per post by process: in all, and marginal (minus the idle stack's CPU over the burst).

    Returns the marginal ms/post by process, plus ``detector`` and ``stream`` (everything else)."""
    total = sum(cpu.values())
    print(f"CPU during the burst: {total:.1f} s = {1000 * total / posts:.2f} ms/post in all (idle included)")
    marginal: dict[str, float] = {}
    for name, used in sorted(cpu.items(), key=lambda kv: -kv[1]):
        marginal[name] = 1000 * max(0.0, used - idle.get(name, 0.0) * seconds) / posts
        line = f"  {name:<24} {1000 * used / posts:6.2f} ms/post, marginal {marginal[name]:6.2f}"
        if name in detector:
            line += f"  (of which detector {1000 * detector[name] / posts:.2f})"
        print(line)
    det = 1000 * sum(detector.values()) / posts
    stream = max(0.0, sum(marginal.values()) - det)
    print(
        f"marginal per post: detectors {det:.2f} ms, stream path (everything else, broker included) "
        f"{stream:.2f} ms -> stream/detector {stream / det if det else float('nan'):.1f}x"
    )
    return {**marginal, "detector": det, "stream": stream}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--partitions", default="2", help="comma-separated partition counts, e.g. 1,2,4")
    parser.add_argument(
        "--replicas", type=int, default=0, help="replicas per detection stage (0: = partitions)"
    )
    parser.add_argument("--posts", type=int, default=1000, help="posts in the unpaced burst")
    parser.add_argument(
        "--warm-posts", type=int, default=300, help="posts of an unmeasured burst first (JIT, caches)"
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=5.0, help="measure the idle stack's CPU this long (0: skip)"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent Submit calls in the burst")
    parser.add_argument(
        "--wait", type=float, default=300.0, help="longest wait for the burst's decisions (s)"
    )
    parser.add_argument("--rate", type=float, default=200.0, help="Screen calls/s of the paced run (0: skip)")
    parser.add_argument("--paced-seconds", type=float, default=15.0, help="length of the paced run (s)")
    parser.add_argument(
        "--deadline", type=float, default=None, help="policy-decision deadline (s); default: the service's"
    )
    parser.add_argument("--env", action="append", default=[], help="extra NAME=VALUE for every service")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    results = [run_one(args, int(p)) for p in args.partitions.split(",") if p.strip()]
    if len(results) > 1:
        print(
            "\npartitions  replicas  burst posts/s  provisional  stream/detector ms  Screen p50/p99 ms @ rate"
        )
        for r in results:
            lat = r.get("paced")
            paced_text = f"{lat['p50_ms']:.0f}/{lat['p99_ms']:.0f} @ {lat['rate']:.0f}/s" if lat else "-"
            print(
                f"{r['partitions']:>10}  {r['replicas']:>8}  {r['burst']['posts_per_s']:>13.0f}  "
                f"{r['burst']['provisional']:>11}  "
                f"{r['marginal_ms']['stream']:>8.1f}/{r['marginal_ms']['detector']:<8.1f}  {paced_text}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
