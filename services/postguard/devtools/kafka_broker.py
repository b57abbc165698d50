"""A real single-node Apache Kafka 3.9 broker (KRaft, broker + controller) run from the Maven Central jars."""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from postguard.core.kafka_admin import RECORD_OVERHEAD_BYTES
from postguard.core.settings import DEFAULT_MAX_MESSAGE_BYTES, STREAM_MESSAGE_FACTOR
from postguard.devtools.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]
"""The checkout this module lives in (``services/postguard/devtools`` -> repo root)."""


SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
"""What the SASL_PLAINTEXT listener offers (PLAIN from the JAAS line, SCRAM from the cluster metadata)."""


class BrokerError(RuntimeError):
    """The broker could not be fetched, formatted or started; the message carries the log tail."""


ClientAuth = Literal["required", "requested", "none"]


@dataclass(frozen=True)
class BrokerTls:
    """PEM files for the broker's TLS listeners (SSL, and SASL_SSL when there are SASL users).

    ``cert_chain``: the broker's certificate first, then any intermediates, for the names clients dial
    (``127.0.0.1``: an IP SAN). ``key``: its private key, unencrypted PKCS#8 (``BEGIN PRIVATE KEY``; Kafka
    reads no other key format). ``ca``: the CA certificates that sign client certificates (mutual TLS).
    ``client_auth`` is ``ssl.client.auth`` of the SSL listener; the SASL_SSL listener never asks for a
    client certificate (SASL authenticates there).
    """

    cert_chain: Path
    key: Path
    ca: Path
    client_auth: ClientAuth = "required"

    def pem_properties(self) -> dict[str, str]:
        """The broker's PEM keystore and truststore, inline (``ssl.keystore.type=PEM``, KIP-651)."""
        chain = Path(self.cert_chain).read_text()
        key = Path(self.key).read_text()
        ca = Path(self.ca).read_text()
        if "-----BEGIN CERTIFICATE-----" not in chain or "-----BEGIN CERTIFICATE-----" not in ca:
            raise BrokerError(f"{self.cert_chain} and {self.ca} must hold PEM certificates")
        if "-----BEGIN ENCRYPTED PRIVATE KEY-----" in key:
            raise BrokerError(f"{self.key}: an encrypted key needs ssl.key.password, which this broker lacks")
        if "-----BEGIN PRIVATE KEY-----" not in key:
            raise BrokerError(f"{self.key}: Kafka reads PKCS#8 PEM keys only (BEGIN PRIVATE KEY)")
        if self.client_auth not in ("required", "requested", "none"):
            raise ValueError(f"client_auth must be required, requested or none, not {self.client_auth!r}")
        return {
            "ssl.keystore.type": "PEM",
            "ssl.keystore.certificate.chain": chain.strip(),
            "ssl.keystore.key": key.strip(),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.certificates": ca.strip(),
            "ssl.client.auth": "none",
            "listener.name.ssl.ssl.client.auth": self.client_auth,
        }


def default_libs_dir() -> Path:
    """Where ``make kafka-jars`` puts the jars: ``$POSTGUARD_KAFKA_LIBS`` or ``<repo>/.cache/kafka/libs``."""
    env = os.environ.get("POSTGUARD_KAFKA_LIBS")
    if env:
        return Path(env)
    cache = Path(os.environ.get("CACHE_DIR", REPO_ROOT / ".cache"))
    return cache / "kafka" / "libs"


KAFKA_POM = REPO_ROOT / "mk" / "kafka" / "pom.xml"
"""The pom listing the broker's Maven Central artifacts (also used by ``make kafka-jars``)."""


