"""The test broker's pieces that need no JVM: KRaft cluster ids and the rendered server.properties."""

from __future__ import annotations

import base64
import random
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from postguard.devtools import kafka_broker
from postguard.devtools.kafka_broker import BrokerError, BrokerTls, KafkaBroker, new_cluster_id

pytestmark = pytest.mark.unit

DASH_FIRST = bytes([0xF8]) + bytes(range(1, 16))
"""16 bytes whose URL-safe base64 starts with '-' (0xF8 >> 2 == 62, the index of '-')."""
GOOD = bytes(range(16, 32))
CLUSTER_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def source(*values: bytes) -> tuple[Callable[[], bytes], list[bytes]]:
    """A random source yielding ``values`` in order, and the list of what it handed out."""
    handed: list[bytes] = []
    it: Iterator[bytes] = iter(values)

    def draw() -> bytes:
        value = next(it)
        handed.append(value)
        return value

    return draw, handed


def text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_the_fixture_bytes_really_start_with_a_dash() -> None:
    assert text(DASH_FIRST).startswith("-")
    assert not text(GOOD).startswith("-")


def test_an_id_starting_with_a_dash_is_drawn_again() -> None:
    draw, handed = source(DASH_FIRST, DASH_FIRST, GOOD)
    assert new_cluster_id(draw) == text(GOOD)
    assert handed == [DASH_FIRST, DASH_FIRST, GOOD]


def test_kafkas_reserved_ids_are_drawn_again() -> None:
    zero, metadata_topic = bytes(16), bytes(15) + b"\x01"
    draw, handed = source(zero, metadata_topic, GOOD)
    assert new_cluster_id(draw) == text(GOOD)
    assert len(handed) == 3


def test_the_default_source_is_redrawn_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """uuid4 itself yields a '-' id first (what made `make test` fail one fresh clone in 64)."""
    real = uuid.uuid4
    first = [True]

    def uuid4() -> uuid.UUID:
        if first[0]:
            first[0] = False
            return uuid.UUID(bytes=DASH_FIRST)
        return real()

    monkeypatch.setattr(kafka_broker.uuid, "uuid4", uuid4)
    cluster_id = new_cluster_id()
    assert not first[0], "the default source is uuid.uuid4"
    assert not cluster_id.startswith("-")
    assert CLUSTER_ID.match(cluster_id)


