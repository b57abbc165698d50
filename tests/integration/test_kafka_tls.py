"""Kafka over TLS on a real broker, with certificates made here: SASL_SSL and mutual TLS (SSL listener).

Topics, the ingest publisher and decision follower and a real service process (faust on aiokafka plus
kafka-python admin) run over SASL_SSL and over mutual TLS with nothing but ``POSTGUARD_KAFKA_*``
settings. A client that does not trust the CA, a client without a certificate (or with one from another
CA) on the mutual-TLS listener and a TLS client on the PLAINTEXT port get a ``KafkaTlsError`` naming the
reason at once, never a silent 30 s bootstrap timeout.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509  # a dev dependency: the certificates are made here, none is checked in
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from postguard.core import topics
from postguard.core.codec import (
    decode_key,
    decode_post,
    decode_stage_result,
    encode,
    post_from_proto,
)
from postguard.core.kafka_admin import ensure_topics
from postguard.core.kafka_security import (
    KafkaLoginError,
    KafkaTlsError,
    connect_kafka,
    kafka_python_options,
    preflight,
)
from postguard.core.settings import CommonSettings
from postguard.devtools.kafka_broker import BrokerTls, KafkaBroker, fetch_jars
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Decision, Verdict
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.follower import DecisionFollower
from postguard.ingest.publisher import PostPublisher
from stack_support import IDENTIFIER_TEXT, make_post, new_id

pytestmark = pytest.mark.integration

USER, PASSWORD = "postguard", "pg-tls-secret"
PARTITIONS = 2


# --- a throw-away PKI ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """A PEM certificate and its unencrypted PKCS#8 PEM key on disk."""

    cert: Path
    key: Path


class TestCa:
    """A self-signed CA (EC P-256) that issues leaf certificates into ``root``."""

    __test__ = False  # not a test class

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.files = _write(root / "ca", self._cert, self._key)

    def issue(
        self, name: str, common_name: str, *, hosts: tuple[str, ...] = (), client: bool = False
    ) -> Issued:
        """A leaf for ``hosts`` (DNS names / IPs, server auth) or a client certificate (client auth)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
        )
        if hosts:
            names: list[x509.GeneralName] = []
            for host in hosts:
                try:
                    names.append(x509.IPAddress(ipaddress.ip_address(host)))
                except ValueError:
                    names.append(x509.DNSName(host))
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return _write(self.root / name, builder.sign(self._key, hashes.SHA256()), key)


def _write(stem: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Issued:
    stem.parent.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = stem.with_suffix(".pem"), stem.with_suffix(".key")
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    return Issued(cert_file, key_file)


@dataclass(frozen=True)
class Pki:
    ca: Issued
    broker: Issued
    client: Issued
    rogue_ca: Issued
    rogue_client: Issued


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = tmp_path_factory.mktemp("kafka-pki")
    ca = TestCa(root / "ca", "PostGuard Kafka Test CA")
    rogue = TestCa(root / "rogue", "Rogue CA")
    return Pki(
        ca=ca.files,
        broker=ca.issue("broker", "kafka-broker", hosts=("127.0.0.1", "localhost")),
        client=ca.issue("client", "postguard-client", client=True),
        rogue_ca=rogue.files,
        rogue_client=rogue.issue("client", "postguard-client", client=True),
    )


# --- broker and settings ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broker(pki: Pki) -> Iterator[KafkaBroker]:
    """PLAINTEXT, SASL_PLAINTEXT, SASL_SSL and SSL (client certificate required) listeners."""
    fetch_jars()
    tls = BrokerTls(cert_chain=pki.broker.cert, key=pki.broker.key, ca=pki.ca.cert, client_auth="required")
    with KafkaBroker(partitions=PARTITIONS, sasl_users={USER: PASSWORD}, tls=tls) as b:
        yield b


def sasl_ssl_env(broker: KafkaBroker, cafile: Path, mechanism: str = "SCRAM-SHA-512") -> dict[str, str]:
    """What an operator sets for SASL_SSL (POSTGUARD_* environment variables)."""
    return {
        "POSTGUARD_KAFKA_BOOTSTRAP_SERVERS": broker.sasl_ssl_bootstrap_servers,
        "POSTGUARD_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "POSTGUARD_KAFKA_SASL_MECHANISM": mechanism,
        "POSTGUARD_KAFKA_SASL_USERNAME": USER,
        "POSTGUARD_KAFKA_SASL_PASSWORD": PASSWORD,
        "POSTGUARD_KAFKA_SSL_CAFILE": str(cafile),
    }


def mtls_env(broker: KafkaBroker, cafile: Path, client: Issued | None) -> dict[str, str]:
    """What an operator sets for mutual TLS (the SSL listener)."""
    env = {
        "POSTGUARD_KAFKA_BOOTSTRAP_SERVERS": broker.ssl_bootstrap_servers,
        "POSTGUARD_KAFKA_SECURITY_PROTOCOL": "SSL",
        "POSTGUARD_KAFKA_SSL_CAFILE": str(cafile),
    }
    if client is not None:
        env["POSTGUARD_KAFKA_SSL_CERTFILE"] = str(client.cert)
        env["POSTGUARD_KAFKA_SSL_KEYFILE"] = str(client.key)
    return env


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> CommonSettings:
    """CommonSettings read from the environment, as a service reads them."""
    for name in [n for n in os.environ if n.startswith("POSTGUARD_KAFKA_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return CommonSettings(_env_file=None, topic_partitions=PARTITIONS)


class NeverCalled:
    """A client factory counting whether ``connect_kafka`` got as far as starting kafka-python."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **kwargs: Any) -> KafkaAdminClient:
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


