"""The fault run: a real broker and the four services, thousands of posts, kill -9 of each part on a schedule.

It answers what an operator needs to know after a crash: was any accepted post lost, did any post get two
different final decisions or a decision made for other content, how many posts were decided provisionally
(at the deadline with a stage missing), how long the system took to complete them once the part was back,
and whether any planted identifier reached a log line, a metric or the audit store.

``python -m postguard.devtools.faults --posts 5000 --targets all`` prints the figures (``make test-faults``);
``tests/faults`` runs a smaller slice in ``make test`` and asserts them.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc
from kafka import KafkaConsumer, TopicPartition

from postguard.core import codec, topics
from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker, fetch_jars
from postguard.devtools.stack import LocalStack
from postguard.domain.identity import post_key
from postguard.domain.join import decision_fingerprint
from postguard.domain.types import Decision
from postguard.v1 import post_pb2, screening_pb2, screening_pb2_grpc

SERVICES = ("identifier-detection", "advice-classification", "policy-decision", "ingest")
TARGETS = (*SERVICES, "broker")
INSTITUTIONS = ("demo-hospital", "riverside-clinic")
RETRYABLE = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DEADLINE_EXCEEDED}
)
CLEAN_TEXTS = (
    "Flu clinic opens Monday at nine in the main lobby; bring your insurance card.",
    "Thank you to every nurse who worked through the storm this week.",
    "Our cardiology team is hiring: see the careers page for details.",
)


@dataclass(frozen=True)
class Fault:
    """Kill ``target`` with SIGKILL ``at`` seconds into the run; bring it back ``down`` seconds later."""

    target: str
    at: float
    down: float


@dataclass
class FaultTimes:
    """When a fault happened (wall clock) and when the part was serving again."""

    fault: Fault
    killed_at: float = 0.0
    back_at: float = 0.0


@dataclass(frozen=True)
class PlannedPost:
    """A post of the run and the identifier markers it carries (which must never leak)."""

    post: post_pb2.Post
    markers: tuple[str, ...]

    @property
    def key(self) -> str:
        sha = hashlib.sha256(self.post.text.encode("utf-8")).hexdigest()
        return post_key(self.post.institution_id, self.post.post_id, sha)


@dataclass
class FaultReport:
    """The figures of one run."""

    posts: int
    accepted: int
    lost: int
    not_final: int
    conflicting: int
    foreign: int
    provisional: int
    leaks: list[str]
    completion_seconds: dict[str, float]
    elapsed_seconds: float
    refused: int
    retries: int
    screen_replies: int = 0
    calm_posts: int = 0
    calm_provisional: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def provisional_share(self) -> float:
        return self.provisional / self.accepted if self.accepted else 0.0

    @property
    def final_share(self) -> float:
        return (self.accepted - self.not_final - self.lost) / self.accepted if self.accepted else 0.0

    def render(self) -> str:
        """A human-readable summary."""
        lines = [
            f"posts {self.posts}, accepted {self.accepted} (refused for good {self.refused}, "
            f"retries {self.retries}), run {self.elapsed_seconds:.1f}s",
            f"lost {self.lost} · conflicting {self.conflicting} · foreign {self.foreign} · "
            f"leaked markers {len(self.leaks)}",
            f"provisional first {self.provisional} ({self.provisional_share:.1%}) · "
            f"final {self.final_share:.2%} · never final {self.not_final}",
        ]
        lines.append(
            f"before the first fault: {self.calm_provisional} of {self.calm_posts} posts provisional"
        )
        for target, seconds in self.completion_seconds.items():
            lines.append(
                f"  after kill -9 of {target}: every affected post final {seconds:.1f}s after it was back"
            )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _valid_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(101, 665) if a != 666])
    return f"{area:03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"


def plan_posts(count: int, seed: int = 20261201, reuse_share: float = 0.1) -> list[PlannedPost]:
    """``count`` posts over two institutions: a third carry an SSN and an e-mail (the planted markers);
    ``reuse_share`` of them reuse another institution's post_id with other text."""
    rng = random.Random(seed)
    run = f"{rng.getrandbits(32):08x}"
    out: list[PlannedPost] = []
    for i in range(count):
        institution = INSTITUTIONS[i % 2]
        post_id = f"fault-{run}-{i:05d}"
        if out and rng.random() < reuse_share:
            other = out[rng.randrange(len(out))]
            if other.post.institution_id != institution:
                post_id = other.post.post_id
        markers: tuple[str, ...] = ()
        if i % 3 == 0:
            ssn, email = _valid_ssn(rng), f"pt.{run}.{i:05d}@example.org"
            text = f"Patient SSN {ssn}, contact {email}, was seen in clinic today. Case #{i}."
            markers = (ssn, email)
        else:
            text = f"{CLEAN_TEXTS[i % len(CLEAN_TEXTS)]} (#{i})"
        post = post_pb2.Post(post_id=post_id, institution_id=institution, platform="x", text=text)
        out.append(PlannedPost(post, markers))
    return out