def test_many_seeded_draws_never_start_with_a_dash_and_the_redraw_was_exercised() -> None:
    rng = random.Random(20240612)
    handed: list[bytes] = []

    def draw() -> bytes:
        handed.append(rng.randbytes(16))
        return handed[-1]

    ids = [new_cluster_id(draw) for _ in range(20_000)]
    assert all(CLUSTER_ID.match(i) and not i.startswith("-") for i in ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
    redrawn = sum(text(raw).startswith("-") for raw in handed)
    assert redrawn > 100, "about one draw in 64 starts with '-': the re-draw path must have run"
    assert len(handed) == len(ids) + redrawn


def test_many_default_draws_never_start_with_a_dash() -> None:
    ids = {new_cluster_id() for _ in range(5_000)}  # the old generator fails this with p = 1 - (63/64)^5000
    assert len(ids) == 5_000
    assert not any(i.startswith("-") for i in ids)


def test_a_source_that_never_gives_a_usable_id_fails_instead_of_looping() -> None:
    with pytest.raises(BrokerError, match="not random"):
        new_cluster_id(lambda: DASH_FIRST, max_draws=50)
    with pytest.raises(ValueError, match="16 bytes"):
        new_cluster_id(lambda: b"short")


# --- server.properties ---------------------------------------------------------------------------

PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIBfake\nline2==\n-----END CERTIFICATE-----\n"
PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIGHfake\n-----END PRIVATE KEY-----\n"


def java_properties(path: Path) -> dict[str, str]:
    """What java.util.Properties reads from the simple ``key=value`` lines the broker writes."""
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        out[key] = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
    return out


@pytest.fixture
def tls_files(tmp_path: Path) -> BrokerTls:
    (tmp_path / "broker.pem").write_text(PEM_CERT)
    (tmp_path / "broker.key").write_text(PEM_KEY)
    (tmp_path / "ca.pem").write_text(PEM_CERT)
    return BrokerTls(cert_chain=tmp_path / "broker.pem", key=tmp_path / "broker.key", ca=tmp_path / "ca.pem")


def test_tls_adds_ssl_and_sasl_ssl_listeners_on_loopback(tmp_path: Path, tls_files: BrokerTls) -> None:
    broker = KafkaBroker(work_dir=tmp_path / "kafka", tls=tls_files, sasl_users={"u": "p"})
    props = java_properties(broker._write_config())
    listeners = props["listeners"].split(",")
    assert f"SSL://127.0.0.1:{broker.ssl_port}" in listeners
    assert f"SASL_SSL://127.0.0.1:{broker.sasl_ssl_port}" in listeners
    assert f"SASL_PLAINTEXT://127.0.0.1:{broker.sasl_port}" in listeners
    assert "0.0.0.0" not in props["listeners"] + props["advertised.listeners"]
    assert {"SSL:SSL", "SASL_SSL:SASL_SSL"} <= set(props["listener.security.protocol.map"].split(","))
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert broker.ssl_bootstrap_servers == f"127.0.0.1:{broker.ssl_port}"
    assert broker.sasl_ssl_bootstrap_servers == f"127.0.0.1:{broker.sasl_ssl_port}"
    # mutual TLS on the SSL listener only; SASL authenticates on SASL_SSL
    assert props["listener.name.ssl.ssl.client.auth"] == "required"
    assert props["ssl.client.auth"] == "none"
    for listener in ("sasl_plaintext", "sasl_ssl"):
        assert 'user_u="p"' in props[f"listener.name.{listener}.plain.sasl.jaas.config"]
        assert "ScramLoginModule" in props[f"listener.name.{listener}.scram-sha-512.sasl.jaas.config"]


def test_pem_blocks_survive_the_properties_file(tmp_path: Path, tls_files: BrokerTls) -> None:
    broker = KafkaBroker(work_dir=tmp_path / "kafka", tls=tls_files)
    config = broker._write_config()
    assert "\n-----END" not in config.read_text(), "each property must stay on one line"
    props = java_properties(config)
    assert props["ssl.keystore.type"] == props["ssl.truststore.type"] == "PEM"
    assert props["ssl.keystore.certificate.chain"] == PEM_CERT.strip()
    assert props["ssl.keystore.key"] == PEM_KEY.strip()
    assert props["ssl.truststore.certificates"] == PEM_CERT.strip()
    assert config.stat().st_mode & 0o077 == 0, "server.properties holds the broker key: owner only"
    assert "SASL_SSL" not in props["listeners"]  # no SASL users, no SASL_SSL listener


def test_without_tls_there_is_no_tls_listener(tmp_path: Path) -> None:
    broker = KafkaBroker(work_dir=tmp_path / "kafka")
    assert "SSL" not in java_properties(broker._write_config())["listeners"]
    with pytest.raises(BrokerError, match="no SSL listener"):
        _ = broker.ssl_bootstrap_servers
    with pytest.raises(BrokerError, match="SASL_SSL listener needs"):
        _ = broker.sasl_ssl_bootstrap_servers


def test_a_key_kafka_cannot_read_is_refused_before_the_jvm_starts(
    tmp_path: Path, tls_files: BrokerTls
) -> None:
    (tmp_path / "ec.key").write_text(PEM_KEY.replace("PRIVATE KEY", "EC PRIVATE KEY"))
    broker = KafkaBroker(
        work_dir=tmp_path / "kafka",
        tls=BrokerTls(cert_chain=tls_files.cert_chain, key=tmp_path / "ec.key", ca=tls_files.ca),
    )
    with pytest.raises(BrokerError, match="PKCS#8"):
        broker._write_config()


def test_client_auth_is_configurable(tmp_path: Path, tls_files: BrokerTls) -> None:
    tls = BrokerTls(cert_chain=tls_files.cert_chain, key=tls_files.key, ca=tls_files.ca, client_auth="none")
    props = java_properties(KafkaBroker(work_dir=tmp_path / "kafka", tls=tls)._write_config())
    assert props["listener.name.ssl.ssl.client.auth"] == "none"