def read_all(
    bootstrap: str, topic: str, options: dict, until: Callable[[list], bool], timeout: float = 60.0
) -> list:
    """Records of ``topic`` from offset 0 (no group) until ``until(records)`` holds."""
    consumer = connect_kafka(
        KafkaConsumer, options, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
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


def decision_for(post_id: str, institution_id: str) -> Decision:
    return Decision(
        post_id=post_id,
        institution_id=institution_id,
        verdict=Verdict.ALLOW,
        findings=(),
        reasons=(),
        redacted_text="",
        policy_id="default",
        policy_version="1",
        text_sha256="0" * 64,
    )


# --- what works ------------------------------------------------------------------------------------


def test_broker_has_tls_listeners_on_loopback_only(broker: KafkaBroker) -> None:
    config = (broker.work_dir / "server.properties").read_text()
    assert f"SSL://127.0.0.1:{broker.ssl_port}" in config
    assert f"SASL_SSL://127.0.0.1:{broker.sasl_ssl_port}" in config
    assert "listener.name.ssl.ssl.client.auth=required" in config
    assert "0.0.0.0" not in config


def test_ensure_topics_over_sasl_ssl(broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    common = settings_from(sasl_ssl_env(broker, pki.ca.cert), monkeypatch)
    options = kafka_python_options(common)
    assert options["security_protocol"] == "SASL_SSL" and options["ssl_context"].check_hostname
    assert preflight(common.kafka_bootstrap_servers, options) is True
    ensure_topics(common.kafka_bootstrap_servers, PARTITIONS, client_options=options)
    assert ensure_topics(common.kafka_bootstrap_servers, PARTITIONS, client_options=options) == []
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)  # the PLAINTEXT listener
    try:
        assert set(topics.ALL_TOPICS) <= set(admin.list_topics())
    finally:
        admin.close()


@pytest.mark.parametrize("transport", ["SASL_SSL", "mTLS"])
def test_ingest_publisher_and_decision_follower_over_tls(
    broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    env = (
        sasl_ssl_env(broker, pki.ca.cert, mechanism="PLAIN")
        if transport == "SASL_SSL"
        else mtls_env(broker, pki.ca.cert, pki.client)
    )
    common = settings_from(env, monkeypatch)
    options = kafka_python_options(common)
    bootstrap = common.kafka_bootstrap_servers
    ensure_topics(bootstrap, PARTITIONS, client_options=options)
    post = post_from_proto(make_post("Fun run on Saturday!", post_id=new_id(f"tls-{transport}")))
    publisher = PostPublisher(bootstrap, client_options=options)
    try:
        partition, offset = publisher.publish(post, timeout=30)
    finally:
        publisher.close()
    records = read_all(
        bootstrap, topics.POSTS, options, until=lambda rs: any(decode_key(r.key) == post.post_id for r in rs)
    )
    mine = next(r for r in records if decode_key(r.key) == post.post_id)
    assert (mine.partition, mine.offset) == (partition, offset)
    assert decode_post(mine.value).text == post.text

    producer = connect_kafka(KafkaProducer, options, bootstrap_servers=bootstrap, acks="all")
    try:
        value = encode(decision_for(post.post_id, post.institution_id))
        producer.send(topics.DECISIONS, key=post.post_id.encode(), value=value).get(timeout=30)
    finally:
        producer.close()
    book = RecordingBook()
    follower = DecisionFollower(bootstrap, book, client_options=options).start()
    try:
        # Caught up = every decision up to the end offsets seen at start is in the book, ours included.
        assert follower.caught_up.wait(60)
    finally:
        follower.stop()
    assert [d.verdict for d in book.seen if d.post_id == post.post_id] == [Verdict.ALLOW]


@pytest.mark.parametrize("transport", ["SASL_SSL", "mTLS"])
def test_identifier_detection_service_screens_a_post_over_tls(
    broker: KafkaBroker, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    """The real service process, configured only through POSTGUARD_KAFKA_* (faust gets the ssl_context)."""
    env = (
        sasl_ssl_env(broker, pki.ca.cert)
        if transport == "SASL_SSL"
        else mtls_env(broker, pki.ca.cert, pki.client)
    )
    options = kafka_python_options(settings_from(env, monkeypatch))
    bootstrap = env["POSTGUARD_KAFKA_BOOTSTRAP_SERVERS"]
    ensure_topics(bootstrap, PARTITIONS, client_options=options)
    stack = LocalStack(
        tmp_path,
        bootstrap,
        partitions=PARTITIONS,
        env={**env, "POSTGUARD_IDENTIFIER_DETECTION_DATA_DIR": str(tmp_path / "faust")},
    )
    stack.start_service("identifier-detection")
    try:
        stack.wait_healthy(["identifier-detection"], timeout=120)
        post = post_from_proto(make_post(IDENTIFIER_TEXT, post_id=new_id(f"tls-detect-{transport}")))
        publisher = PostPublisher(bootstrap, client_options=options)
        try:
            publisher.publish(post, timeout=30)
        finally:
            publisher.close()
        records = read_all(
            bootstrap,
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
    log = stack.log_path("identifier-detection").read_text(errors="replace")
    assert PASSWORD not in log
    assert "-----BEGIN" not in log


# --- what is refused, and how -----------------------------------------------------------------------


def test_a_client_that_does_not_trust_the_ca_is_refused_at_once(
    broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = NeverCalled()
    for cafile in (pki.rogue_ca.cert, None):  # another CA, and the system trust store
        env = sasl_ssl_env(broker, pki.rogue_ca.cert)
        if cafile is None:
            del env["POSTGUARD_KAFKA_SSL_CAFILE"]
        options = kafka_python_options(settings_from(env, monkeypatch))
        with pytest.raises(KafkaTlsError, match="broker certificate refused") as info:
            connect_kafka(factory, options, bootstrap_servers=broker.sasl_ssl_bootstrap_servers)
        assert "certificate verify failed" in str(info.value)
        assert "POSTGUARD_KAFKA_SSL_CAFILE" in str(info.value)
        assert PASSWORD not in str(info.value)
    assert factory.calls == 0, "refused by the preflight, before kafka-python's bootstrap retries"
    with pytest.raises(KafkaTlsError, match="broker certificate refused"):
        PostPublisher(broker.sasl_ssl_bootstrap_servers, client_options=options)


def test_a_wrong_password_over_sasl_ssl_is_a_login_error_not_a_tls_one(
    broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**sasl_ssl_env(broker, pki.ca.cert), "POSTGUARD_KAFKA_SASL_PASSWORD": "not-the-password"}
    options = kafka_python_options(settings_from(env, monkeypatch))
    factory = NeverCalled()
    with pytest.raises(
        KafkaLoginError, match="refused the SASL SCRAM-SHA-512 login of user 'postguard'"
    ) as info:
        connect_kafka(factory, options, bootstrap_servers=broker.sasl_ssl_bootstrap_servers)
    assert "not-the-password" not in str(info.value)
    assert factory.calls == 0


def test_mutual_tls_refuses_a_client_without_a_certificate(
    broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = kafka_python_options(settings_from(mtls_env(broker, pki.ca.cert, None), monkeypatch))
    factory = NeverCalled()
    with pytest.raises(KafkaTlsError, match="refused the client certificate") as info:
        connect_kafka(factory, options, bootstrap_servers=broker.ssl_bootstrap_servers)
    assert "POSTGUARD_KAFKA_SSL_CERTFILE" in str(info.value)
    assert factory.calls == 0


def test_mutual_tls_refuses_a_certificate_from_another_ca(
    broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = kafka_python_options(
        settings_from(mtls_env(broker, pki.ca.cert, pki.rogue_client), monkeypatch)
    )
    factory = NeverCalled()
    with pytest.raises(KafkaTlsError, match="refused the client certificate"):
        connect_kafka(factory, options, bootstrap_servers=broker.ssl_bootstrap_servers)
    assert factory.calls == 0


def test_tls_towards_the_plaintext_port_is_named_as_such(
    broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        **mtls_env(broker, pki.ca.cert, pki.client),
        "POSTGUARD_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
    }
    options = kafka_python_options(settings_from(env, monkeypatch))
    with pytest.raises(KafkaTlsError, match="is this a TLS"):
        connect_kafka(NeverCalled(), options, bootstrap_servers=broker.bootstrap_servers)


def test_tls_without_sasl_on_the_sasl_ssl_listener_is_told_to_log_in(
    broker: KafkaBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SASL_SSL listener answers ApiVersions, then drops the client: named, not a bootstrap timeout."""
    env = {
        **mtls_env(broker, pki.ca.cert, pki.client),
        "POSTGUARD_KAFKA_BOOTSTRAP_SERVERS": broker.sasl_ssl_bootstrap_servers,
    }
    options = kafka_python_options(settings_from(env, monkeypatch))
    factory = NeverCalled()
    with pytest.raises(KafkaLoginError, match="the listener wants a SASL login"):
        connect_kafka(factory, options, bootstrap_servers=broker.sasl_ssl_bootstrap_servers)
    assert factory.calls == 0


def test_a_service_that_does_not_trust_the_ca_exits_at_start_up_saying_why(
    broker: KafkaBroker, pki: Pki, tmp_path: Path
) -> None:
    env = {
        **sasl_ssl_env(broker, pki.rogue_ca.cert),
        "POSTGUARD_IDENTIFIER_DETECTION_DATA_DIR": str(tmp_path / "faust"),
    }
    stack = LocalStack(tmp_path, broker.sasl_ssl_bootstrap_servers, partitions=PARTITIONS, env=env)
    stack.start_service("identifier-detection")
    proc = stack.processes["identifier-detection"]
    try:
        code = proc.wait(timeout=90)  # a bound against a hang, not a speed assertion
    finally:
        stack.stop()
    log = stack.log_path("identifier-detection").read_text(errors="replace")
    assert code != 0
    assert "KafkaTlsError" in log and "broker certificate refused" in log, log[-2000:]
    assert PASSWORD not in log