class DecisionCollector:
    """Reads every decision record from the start of the topic in a thread, surviving broker restarts."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.decisions: list[Decision] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-collector", daemon=True)

    def start(self) -> DecisionCollector:
        self._thread.start()
        return self

    def _run(self) -> None:
        positions: dict[int, int] = {}
        while not self._stop.is_set():
            try:
                consumer = KafkaConsumer(
                    bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False
                )
                parts = [
                    TopicPartition(topics.DECISIONS, p)
                    for p in sorted(consumer.partitions_for_topic(topics.DECISIONS) or ())
                ]
                consumer.assign(parts)
                for tp in parts:
                    consumer.seek(tp, positions.get(tp.partition, 0))
                while not self._stop.is_set():
                    for tp, records in consumer.poll(timeout_ms=200).items():
                        decoded = [codec.decode_decision(r.value) for r in records]
                        with self._lock:
                            self.decisions.extend(decoded)
                        positions[tp.partition] = records[-1].offset + 1
                consumer.close()
            except Exception:  # the broker is being killed: reconnect from where we were
                time.sleep(1.0)

    def snapshot(self) -> list[Decision]:
        with self._lock:
            return list(self.decisions)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(10)


class FaultRun:
    """One run: broker + stack in ``run_dir``, posts submitted at ``rate`` per second, ``faults`` applied."""

    def __init__(
        self,
        run_dir: Path,
        posts: Sequence[PlannedPost],
        faults: Sequence[Fault],
        *,
        rate: float = 50.0,
        partitions: int = 3,
        deadline_seconds: float = 5.0,
        settle_timeout: float = 300.0,
        screen_every: int = 10,
        progress: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.posts = list(posts)
        self.times = [FaultTimes(f) for f in faults]
        self.rate = rate
        self.partitions = partitions
        self.deadline_seconds = deadline_seconds
        self.settle_timeout = settle_timeout
        self.screen_every = screen_every
        self.progress = progress
        self.accepted: dict[str, float] = {}  # identity key -> accepted at (wall clock)
        self.refused = 0
        self.retries = 0
        self.foreign_replies = 0
        self.screen_replies = 0
        self._lock = threading.Lock()

    # --- the parts -------------------------------------------------------------------------------

    def _start(self) -> tuple[KafkaBroker, LocalStack]:
        fetch_jars()
        broker = KafkaBroker(work_dir=self.run_dir / "kafka", partitions=self.partitions).start()
        env = {
            "POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS": str(self.deadline_seconds),
            "POSTGUARD_POLICY_DECISION_DATA_DIR": str(self.run_dir / "policy-data"),
            "POSTGUARD_INGEST_SCREEN_TIMEOUT_SECONDS": "30",
            "POSTGUARD_LOG_LEVEL": "INFO",
        }
        stack = LocalStack(
            self.run_dir / "stack", broker.bootstrap_servers, partitions=self.partitions, env=env
        )
        try:  # a service that fails to start must not leave the broker and the others running
            ensure_topics(broker.bootstrap_servers, self.partitions)
            stack.start(timeout=300)
        except BaseException:
            stack.stop()
            broker.stop()
            raise
        return broker, stack

    def _warm_up(self, stack: LocalStack) -> None:
        with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
            stub = screening_pb2_grpc.ScreeningStub(channel)
            deadline = time.monotonic() + 180
            while True:
                post = post_pb2.Post(
                    post_id=f"warmup-{time.time_ns()}",
                    institution_id=INSTITUTIONS[0],
                    platform="x",
                    text=CLEAN_TEXTS[0],
                )
                reply = stub.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)
                if not reply.incomplete_stages or time.monotonic() > deadline:
                    return

    # --- the load --------------------------------------------------------------------------------

    def _send(self, stub: screening_pb2_grpc.ScreeningStub, planned: PlannedPost, index: int) -> None:
        for attempt in range(200):
            try:
                if self.screen_every and index % self.screen_every == 0:
                    reply = stub.Screen(
                        screening_pb2.ScreenRequest(post=planned.post, timeout_seconds=20), timeout=25
                    )
                    self._check_reply(planned, reply)
                else:
                    stub.Submit(planned.post, timeout=20)
                with self._lock:
                    self.accepted[planned.key] = time.time()
                return
            except grpc.RpcError as exc:
                code = exc.code()
                if (
                    code == grpc.StatusCode.DEADLINE_EXCEEDED
                    and self.screen_every
                    and index % self.screen_every == 0
                ):
                    with self._lock:  # Screen stored the post and timed out waiting: accepted
                        self.accepted[planned.key] = time.time()
                    return
                if code not in RETRYABLE:
                    with self._lock:
                        self.refused += 1
                    return
                with self._lock:
                    self.retries += 1
                pushback = dict(exc.trailing_metadata() or ()).get("grpc-retry-pushback-ms")
                time.sleep(min(float(pushback) / 1000 if pushback else 0.2 * (attempt + 1), 2.0))
        with self._lock:
            self.refused += 1

    def _check_reply(self, planned: PlannedPost, reply: object) -> None:
        sha = hashlib.sha256(planned.post.text.encode("utf-8")).hexdigest()
        with self._lock:
            self.screen_replies += 1
            if (reply.institution_id, reply.post_id, reply.text_sha256) != (  # type: ignore[attr-defined]
                planned.post.institution_id,
                planned.post.post_id,
                sha,
            ):
                self.foreign_replies += 1

    def _load(self, stack: LocalStack, started: float) -> None:
        with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
            stub = screening_pb2_grpc.ScreeningStub(channel)
            with ThreadPoolExecutor(max_workers=32) as pool:
                futures = []
                for i, planned in enumerate(self.posts):
                    wait = started + i / self.rate - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                    futures.append(pool.submit(self._send, stub, planned, i))
                    if i and i % 500 == 0:
                        self.progress(f"{i}/{len(self.posts)} posts sent")
                for f in futures:
                    f.result()

    def _inject(self, broker: KafkaBroker, stack: LocalStack, started: float) -> None:
        for times in self.times:
            fault = times.fault
            wait = started + fault.at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            times.killed_at = time.time()
            self.progress(f"kill -9 {fault.target}")
            if fault.target == "broker":
                assert broker.process is not None
                broker.process.kill()
                broker.process.wait(10)
                time.sleep(fault.down)
                broker.start()
            else:
                stack.kill_service(fault.target)
                time.sleep(fault.down)
                stack.start_service(fault.target)
                stack.wait_healthy([fault.target], timeout=300)
            times.back_at = time.time()
            self.progress(f"{fault.target} back after {times.back_at - times.killed_at:.1f}s")

    # --- the run ---------------------------------------------------------------------------------

    def run(self) -> FaultReport:
        """Start everything, load, inject, wait for every accepted post to be final, measure, stop."""
        wall_start = time.monotonic()
        broker, stack = self._start()
        collector = DecisionCollector(broker.bootstrap_servers)
        try:
            collector.start()
            self._warm_up(stack)
            started = time.monotonic()
            injector = threading.Thread(target=self._inject, args=(broker, stack, started), daemon=True)
            injector.start()
            self._load(stack, started)
            injector.join()
            self.progress("all posts sent; waiting for final decisions")
            self._settle(collector)
            metrics = self._scrape(stack)
        finally:
            collector.stop()
            stack.stop()
            broker.stop()
        return self._report(collector.snapshot(), metrics, time.monotonic() - wall_start)

    def _settle(self, collector: DecisionCollector) -> None:
        deadline = time.monotonic() + self.settle_timeout
        while time.monotonic() < deadline:
            final = {_key(d) for d in collector.snapshot() if not d.provisional}
            with self._lock:
                pending = set(self.accepted) - final
            if not pending:
                time.sleep(self.deadline_seconds + 1)  # let any straggling duplicate arrive too
                return
            time.sleep(1.0)

    def _scrape(self, stack: LocalStack) -> str:
        out = []
        for name in SERVICES:
            try:
                with urllib.request.urlopen(stack.metrics_url(name), timeout=5) as reply:
                    out.append(reply.read().decode())
            except OSError:
                out.append("")
        return "\n".join(out)

    def _report(self, decisions: list[Decision], metrics: str, elapsed: float) -> FaultReport:
        submitted = {p.key: p for p in self.posts}
        by_key: dict[str, list[Decision]] = {}
        for d in decisions:
            by_key.setdefault(_key(d), []).append(d)
        foreign = self.foreign_replies + sum(
            1 for k in by_key if k not in submitted and not k.split(":", 2)[-1].startswith("warmup-")
        )
        foreign = self.foreign_replies + sum(1 for k in by_key if k not in submitted and "warmup-" not in k)
        lost = sum(1 for k in self.accepted if k not in by_key)
        not_final = sum(1 for k in self.accepted if k in by_key and all(d.provisional for d in by_key[k]))
        conflicting = sum(1 for k in self.accepted if k in by_key and _conflicts(by_key[k]))
        provisional = {k for k in self.accepted if k in by_key and by_key[k][0].provisional}
        # Posts accepted well before the first kill had every stage up for their whole deadline.
        calm_until = min((t.killed_at for t in self.times), default=float("inf")) - self.deadline_seconds - 2
        calm = {k for k, at in self.accepted.items() if at < calm_until}
        return FaultReport(
            posts=len(self.posts),
            accepted=len(self.accepted),
            lost=lost,
            not_final=not_final,
            conflicting=conflicting,
            foreign=foreign,
            provisional=len(provisional),
            calm_posts=len(calm),
            calm_provisional=len(calm & provisional),
            leaks=self._leaks(metrics),
            completion_seconds=self._completion(by_key),
            elapsed_seconds=elapsed,
            refused=self.refused,
            retries=self.retries,
            screen_replies=self.screen_replies,
        )

    def _completion(self, by_key: dict[str, list[Decision]]) -> dict[str, float]:
        """Per fault: seconds from the part being back to the last post accepted before that being final."""
        out: dict[str, float] = {}
        for times in self.times:
            finals = [
                _epoch(next(d for d in by_key[k] if not d.provisional).decided_at)
                for k, accepted_at in self.accepted.items()
                if accepted_at <= times.back_at and k in by_key and any(not d.provisional for d in by_key[k])
            ]
            late = [t - times.back_at for t in finals if t > times.back_at]
            out[times.fault.target] = max(late, default=0.0)
        return out

    def _leaks(self, metrics: str) -> list[str]:
        """Planted markers found in a service log, a metric, or the audit store's files."""
        haystacks = {"metrics": metrics}
        for path in sorted((self.run_dir / "stack").glob("*.log")):
            haystacks[path.name] = path.read_text(errors="replace")
        for path in sorted((self.run_dir / "stack").glob("audit.sqlite3*")):
            haystacks[path.name] = path.read_bytes().decode("utf-8", errors="replace")
        found = []
        for planned in self.posts:
            for marker in planned.markers:
                for where, text in haystacks.items():
                    if marker in text:
                        found.append(f"{where}: marker of {planned.post.post_id}")
        return found


