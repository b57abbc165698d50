"""gRPC TLS: settings, start-up checks naming the setting and path, and real TLS / mTLS handshakes.

Certificates are made in the test (``pki`` fixture, tests/tls_support.py); servers listen on loopback.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from postguard.core.grpc_server import GrpcServer, build_grpc_server
from postguard.core.grpc_tls import (
    CertificateReloader,
    GrpcTlsError,
    ServerTls,
    channel_credentials,
    load_server_tls,
    server_tls_from_settings,
)
from postguard.core.settings import CommonSettings
from postguard.remote import ClientSecurity, open_channel, parse_target
from pydantic import ValidationError
from tls_support import CertFiles, Pki

pytestmark = pytest.mark.unit

NAME = "postguard.v1.IdentifierDetection"


def _serve(tls: ServerTls | None, *, health_port: int | None = None) -> GrpcServer:
    return build_grpc_server(
        0,
        lambda s: None,
        [NAME],
        max_workers=2,
        metrics_service="identifier-detection",
        bind_address="127.0.0.1",
        tls=tls,
        health_port=health_port,
    ).start()


def _check(channel: grpc.Channel, timeout: float = 5.0) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    return stub.Check(health_pb2.HealthCheckRequest(service=NAME), timeout=timeout).status


def _refused(channel: grpc.Channel) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        _check(channel, timeout=3.0)
    return info.value


def _client_creds(pki: Pki, client: CertFiles | None = None) -> grpc.ChannelCredentials:
    if client is None:
        return grpc.ssl_channel_credentials(pki.ca.cert_pem)
    return grpc.ssl_channel_credentials(pki.ca.cert_pem, client.key_pem, client.cert_pem)


@pytest.fixture
def tls_server(pki: Pki) -> Iterator[GrpcServer]:
    server = _serve(ServerTls(pki.server.cert, pki.server.key))
    yield server
    server.stop(0.2)


@pytest.fixture
def mtls_server(pki: Pki) -> Iterator[GrpcServer]:
    server = _serve(ServerTls(pki.server.cert, pki.server.key, pki.ca.cert))
    yield server
    server.stop(0.2)


# --- settings ---------------------------------------------------------------------------------------


def test_plaintext_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("CERT_FILE", "KEY_FILE", "CLIENT_CA_FILE", "REQUIRE_CLIENT_CERT"):
        monkeypatch.delenv(f"POSTGUARD_GRPC_TLS_{var}", raising=False)
    common = CommonSettings()
    assert server_tls_from_settings(common) is None
    assert not common.grpc_uses_tls and common.grpc_health_port is None


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, pki: Pki) -> None:
    monkeypatch.setenv("POSTGUARD_GRPC_TLS_CERT_FILE", str(pki.server.cert))
    monkeypatch.setenv("POSTGUARD_GRPC_TLS_KEY_FILE", str(pki.server.key))
    monkeypatch.setenv("POSTGUARD_GRPC_TLS_CLIENT_CA_FILE", str(pki.ca.cert))
    common = CommonSettings()
    tls = server_tls_from_settings(common)
    assert tls == ServerTls(pki.server.cert, pki.server.key, pki.ca.cert)
    assert tls.mutual and common.grpc_requires_client_cert


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CERT_FILE": "/x.crt"}, "POSTGUARD_GRPC_TLS_CERT_FILE and POSTGUARD_GRPC_TLS_KEY_FILE go together"),
        ({"KEY_FILE": "/x.key"}, "POSTGUARD_GRPC_TLS_CERT_FILE and POSTGUARD_GRPC_TLS_KEY_FILE go together"),
        ({"CLIENT_CA_FILE": "/ca.crt"}, "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE (mutual TLS) needs"),
        (
            {"CERT_FILE": "/x.crt", "KEY_FILE": "/x.key", "REQUIRE_CLIENT_CERT": "true"},
            "POSTGUARD_GRPC_TLS_REQUIRE_CLIENT_CERT=true needs POSTGUARD_GRPC_TLS_CLIENT_CA_FILE",
        ),
        (
            {
                "CERT_FILE": "/x.crt",
                "KEY_FILE": "/x.key",
                "CLIENT_CA_FILE": "/ca",
                "REQUIRE_CLIENT_CERT": "0",
            },
            "grpcio only verifies client certificates it requires",
        ),
    ],
)
def test_inconsistent_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(f"POSTGUARD_GRPC_TLS_{key}", value)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CommonSettings()


# --- start-up checks of the files ------------------------------------------------------------------


def _encrypted_copy(key: Path, target: Path) -> Path:
    from cryptography.hazmat.primitives import serialization

    loaded = serialization.load_pem_private_key(key.read_bytes(), password=None)
    target.write_bytes(
        loaded.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    return target


def test_good_files_load(pki: Pki) -> None:
    material = load_server_tls(ServerTls(pki.server.cert, pki.server.key, pki.ca.cert))
    assert material.cert_chain == pki.server.cert_pem and material.client_ca == pki.ca.cert_pem


@pytest.mark.parametrize(
    "case",
    [
        "missing cert",
        "missing key",
        "missing ca",
        "empty cert",
        "cert is a directory",
        "key in cert file",
        "cert in key file",
        "encrypted key",
        "key of another cert",
        "leaf as client ca",
        "garbage cert",
    ],
)
def test_bad_files_are_named_with_their_setting_and_path(case: str, pki: Pki, tmp_path: Path) -> None:
    cert, key, ca = pki.server.cert, pki.server.key, pki.ca.cert
    other = pki.client("someone-else")
    bad = tmp_path / "bad.pem"
    setting, path, fragment = "", bad, ""
    if case == "missing cert":
        cert, setting, path, fragment = bad, "POSTGUARD_GRPC_TLS_CERT_FILE", bad, "no such file"
    elif case == "missing key":
        key, setting, path, fragment = bad, "POSTGUARD_GRPC_TLS_KEY_FILE", bad, "no such file"
    elif case == "missing ca":
        ca, setting, path, fragment = bad, "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE", bad, "no such file"
    elif case == "empty cert":
        bad.write_text("\n")
        cert, setting, fragment = bad, "POSTGUARD_GRPC_TLS_CERT_FILE", "the file is empty"
    elif case == "cert is a directory":
        cert, setting, path, fragment = tmp_path, "POSTGUARD_GRPC_TLS_CERT_FILE", tmp_path, "is a directory"
    elif case == "key in cert file":
        shutil.copy(pki.server.key, bad)
        cert, setting, fragment = bad, "POSTGUARD_GRPC_TLS_CERT_FILE", "found a private key"
    elif case == "cert in key file":
        shutil.copy(pki.server.cert, bad)
        key, setting, fragment = bad, "POSTGUARD_GRPC_TLS_KEY_FILE", "found a certificate"
    elif case == "encrypted key":
        key = _encrypted_copy(pki.server.key, bad)
        setting, fragment = "POSTGUARD_GRPC_TLS_KEY_FILE", "the private key is encrypted"
    elif case == "key of another cert":
        key, path = other.key, other.key
        setting, fragment = "POSTGUARD_GRPC_TLS_KEY_FILE", "does not belong to the certificate in"
    elif case == "leaf as client ca":
        ca, path = other.cert, other.cert
        setting, fragment = "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE", "holds no CA certificate"
    elif case == "garbage cert":
        bad.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
        cert, setting, fragment = bad, "POSTGUARD_GRPC_TLS_CERT_FILE", "not a usable certificate and key"
    with pytest.raises(GrpcTlsError) as info:
        load_server_tls(ServerTls(cert, key, ca))
    message = str(info.value)
    assert f"{setting}={path}" in message, message
    assert fragment in message, message


def test_build_grpc_server_checks_the_files_before_binding(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(GrpcTlsError, match=r"POSTGUARD_GRPC_TLS_KEY_FILE=.*no such file"):
        _serve(ServerTls(pki.server.cert, tmp_path / "nope.key"))


# --- real handshakes --------------------------------------------------------------------------------


def test_plaintext_server_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="postguard.core.grpc_server"):
        server = _serve(None)
    try:
        assert server.security == "plaintext"
        assert any("gRPC is plaintext" in r.getMessage() for r in caplog.records)
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            assert _check(channel) == health_pb2.HealthCheckResponse.SERVING
    finally:
        server.stop(0.2)


def test_tls_server_refuses_plaintext_and_serves_tls(tls_server: GrpcServer, pki: Pki) -> None:
    assert tls_server.security == "tls"
    with grpc.insecure_channel(f"127.0.0.1:{tls_server.port}") as channel:
        assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE
    for host in ("localhost", "127.0.0.1"):  # both are in the certificate's SAN
        with grpc.secure_channel(f"{host}:{tls_server.port}", _client_creds(pki)) as channel:
            assert _check(channel) == health_pb2.HealthCheckResponse.SERVING


def test_tls_client_refuses_a_server_of_another_ca(tls_server: GrpcServer, rogue_pki: Pki) -> None:
    with grpc.secure_channel(f"localhost:{tls_server.port}", _client_creds(rogue_pki)) as channel:
        assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE


def test_mtls_requires_a_client_certificate_of_the_trusted_ca(
    mtls_server: GrpcServer, pki: Pki, rogue_pki: Pki
) -> None:
    assert mtls_server.security == "mtls"
    target = f"localhost:{mtls_server.port}"
    with grpc.insecure_channel(target) as channel:
        assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE
    with grpc.secure_channel(target, _client_creds(pki)) as channel:
        assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE, "no client certificate"
    rogue = rogue_pki.client("comms-a")
    creds = grpc.ssl_channel_credentials(pki.ca.cert_pem, rogue.key_pem, rogue.cert_pem)
    with grpc.secure_channel(target, creds) as channel:
        assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE, "certificate of an untrusted CA"
    with grpc.secure_channel(target, _client_creds(pki, pki.client("comms-a"))) as channel:
        assert _check(channel) == health_pb2.HealthCheckResponse.SERVING


def test_health_port_is_plaintext_and_serves_health_only(pki: Pki) -> None:
    server = _serve(ServerTls(pki.server.cert, pki.server.key, pki.ca.cert), health_port=0)
    try:
        assert server.health_port and server.health_port != server.port
        with grpc.insecure_channel(f"127.0.0.1:{server.health_port}") as channel:
            assert _check(channel) == health_pb2.HealthCheckResponse.SERVING
            for method in (
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                f"/{NAME}/Detect",
            ):
                with pytest.raises(grpc.RpcError) as info:
                    channel.unary_unary(method)(b"", timeout=3)
                assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED, method
            server.set_serving(False)
            assert _check(channel) == health_pb2.HealthCheckResponse.NOT_SERVING, "shares the status"
    finally:
        server.stop(0.2)
    with grpc.insecure_channel(f"127.0.0.1:{server.health_port}") as channel:
        assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE, "stopped with the server"


# --- certificate rotation ---------------------------------------------------------------------------


def _copy_pair(pair: CertFiles, cert: Path, key: Path) -> None:
    # Write to temporary names and rename, like a Kubernetes Secret update (atomic per file).
    for source, target in ((pair.cert, cert), (pair.key, key)):
        tmp = target.with_suffix(".tmp")
        shutil.copy(source, tmp)
        tmp.replace(target)


def test_rotated_certificate_is_served_to_new_connections(pki: Pki, rogue_pki: Pki, tmp_path: Path) -> None:
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    _copy_pair(pki.server, cert, key)
    server = _serve(ServerTls(cert, key))
    try:
        target = f"localhost:{server.port}"
        with grpc.secure_channel(target, _client_creds(pki)) as channel:
            assert _check(channel) == health_pb2.HealthCheckResponse.SERVING
        time.sleep(0.01)
        _copy_pair(rogue_pki.server, cert, key)  # rotated to a certificate of another CA
        with grpc.secure_channel(target, _client_creds(rogue_pki)) as channel:
            assert _check(channel) == health_pb2.HealthCheckResponse.SERVING
        with grpc.secure_channel(target, _client_creds(pki)) as channel:
            assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE, "old CA no longer matches"
    finally:
        server.stop(0.2)


def test_a_broken_rotation_keeps_the_current_certificate(
    pki: Pki, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    _copy_pair(pki.server, cert, key)
    tls = ServerTls(cert, key)
    reloader = CertificateReloader(tls, load_server_tls(tls))
    assert reloader() is None, "unchanged files: nothing to do"
    shutil.copy(pki.client("other").key, key)  # half-done rotation: key of another certificate
    with caplog.at_level("ERROR", logger="postguard.core.grpc_tls"):
        assert reloader() is None
        assert reloader() is None
    errors = [r for r in caplog.records if "not usable" in r.getMessage()]
    assert len(errors) == 1, "logged once, not on every handshake"
    assert "POSTGUARD_GRPC_TLS_KEY_FILE" in errors[0].getMessage()
    _copy_pair(pki.server, cert, key)
    assert reloader() is None, "back to the same material: no new configuration"
    assert reloader.reloads == 0


# --- client credentials -----------------------------------------------------------------------------


def test_channel_credentials_check_their_files(pki: Pki, tmp_path: Path) -> None:
    client = pki.client("comms-a")
    assert channel_credentials(ca_file=pki.ca.cert, cert_file=client.cert, key_file=client.key, token="t0k")
    with pytest.raises(GrpcTlsError, match="--tls-cert and --tls-key go together"):
        channel_credentials(ca_file=pki.ca.cert, cert_file=client.cert)
    with pytest.raises(GrpcTlsError, match=f"--tls-ca={tmp_path / 'x'}: no such file"):
        channel_credentials(ca_file=tmp_path / "x")
    with pytest.raises(GrpcTlsError, match=r"--tls-key=.*does not belong"):
        channel_credentials(cert_file=client.cert, key_file=pki.server.key)
    with pytest.raises(GrpcTlsError, match="token not shown") as info:
        channel_credentials(ca_file=pki.ca.cert, token="two words")
    assert "two words" not in str(info.value)


def test_client_security_over_plaintext_never_sends_a_token() -> None:
    with pytest.raises(ValueError, match="a bearer token is never sent in clear"):
        ClientSecurity(token="s3cret").credentials()
    assert ClientSecurity().credentials() is None
    assert ClientSecurity(token="s3cret").with_url("grpcs://h:1").uses_tls
    assert "s3cret" not in repr(ClientSecurity(token="s3cret"))


def test_grpcs_urls(pki: Pki, mtls_server: GrpcServer) -> None:
    assert parse_target("grpcs://localhost:443") == "localhost:443"
    client = pki.client("comms-a")
    security = ClientSecurity(ca_file=pki.ca.cert, cert_file=client.cert, key_file=client.key)
    with open_channel(f"grpcs://localhost:{mtls_server.port}", security) as channel:
        assert _check(channel) == health_pb2.HealthCheckResponse.SERVING


def test_tls_server_name_overrides_the_checked_name(pki: Pki) -> None:
    """Through ``kubectl port-forward`` the address (127.0.0.1) is not the certificate's name."""
    cluster = pki.leaf("cluster", "pg-postguard-ingest", server_hosts=("pg-postguard-ingest.clinical.svc",))
    server = _serve(ServerTls(cluster.cert, cluster.key))
    try:
        url = f"grpcs://127.0.0.1:{server.port}"
        with open_channel(url, ClientSecurity(ca_file=pki.ca.cert)) as channel:
            assert _refused(channel).code() == grpc.StatusCode.UNAVAILABLE, "name mismatch"
        named = ClientSecurity(ca_file=pki.ca.cert, server_name="pg-postguard-ingest.clinical.svc")
        with open_channel(url, named) as channel:
            assert _check(channel) == health_pb2.HealthCheckResponse.SERVING
    finally:
        server.stop(0.2)