def fetch_jars(libs_dir: Path | None = None, *, pom: Path = KAFKA_POM, timeout: float = 900.0) -> Path:
    """Download the broker jars with ``mvn dependency:copy-dependencies`` unless already there (same as
    ``make kafka-jars``: the local Maven repository sits next to ``libs`` so later runs are offline)."""
    libs = libs_dir or default_libs_dir()
    stamp = libs / ".fetched"
    if stamp.exists() and any(libs.glob("kafka_2.13-*.jar")):
        return libs
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError("Maven (mvn) is needed to fetch the Kafka jars: apt-get install maven")
    shutil.rmtree(libs, ignore_errors=True)
    result = subprocess.run(
        [
            *(mvn, "-B", "-q", "-f", str(pom), f"-Dmaven.repo.local={libs.parent / 'm2'}"),
            *("dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={libs}"),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise BrokerError(f"fetching the Kafka jars failed ({result.returncode}):\n{result.stdout[-3000:]}")
    stamp.touch()
    return libs


_RESERVED_UUIDS = frozenset({bytes(16), bytes(15) + b"\x01"})
"""Kafka's ``Uuid.ZERO_UUID`` and ``Uuid.METADATA_TOPIC_ID``: never handed out as random ids."""


def _random_uuid_bytes() -> bytes:
    """16 bytes of a random (version 4) UUID, like Java's ``UUID.randomUUID()`` behind Kafka's ``Uuid``."""
    return uuid.uuid4().bytes


def new_cluster_id(random_bytes: Callable[[], bytes] | None = None, *, max_draws: int = 1000) -> str:
    """A KRaft cluster id in Kafka's Uuid text form (URL-safe base64 of 16 random bytes, no padding).

    Like Kafka's ``Uuid.randomUuid()`` it draws again when the id is reserved or its text starts with
    ``-`` (one draw in 64): ``kafka-storage format -t -abc...`` would read such an id as an option.
    ``random_bytes`` (16 bytes per call) replaces the random source in tests.
    """
    draw = random_bytes or _random_uuid_bytes
    for _ in range(max_draws):
        raw = draw()
        if len(raw) != 16:
            raise ValueError(f"a Kafka Uuid has 16 bytes, the random source gave {len(raw)}")
        text = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
        if raw not in _RESERVED_UUIDS and not text.startswith("-"):
            return text
    raise BrokerError(f"no usable cluster id in {max_draws} draws: the random source is not random")


_LOG4J = """\
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={log_file}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
"""


class KafkaBroker:
    """One KRaft node listening on 127.0.0.1 only; a context manager that starts it and stops it.

    ``work_dir`` holds ``server.properties``, the data and ``broker.log``; a temporary directory (removed
    on stop) when not given. ``port=0`` picks a free port. ``detach=True`` starts the JVM in its own session
    so it outlives this Python process (``make up``); stop it later with :func:`stop_pid`.

    ``sasl_users={user: password}`` adds a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256/512 for every
    user). ``tls=BrokerTls(...)`` adds an SSL listener (client certificates per ``tls.client_auth``) and,
    with SASL users, a SASL_SSL listener. The PLAINTEXT listener always stays (inter-broker, probes).

    ``max_message_bytes`` is PostGuard's ``POSTGUARD_MAX_MESSAGE_BYTES``: the broker takes records up to
    ``STREAM_MESSAGE_FACTOR`` times it (``message.max.bytes``, ``replica.fetch.max.bytes``) so the
    join-state changelog fits; the posts topic itself is narrowed to the message limit by its topic config.
    """

    def __init__(
        self,
        *,
        work_dir: Path | None = None,
        port: int = 0,
        controller_port: int = 0,
        partitions: int = 3,
        libs_dir: Path | None = None,
        heap: str = "512m",
        startup_timeout: float = 90.0,
        detach: bool = False,
        extra_properties: Mapping[str, str] | None = None,
        sasl_users: Mapping[str, str] | None = None,
        sasl_port: int = 0,
        tls: BrokerTls | None = None,
        ssl_port: int = 0,
        sasl_ssl_port: int = 0,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.max_message_bytes = max_message_bytes
        self.libs_dir = libs_dir or default_libs_dir()
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="postguard-kafka-"))
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        self.partitions = partitions
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.detach = detach
        self.extra_properties = dict(extra_properties or {})
        self.sasl_users = dict(sasl_users or {})
        for user, password in self.sasl_users.items():
            if not _jaas_safe(user) or not _jaas_safe(password):
                raise ValueError(
                    'SASL user names and passwords must not contain spaces or any of: " \\ ; , [ ] ='
                )
        self.sasl_port = (sasl_port or free_port()) if self.sasl_users else 0
        self.tls = tls
        self.ssl_port = (ssl_port or free_port()) if tls else 0
        self.sasl_ssl_port = (sasl_ssl_port or free_port()) if tls and self.sasl_users else 0
        self.process: subprocess.Popen[bytes] | None = None

    # --- paths and configuration ------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` for clients."""
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap_servers(self) -> str:
        """``host:port`` of the SASL_PLAINTEXT listener (SASL/PLAIN with ``sasl_users``)."""
        if not self.sasl_users:
            raise BrokerError("this broker has no SASL listener: pass sasl_users={user: password}")
        return f"127.0.0.1:{self.sasl_port}"

    @property
    def ssl_bootstrap_servers(self) -> str:
        """``host:port`` of the SSL listener (``ssl.client.auth`` from ``tls.client_auth``)."""
        if not self.tls:
            raise BrokerError("this broker has no SSL listener: pass tls=BrokerTls(...)")
        return f"127.0.0.1:{self.ssl_port}"

    @property
    def sasl_ssl_bootstrap_servers(self) -> str:
        """``host:port`` of the SASL_SSL listener (TLS without client certificates, then SASL)."""
        if not (self.tls and self.sasl_users):
            raise BrokerError("a SASL_SSL listener needs both tls=BrokerTls(...) and sasl_users")
        return f"127.0.0.1:{self.sasl_ssl_port}"

    @property
    def record_limit(self) -> int:
        """``message.max.bytes``: the largest record batch any topic takes unless its config says less."""
        return STREAM_MESSAGE_FACTOR * self.max_message_bytes + RECORD_OVERHEAD_BYTES

    @property
    def log_file(self) -> Path:
        return self.work_dir / "broker.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _properties(self) -> dict[str, str]:
        listeners = [f"PLAINTEXT://127.0.0.1:{self.port}"]
        protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"]
        if self.sasl_users:
            listeners.append(f"SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}")
            protocols.append("SASL_PLAINTEXT:SASL_PLAINTEXT")
        if self.tls:
            listeners.append(f"SSL://127.0.0.1:{self.ssl_port}")
            protocols.append("SSL:SSL")
        if self.tls and self.sasl_users:
            listeners.append(f"SASL_SSL://127.0.0.1:{self.sasl_ssl_port}")
            protocols.append("SASL_SSL:SASL_SSL")
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": ",".join([*listeners, f"CONTROLLER://127.0.0.1:{self.controller_port}"]),
            "advertised.listeners": ",".join(listeners),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": ",".join(protocols),
            "log.dirs": str(self.work_dir / "data"),
            "num.partitions": str(self.partitions),
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            # 50 offset partitions by default: creating them costs seconds on 2 cores for no benefit here.
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "5",
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "4",
            "log.retention.hours": "24",
            "auto.create.topics.enable": "true",
            # Posts carry image bytes (docs/images-transport.md); Kafka's default is about 1 MiB.
            "message.max.bytes": str(self.record_limit),
            "replica.fetch.max.bytes": str(self.record_limit),
        }
        if self.sasl_users:
            props.update(self._sasl_properties())
        if self.tls:
            props.update(self.tls.pem_properties())
        props.update(self.extra_properties)
        return props

    def _sasl_listener_names(self) -> list[str]:
        names = ["sasl_plaintext"]
        if self.tls:
            names.append("sasl_ssl")
        return names

    def _sasl_properties(self) -> dict[str, str]:
        """PLAIN and SCRAM on every SASL listener; PLAIN users live in its JAAS line (kafka-clients jar)."""
        users = " ".join(f'user_{user}="{password}"' for user, password in self.sasl_users.items())
        # The broker's own identity on this listener (unused: inter-broker traffic stays on PLAINTEXT).
        first_user, first_password = next(iter(self.sasl_users.items()))
        jaas = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{first_user}" password="{first_password}" {users};'
        )
        props = {"sasl.enabled.mechanisms": ",".join(SASL_MECHANISMS)}
        for listener in self._sasl_listener_names():
            prefix = f"listener.name.{listener}"
            props[f"{prefix}.sasl.enabled.mechanisms"] = ",".join(SASL_MECHANISMS)
            props[f"{prefix}.plain.sasl.jaas.config"] = jaas
            # SCRAM users are stored in the cluster metadata (written by `kafka-storage format --add-scram`).
            for mechanism in (m for m in SASL_MECHANISMS if m.startswith("SCRAM-")):
                props[f"{prefix}.{mechanism.lower()}.sasl.jaas.config"] = (
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;"
                )
        return props

    def _scram_format_args(self) -> list[str]:
        """``--add-scram`` arguments giving every SASL user SCRAM-SHA-256 and -512 credentials."""
        args: list[str] = []
        for mechanism in (m for m in SASL_MECHANISMS if m.startswith("SCRAM-")):
            for user, password in self.sasl_users.items():
                args += ["--add-scram", f"{mechanism}=[name={user},password={password}]"]
        return args

    def _write_config(self) -> Path:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        config = self.work_dir / "server.properties"
        config.touch(mode=0o600)  # owner only before anything is written: the TLS key, the SASL passwords
        config.chmod(0o600)
        config.write_text("".join(f"{k}={_property_value(v)}\n" for k, v in self._properties().items()))
        (self.work_dir / "log4j.properties").write_text(_LOG4J.format(log_file=self.log_file))
        return config

    def _java(self, main_class: str, *args: str, heap: str) -> list[str]:
        java = shutil.which("java") or "java"
        return [
            java,
            f"-Xmx{heap}",
            "-Xms64m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1"
            if main_class.endswith("StorageTool")
            else "-XX:+UseStringDeduplication",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self.work_dir / 'log4j.properties'}",
            f"-Dkafka.logs.dir={self.work_dir}",
            "-cp",
            f"{self.libs_dir}/*",
            main_class,
            *args,
        ]

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> KafkaBroker:
        """Format KRaft storage (first start only), start the JVM and wait until the broker answers."""
        if not any(self.libs_dir.glob("kafka_2.13-*.jar")):
            raise BrokerError(f"no Kafka jars in {self.libs_dir}; run `make kafka-jars` first")
        config = self._write_config()
        if not (self.work_dir / "data" / "meta.properties").exists():
            fmt = subprocess.run(
                self._java(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    new_cluster_id(),
                    "-c",
                    str(config),
                    *self._scram_format_args(),
                    heap="256m",
                ),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if fmt.returncode != 0:
                raise BrokerError(f"kafka-storage format failed ({fmt.returncode}): {fmt.stderr[-2000:]}")
        out = open(self.work_dir / "broker.out", "ab")  # noqa: SIM115 - kept open for the JVM's lifetime
        self.process = subprocess.Popen(
            self._java("kafka.Kafka", str(config), heap=self.heap),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=self.detach,
        )
        out.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise BrokerError(
                    f"Kafka broker exited with code {self.process.returncode} during start-up:\n"
                    + self.log_tail()
                )
            if not _port_open(self.port):  # cheap check first: the client's own backoff grows to seconds
                time.sleep(0.2)
                continue
            try:
                admin = KafkaAdminClient(
                    bootstrap_servers=self.bootstrap_servers,
                    request_timeout_ms=5000,
                    client_id="postguard-probe",
                )
                try:
                    admin.list_topics()
                    return
                finally:
                    admin.close()
            except (KafkaError, OSError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.5)
        raise BrokerError(
            f"Kafka broker not ready on {self.bootstrap_servers} after {self.startup_timeout:.0f}s "
            f"({last_error}):\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` of the broker's log and stdout (for error messages)."""
        chunks = []
        for path in (self.log_file, self.work_dir / "broker.out"):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                chunks.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(chunks) or "(no broker log)"

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (controlled shutdown), SIGKILL after ``timeout``; removes a temporary work dir."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _property_value(value: str) -> str:
    """``value`` escaped for a Java properties file: one line, backslashes doubled (PEM blocks fit)."""
    return value.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")


def _jaas_safe(value: str) -> bool:
    """Whether ``value`` fits in a quoted JAAS option and in ``--add-scram`` ``[name=..,password=..]``."""
    return bool(value) and not any(c in value for c in '"\\;\n,[]= ')


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists (and is not a zombie we can see)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and ") Z " in stat.read_text(errors="replace"))


def stop_pid(pid: int, timeout: float = 20.0) -> bool:
    """SIGTERM ``pid``, SIGKILL it after ``timeout``. True when it was running."""
    if not pid_alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m postguard.devtools.kafka_broker``: run a broker in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9092, help="client port on 127.0.0.1 (0 = any free)")
    parser.add_argument("--controller-port", type=int, default=0, help="KRaft controller port (0 = free)")
    parser.add_argument("--partitions", type=int, default=3, help="num.partitions of auto-created topics")
    parser.add_argument("--work-dir", type=Path, default=None, help="data + logs (default: a temp dir)")
    parser.add_argument(
        "--sasl-user",
        action="append",
        default=[],
        metavar="USER:PASSWORD",
        help="add a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256/512) with this user; repeatable",
    )
    parser.add_argument("--sasl-port", type=int, default=0, help="SASL listener port (0 = any free)")
    args = parser.parse_args(argv)
    users = dict(entry.split(":", 1) for entry in args.sasl_user if ":" in entry)
    if len(users) != len(args.sasl_user):
        parser.error("--sasl-user takes USER:PASSWORD")
    broker = KafkaBroker(
        work_dir=args.work_dir,
        port=args.port,
        controller_port=args.controller_port,
        partitions=args.partitions,
        sasl_users=users,
        sasl_port=args.sasl_port,
    )
    stop = False

    def _on_signal(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    broker.start()
    sasl = f", SASL_PLAINTEXT (PLAIN/SCRAM) on {broker.sasl_bootstrap_servers}" if users else ""
    print(
        f"Kafka broker ready on {broker.bootstrap_servers}{sasl} (logs: {broker.log_file}); Ctrl-C stops it"
    )
    try:
        while not stop and broker.process is not None and broker.process.poll() is None:
            time.sleep(0.5)
    finally:
        broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