def _key(decision: Decision) -> str:
    return post_key(decision.institution_id, decision.post_id, decision.text_sha256)


def _conflicts(decisions: list[Decision]) -> bool:
    """Two final decisions that say different things, or two different decisions of one version."""
    finals = {decision_fingerprint(d) for d in decisions if not d.provisional}
    versions: dict[int, set[str]] = {}
    for d in decisions:
        versions.setdefault(d.version, set()).add(decision_fingerprint(d))
    return len(finals) > 1 or any(len(v) > 1 for v in versions.values())


def _epoch(rfc3339: str) -> float:
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def schedule(
    targets: Sequence[str], *, first_at: float = 5.0, spacing: float = 30.0, down: float = 10.0
) -> list[Fault]:
    """One kill -9 per target, ``spacing`` seconds apart, each part down ``down`` seconds."""
    return [Fault(t, first_at + i * spacing, down) for i, t in enumerate(targets)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m postguard.devtools.faults", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=50.0, help="posts submitted per second")
    parser.add_argument("--targets", default="all", help=f"comma-separated of {', '.join(TARGETS)}, or all")
    parser.add_argument("--down", type=float, default=10.0, help="seconds each part stays down")
    parser.add_argument(
        "--spacing", type=float, default=0.0, help="seconds between faults (default: spread over the run)"
    )
    parser.add_argument("--run-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    targets = (
        list(TARGETS) if args.targets == "all" else [t.strip() for t in args.targets.split(",") if t.strip()]
    )
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {unknown}; expected {list(TARGETS)}")
    run_seconds = args.posts / args.rate
    spacing = args.spacing or max(run_seconds / (len(targets) + 1), args.down + 10)
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="postguard-faults-"))
    run = FaultRun(
        run_dir,
        plan_posts(args.posts),
        schedule(targets, first_at=spacing / 2, spacing=spacing, down=args.down),
        rate=args.rate,
        progress=lambda m: print(f"[{time.strftime('%H:%M:%S')}] {m}", file=sys.stderr, flush=True),
    )
    report = run.run()
    print(report.render())
    if args.json:
        args.json.write_text(json.dumps(dataclasses.asdict(report), indent=2) + "\n")
    ok = (
        not (report.lost or report.conflicting or report.foreign or report.leaks)
        and report.final_share >= 0.99
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
