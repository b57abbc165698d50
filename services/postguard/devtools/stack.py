"""The local distributed stack without Docker: a real broker plus the five services as OS processes.

Used by ``make up`` / ``make down``, the integration tests and ``benchmarks/bench_stack.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from postguard.core.kafka_admin import ensure_topics
from postguard.devtools.kafka_broker import KafkaBroker, free_port, pid_alive, stop_pid


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """How to launch one service and where its settings live."""

    name: str  # deployed (kebab-case) name, also the argument of ``postguard serve``
    env_prefix: str  # prefix of its own settings class
    grpc_port: int  # default ports (settings defaults, chart and compose use the same)
    metrics_port: int
    http_health: str = ""  # set: an HTTP service (port setting HTTP_PORT) healthy when GET <path> is 200


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("ingest", "POSTGUARD_INGEST_", 50051, 9101),
    ServiceSpec("identifier-detection", "POSTGUARD_IDENTIFIER_DETECTION_", 50052, 9102),
    ServiceSpec("advice-classification", "POSTGUARD_ADVICE_CLASSIFICATION_", 50053, 9103),
    ServiceSpec("policy-decision", "POSTGUARD_POLICY_DECISION_", 50054, 9104),
    ServiceSpec("image-screening", "POSTGUARD_IMAGE_SCREENING_", 50055, 9105),
)
ON_DEMAND: tuple[ServiceSpec, ...] = (
    ServiceSpec("review-console", "POSTGUARD_REVIEW_CONSOLE_", 8090, 9106, http_health="/healthz"),
)
"""Services started only when named (``start(["review-console"])``), not by ``start()`` / ``make up``."""
SPECS: dict[str, ServiceSpec] = {s.name: s for s in (*SERVICES, *ON_DEMAND)}


class StackError(RuntimeError):
    """A service did not become healthy; the message carries the tail of its log."""


def tail(path: Path, lines: int = 30) -> str:
    """Last ``lines`` lines of a log file (or a note that it does not exist)."""
    if not path.exists():
        return f"(no {path.name})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def grpc_healthy(target: str, timeout: float = 1.0) -> bool:
    """Whether the gRPC health service at ``target`` answers SERVING for the whole server."""
    try:
        with grpc.insecure_channel(target) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout
            )
            return reply.status == health_pb2.HealthCheckResponse.SERVING
    except grpc.RpcError:
        return False


def http_healthy(target: str, path: str, timeout: float = 1.0) -> bool:
    """Whether ``GET http://<target><path>`` answers 200."""
    try:
        with urllib.request.urlopen(f"http://{target}{path}", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (OSError, ValueError):
        return False


class LocalStack:
    """The five services as subprocesses of this one, against ``bootstrap_servers``.

    ``free_ports=True`` gives every service fresh loopback ports (tests); otherwise the default ports.
    ``env`` adds or overrides settings for every service (e.g. a short policy deadline).
    ``replicas`` runs more than one process of a service (e.g. ``{"identifier-detection": 2}``): the
    first is named like the service, the others ``<service>-2``, ``<service>-3``... each with its own
    ports and data directory, all in the service's consumer group (so they share its partitions).
    """

    def __init__(
        self,
        run_dir: Path,
        bootstrap_servers: str,
        *,
        partitions: int = 3,
        free_ports: bool = True,
        env: Mapping[str, str] | None = None,
        detach: bool = False,
        replicas: Mapping[str, int] | None = None,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.bootstrap_servers = bootstrap_servers
        self.partitions = partitions
        self.env = dict(env or {})
        self.detach = detach
        counts = dict(replicas or {})
        unknown = set(counts) - set(SPECS)
        if unknown:
            raise ValueError(f"replicas of unknown services: {sorted(unknown)}")
        if any(n < 1 for n in counts.values()) or (not free_ports and any(n > 1 for n in counts.values())):
            raise ValueError("replicas must be >= 1, and more than one needs free_ports=True")
        # instance name -> service name (the first instance of a service is named like it)
        self.service_of: dict[str, str] = {
            (s.name if i == 1 else f"{s.name}-{i}"): s.name
            for s in (*SERVICES, *ON_DEMAND)
            for i in range(1, counts.get(s.name, 1) + 1)
        }
        self.ports: dict[str, tuple[int, int]] = {
            instance: (free_port(), free_port())
            if free_ports
            else (SPECS[name].grpc_port, SPECS[name].metrics_port)
            for instance, name in self.service_of.items()
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    # --- addresses -------------------------------------------------------------------------------

    def instances(self, name: str | None = None) -> list[str]:
        """The process names of service ``name`` (all services' when None), in start order."""
        return [i for i, service in self.service_of.items() if name is None or service == name]

    def grpc_target(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name][0]}"

    def metrics_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name][1]}/metrics"

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    @property
    def redacted_dir(self) -> Path:
        """Where image-screening writes the redacted copies (unless ``env`` says otherwise)."""
        return Path(self.env.get("POSTGUARD_IMAGE_SCREENING_REDACTED_DIR", self.run_dir / "redacted"))

    def service_env(self, name: str) -> dict[str, str]:
        """The environment a service process gets: ``POSTGUARD_*`` connection, ports, overrides."""
        spec = SPECS[self.service_of[name]]
        grpc_port, metrics_port = self.ports[name]
        env = dict(os.environ)
        env.update(
            {
                "POSTGUARD_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
                "POSTGUARD_TOPIC_PARTITIONS": str(self.partitions),
                f"{spec.env_prefix}{'HTTP' if spec.http_health else 'GRPC'}_PORT": str(grpc_port),
                f"{spec.env_prefix}METRICS_PORT": str(metrics_port),
                f"{spec.env_prefix}BIND_ADDRESS": "127.0.0.1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        # The audit store's default is a relative path: keep it with the run's other files.
        env.setdefault("POSTGUARD_POLICY_DECISION_AUDIT_URL", str(self.run_dir / "audit.sqlite3"))
        # Redacted image copies too (the default is a system path the chart mounts a volume on).
        env.setdefault("POSTGUARD_IMAGE_SCREENING_REDACTED_DIR", str(self.redacted_dir))
        # The review console writes the same audit store, and its queue beside it.
        env.setdefault("POSTGUARD_REVIEW_CONSOLE_AUDIT_URL", env["POSTGUARD_POLICY_DECISION_AUDIT_URL"])
        env.setdefault("POSTGUARD_REVIEW_CONSOLE_REVIEW_STORE_URL", str(self.run_dir / "review.sqlite3"))
        env.update(self.env)
        if name != spec.name:  # a further replica: its own faust data directory
            env[f"{spec.env_prefix}DATA_DIR"] = str(self.run_dir / name)
        return env

    # --- lifecycle -------------------------------------------------------------------------------

    def start_service(self, name: str) -> None:
        """Launch ``postguard serve <name>`` (log and pid file under ``run_dir``)."""
        if name in self.processes and self.processes[name].poll() is None:
            return
        log = open(self.log_path(name), "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            [sys.executable, "-m", "postguard.cli", "serve", self.service_of[name]],
            env=self.service_env(name),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=self.detach,
        )
        log.close()
        self.processes[name] = proc
        (self.run_dir / f"{name}.pid").write_text(f"{proc.pid}\n")

    def wait_healthy(self, names: Iterable[str], timeout: float = 180.0) -> None:
        """Block until every named service answers SERVING, or raise with the log tail of the laggard."""
        pending = list(names)
        deadline = time.monotonic() + timeout
        while pending:
            for name in list(pending):
                proc = self.processes.get(name)
                if proc is not None and proc.poll() is not None:
                    raise StackError(
                        f"{name} exited with code {proc.returncode}:\n{tail(self.log_path(name))}"
                    )
                spec = SPECS[self.service_of[name]]
                target = self.grpc_target(name)
                if http_healthy(target, spec.http_health) if spec.http_health else grpc_healthy(target):
                    pending.remove(name)
            if pending and time.monotonic() > deadline:
                name = pending[0]
                raise StackError(f"{name} not healthy after {timeout:.0f}s:\n{tail(self.log_path(name))}")
            if pending:
                time.sleep(0.3)

    def start(self, names: Iterable[str] | None = None, timeout: float = 180.0) -> LocalStack:
        """Create the topics, start the services (all at once) and wait until they are healthy.

        ``names`` are services (all their replicas start) or single instance names."""
        ensure_topics(self.bootstrap_servers, self.partitions)
        wanted: list[str] = []
        for name in list(names) if names is not None else [s.name for s in SERVICES]:
            wanted += self.instances(name) if name in SPECS else [name]
        for name in wanted:
            self.start_service(name)
        try:
            self.wait_healthy(wanted, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop_service(self, name: str, timeout: float = 20.0) -> None:
        """SIGTERM the service (graceful), SIGKILL after ``timeout``."""
        proc = self.processes.pop(name, None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        (self.run_dir / f"{name}.pid").unlink(missing_ok=True)

    def kill_service(self, name: str) -> None:
        """SIGKILL the service (a crash: no graceful stop, no offset commit, no flush)."""
        proc = self.processes.pop(name, None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        (self.run_dir / f"{name}.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        """Stop every service this object started (ingest first, so no new posts come in)."""
        for name in self.instances():
            if name in self.processes:
                self.stop_service(name)

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- make up / make down -----------------------------------------------------------------------------


def up(run_dir: Path, kafka_port: int, partitions: int, env: Mapping[str, str]) -> int:
    """Start broker + services detached, pid files in ``run_dir``; returns once all are healthy."""
    run_dir.mkdir(parents=True, exist_ok=True)
    broker_pid_file = run_dir / "kafka.pid"
    if broker_pid_file.exists() and pid_alive(int(broker_pid_file.read_text())):
        print(f"broker already running (pid {broker_pid_file.read_text().strip()}); `make down` first")
        return 1
    broker = KafkaBroker(work_dir=run_dir / "kafka", port=kafka_port, partitions=partitions, detach=True)
    broker.start()
    assert broker.pid is not None
    broker_pid_file.write_text(f"{broker.pid}\n")
    print(f"kafka        {broker.bootstrap_servers}  (pid {broker.pid}, log {broker.log_file})")
    stack = LocalStack(
        run_dir, broker.bootstrap_servers, partitions=partitions, free_ports=False, env=env, detach=True
    )
    try:
        stack.start()
    except StackError as exc:
        print(f"stack did not come up: {exc}", file=sys.stderr)
        down(run_dir)
        return 1
    for spec in SERVICES:
        print(
            f"{spec.name:<22} grpc {stack.grpc_target(spec.name)}  metrics {stack.metrics_url(spec.name)}"
            f"  (pid {stack.processes[spec.name].pid}, log {stack.log_path(spec.name)})"
        )
    print(
        f"screen through it: postguard screen --via grpc://{stack.grpc_target('ingest')} --input <file.jsonl>"
    )
    return 0


def down(run_dir: Path) -> int:
    """Stop what ``up`` started (services first, then the broker) using the pid files."""
    for name in [*(s.name for s in SERVICES), "kafka"]:
        pid_file = run_dir / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text())
        stopped = stop_pid(pid, timeout=30.0)
        print(f"{name:<22} {'stopped' if stopped else 'was not running'} (pid {pid})")
        pid_file.unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m postguard.devtools.stack {up,down}``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "down"])
    parser.add_argument("--run-dir", type=Path, default=Path("run"), help="pid files, logs and broker data")
    parser.add_argument("--kafka-port", type=int, default=9092, help="broker port on 127.0.0.1")
    parser.add_argument("--partitions", type=int, default=3, help="partitions of the PostGuard topics")
    args = parser.parse_args(argv)
    if args.command == "up":
        # Other POSTGUARD_* settings (deadlines, policy dir...) reach the services through the environment.
        return up(args.run_dir.resolve(), args.kafka_port, args.partitions, {})
    return down(args.run_dir.resolve())


if __name__ == "__main__":
    sys.exit(main())
