"""Authentication and tenancy of the public Screening API over real TLS / mTLS on loopback.

The ingest ScreeningServicer runs in a real gRPC server built as ``postguard.ingest.service`` builds it
(``build_authorizer`` + ``build_grpc_server(tls=...)``), with a real DecisionBook; Kafka is replaced by
a publisher that decides every post at once, since what is under test is who may do what. Certificates
are made in the test (``pki`` fixture).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from postguard.cli import main
from postguard.core.grpc_server import GrpcServer, build_grpc_server
from postguard.core.grpc_tls import ServerTls
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import Decision, Post, Verdict
from postguard.ingest.auth import token_sha256
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.service import build_authorizer
from postguard.ingest.servicer import SERVICE_NAME, ScreeningServicer, add_screening_servicer
from postguard.ingest.settings import IngestSettings
from postguard.v1 import post_pb2, screening_pb2, screening_pb2_grpc
from tls_support import Pki

pytestmark = pytest.mark.integration

A, B = "demo-hospital", "riverside-clinic"
TOKEN_A = "tok-A-0c6f1d2e9b8a7f6e5d4c3b2a1908f7e6"
TOKEN_B = "tok-B-5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"
TOKEN_OPERATOR = "tok-OP-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
BAD_TOKEN = "tok-BAD-not-registered-3b2a1f0e9d8c7b6a"
TEXT = "Flu shots are available at all our clinics this week."


class InstantPublisher:
    """Stands in for Kafka: records each published post and decides it (ALLOW) at once."""

    def __init__(self, book: DecisionBook) -> None:
        self.book = book
        self.published: list[Post] = []
        self._lock = threading.Lock()

    def publish(self, post: Post, timeout: float) -> tuple[int, int]:
        with self._lock:
            self.published.append(post)
            offset = len(self.published)
        self.book.record(
            Decision(
                post_id=post.post_id,
                institution_id=post.institution_id,
                verdict=Verdict.ALLOW,
                findings=(),
                reasons=(),
                redacted_text=post.text,
                policy_id="test",
                policy_version="1",
                text_sha256=post.text_sha256,
                decided_at="2026-01-01T00:00:00Z",
            )
        )
        return 0, offset

    def close(self, timeout: float = 5.0) -> None:
        pass


@dataclass
class Ingest:
    server: GrpcServer
    book: DecisionBook
    publisher: InstantPublisher

    @property
    def target(self) -> str:
        return f"localhost:{self.server.port}"


def _credentials_file(path: Path) -> Path:
    clients = [
        {
            "name": "comms-a",
            "institutions": [A],
            "certificate_identities": ["comms-a"],  # subject CN
            "token_sha256": [token_sha256(TOKEN_A)],
        },
        {
            "name": "comms-b",
            "institutions": [B],
            "certificate_identities": ["comms-b.riverside.example"],  # a SAN
            "token_sha256": [token_sha256(TOKEN_B)],
        },
        {"name": "operator", "institutions": ["*"], "token_sha256": [token_sha256(TOKEN_OPERATOR)]},
    ]
    path.write_text(json.dumps({"clients": clients}), encoding="utf-8")  # JSON is YAML too
    return path


def _start_ingest(tls: ServerTls, mode: str, credentials: Path) -> Ingest:
    registry = PolicyRegistry.load(None)
    settings = IngestSettings(auth_mode=mode, auth_credentials_file=credentials)
    authorizer = build_authorizer(settings, tls, registry)
    book = DecisionBook(max_entries=10_000)
    publisher = InstantPublisher(book)
    servicer = ScreeningServicer(
        book=book,
        publisher=publisher,  # type: ignore[arg-type]
        registry=registry,
        screen_timeout=5.0,
        max_screen_timeout=10.0,
        submit_timeout=5.0,
        max_text_chars=10_000,
        authorizer=authorizer,
    )
    server = build_grpc_server(
        0,
        add_screening_servicer(servicer, 1 << 20),
        [SERVICE_NAME],
        max_workers=16,
        metrics_service="ingest",
        bind_address="127.0.0.1",
        tls=tls,
    ).start()
    return Ingest(server=server, book=book, publisher=publisher)


@pytest.fixture(scope="module")
def mtls_ingest(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ingest]:
    """ingest with mutual TLS; callers identified by their client certificate."""
    credentials = _credentials_file(tmp_path_factory.mktemp("auth") / "clients.json")
    ingest = _start_ingest(ServerTls(pki.server.cert, pki.server.key, pki.ca.cert), "mtls", credentials)
    yield ingest
    ingest.server.stop(0.5)


@pytest.fixture(scope="module")
def token_ingest(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ingest]:
    """ingest with server-only TLS; callers identified by bearer token."""
    credentials = _credentials_file(tmp_path_factory.mktemp("auth") / "clients.yaml")
    ingest = _start_ingest(ServerTls(pki.server.cert, pki.server.key), "token", credentials)
    yield ingest
    ingest.server.stop(0.5)


def _cert_channel(ingest: Ingest, pki: Pki, cn: str | None, *, sans: tuple[str, ...] = ()) -> grpc.Channel:
    if cn is None:
        return grpc.secure_channel(ingest.target, grpc.ssl_channel_credentials(pki.ca.cert_pem))
    client = pki.client(cn, sans=sans)
    creds = grpc.ssl_channel_credentials(pki.ca.cert_pem, client.key_pem, client.cert_pem)
    return grpc.secure_channel(ingest.target, creds)


def _token_channel(ingest: Ingest, pki: Pki, token: str | None) -> grpc.Channel:
    creds = grpc.ssl_channel_credentials(pki.ca.cert_pem)
    if token is not None:
        creds = grpc.composite_channel_credentials(creds, grpc.access_token_call_credentials(token))
    return grpc.secure_channel(ingest.target, creds)


_ids = iter(range(1_000_000))


def _post(institution: str, text: str = TEXT) -> post_pb2.Post:
    return post_pb2.Post(
        post_id=f"auth-{next(_ids)}-{time.monotonic_ns()}",
        institution_id=institution,
        platform="x",
        text=text,
    )


def _error(call: Callable[..., object], *args: object, **kwargs: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(*args, timeout=5, **kwargs)
    return info.value


# --- transport --------------------------------------------------------------------------------------


def test_plaintext_client_is_refused_by_a_tls_server(token_ingest: Ingest) -> None:
    with grpc.insecure_channel(token_ingest.target) as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        err = _error(stub.Submit, _post(A), metadata=[("authorization", f"Bearer {TOKEN_A}")])
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert not token_ingest.publisher.published


def test_mtls_without_a_client_certificate_is_refused(mtls_ingest: Ingest, pki: Pki) -> None:
    with _cert_channel(mtls_ingest, pki, None) as channel:
        err = _error(screening_pb2_grpc.ScreeningStub(channel).Submit, _post(A))
    assert err.code() == grpc.StatusCode.UNAVAILABLE, "the TLS handshake itself fails"


def test_mtls_with_a_certificate_of_an_untrusted_ca_is_refused(
    mtls_ingest: Ingest, pki: Pki, rogue_pki: Pki
) -> None:
    rogue = rogue_pki.client("comms-a")  # the right name, the wrong CA
    creds = grpc.ssl_channel_credentials(pki.ca.cert_pem, rogue.key_pem, rogue.cert_pem)
    with grpc.secure_channel(mtls_ingest.target, creds) as channel:
        err = _error(screening_pb2_grpc.ScreeningStub(channel).Submit, _post(A))
    assert err.code() == grpc.StatusCode.UNAVAILABLE


def test_a_verified_certificate_that_is_not_registered_is_unauthenticated(
    mtls_ingest: Ingest, pki: Pki
) -> None:
    with _cert_channel(mtls_ingest, pki, "stranger") as channel:
        err = _error(screening_pb2_grpc.ScreeningStub(channel).Submit, _post(A))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "'stranger' is not registered" in err.details()


# --- tenancy with client certificates ---------------------------------------------------------------


def test_client_a_screens_and_reads_its_own_posts(mtls_ingest: Ingest, pki: Pki) -> None:
    post = _post(A)
    with _cert_channel(mtls_ingest, pki, "comms-a") as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        decision = stub.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=5), timeout=10)
        assert decision.post_id == post.post_id and decision.institution_id == A
        got = stub.GetDecision(screening_pb2.GetDecisionRequest(post_id=post.post_id), timeout=5)
        assert got.post_id == post.post_id
        assert stub.Submit(_post(A), timeout=5).post_id


def test_client_a_cannot_submit_or_screen_for_b(mtls_ingest: Ingest, pki: Pki) -> None:
    before = len(mtls_ingest.publisher.published)
    with _cert_channel(mtls_ingest, pki, "comms-a") as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        submit = _error(stub.Submit, _post(B))
        screen = _error(stub.Screen, screening_pb2.ScreenRequest(post=_post(B), timeout_seconds=1))
    for err in (submit, screen):
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED, err.details()
        assert B in err.details()
    assert len(mtls_ingest.publisher.published) == before, "nothing of B's was stored"


def test_client_a_cannot_read_a_decision_of_b(mtls_ingest: Ingest, pki: Pki) -> None:
    post_b = _post(B)
    with _cert_channel(mtls_ingest, pki, "comms-b", sans=("comms-b.riverside.example",)) as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        stub.Screen(screening_pb2.ScreenRequest(post=post_b, timeout_seconds=5), timeout=10)
        assert stub.GetDecision(screening_pb2.GetDecisionRequest(post_id=post_b.post_id), timeout=5)
    with _cert_channel(mtls_ingest, pki, "comms-a") as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        hidden = _error(stub.GetDecision, screening_pb2.GetDecisionRequest(post_id=post_b.post_id))
        named = _error(
            stub.GetDecision, screening_pb2.GetDecisionRequest(post_id=post_b.post_id, institution_id=B)
        )
    assert hidden.code() == grpc.StatusCode.NOT_FOUND, "B's post does not exist for A"
    assert named.code() == grpc.StatusCode.PERMISSION_DENIED
    for err in (hidden, named):
        assert TEXT not in err.details() and "ALLOW" not in err.details()


def _collect(call: grpc.Future, into: queue.Queue) -> None:  # type: ignore[type-arg]
    try:
        for decision in call:
            into.put(decision)
    except grpc.RpcError as exc:
        into.put(exc)


def _open_stream(
    ingest: Ingest, stub: screening_pb2_grpc.ScreeningStub, request: screening_pb2.StreamDecisionsRequest
) -> tuple[grpc.Future, queue.Queue]:  # type: ignore[type-arg]
    streams = ingest.book.stream_count
    call = stub.StreamDecisions(request, timeout=30)
    received: queue.Queue = queue.Queue()  # type: ignore[type-arg]
    threading.Thread(target=_collect, args=(call, received), daemon=True).start()
    deadline = time.monotonic() + 5
    while ingest.book.stream_count <= streams:
        assert time.monotonic() < deadline, "the stream never subscribed"
        time.sleep(0.01)
    return call, received


def test_stream_decisions_delivers_only_the_callers_institutions(mtls_ingest: Ingest, pki: Pki) -> None:
    with (
        _cert_channel(mtls_ingest, pki, "comms-a") as channel_a,
        _cert_channel(mtls_ingest, pki, "comms-b", sans=("comms-b.riverside.example",)) as channel_b,
    ):
        stub_a = screening_pb2_grpc.ScreeningStub(channel_a)
        stub_b = screening_pb2_grpc.ScreeningStub(channel_b)
        call, received = _open_stream(mtls_ingest, stub_a, screening_pb2.StreamDecisionsRequest())
        try:
            posts_b = [_post(B) for _ in range(3)]
            for post in posts_b:
                stub_b.Submit(post, timeout=5)  # decided at once: would reach A first if it leaked
            post_a = _post(A)
            stub_a.Submit(post_a, timeout=5)
            first = received.get(timeout=5)
            assert not isinstance(first, Exception), first
            assert (first.post_id, first.institution_id) == (post_a.post_id, A)
            time.sleep(0.3)
            assert received.empty(), "nothing else (none of B's decisions) arrived"
        finally:
            call.cancel()
        asked_b = _error(
            lambda request, timeout: list(stub_a.StreamDecisions(request, timeout=timeout)),
            screening_pb2.StreamDecisionsRequest(institution_id=B),
        )
    assert asked_b.code() == grpc.StatusCode.PERMISSION_DENIED


# --- bearer tokens ----------------------------------------------------------------------------------


def test_missing_token_is_unauthenticated(token_ingest: Ingest, pki: Pki) -> None:
    with _token_channel(token_ingest, pki, None) as channel:
        err = _error(screening_pb2_grpc.ScreeningStub(channel).Submit, _post(A))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "missing credentials" in err.details() and "Bearer" in err.details()


@pytest.mark.parametrize(
    "metadata",
    [
        [("authorization", f"Bearer {BAD_TOKEN}")],
        [("authorization", f"Basic {BAD_TOKEN}")],
        [("authorization", BAD_TOKEN)],
        [("authorization", f"Bearer {BAD_TOKEN}"), ("authorization", f"Bearer {TOKEN_A}")],
    ],
    ids=["unknown", "wrong-scheme", "no-scheme", "two-headers"],
)
def test_bad_token_is_unauthenticated_and_never_echoed(
    token_ingest: Ingest, pki: Pki, metadata: list[tuple[str, str]]
) -> None:
    before = len(token_ingest.publisher.published)
    with _token_channel(token_ingest, pki, None) as channel:
        err = _error(screening_pb2_grpc.ScreeningStub(channel).Submit, _post(A), metadata=metadata)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert err.details().startswith("invalid credentials")
    for token in (BAD_TOKEN, TOKEN_A, "tok-"):
        assert token not in err.details()
    assert len(token_ingest.publisher.published) == before


def test_token_of_a_cannot_act_for_b(token_ingest: Ingest, pki: Pki) -> None:
    with _token_channel(token_ingest, pki, TOKEN_A) as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        assert stub.Submit(_post(A), timeout=5).post_id
        err = _error(stub.Submit, _post(B))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    assert TOKEN_A not in err.details()


def test_operator_token_acts_for_every_institution(token_ingest: Ingest, pki: Pki) -> None:
    posts = {A: _post(A), B: _post(B)}
    with _token_channel(token_ingest, pki, TOKEN_OPERATOR) as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        call, received = _open_stream(token_ingest, stub, screening_pb2.StreamDecisionsRequest())
        try:
            for post in posts.values():
                stub.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=5), timeout=10)
            seen = {received.get(timeout=5).institution_id for _ in posts}
        finally:
            call.cancel()
        assert seen == {A, B}
        for institution, post in posts.items():
            request = screening_pb2.GetDecisionRequest(post_id=post.post_id, institution_id=institution)
            assert stub.GetDecision(request, timeout=5).institution_id == institution


# --- the CLI ----------------------------------------------------------------------------------------


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object], str]:
    code = main(["screen", "--text", TEXT, *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out.splitlines()[-1]), captured.err


def test_cli_screens_over_mtls_for_its_own_institution_only(
    mtls_ingest: Ingest, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    client = pki.client("comms-a")
    tls = ["--tls-ca", str(pki.ca.cert), "--tls-cert", str(client.cert), "--tls-key", str(client.key)]
    url = f"grpcs://localhost:{mtls_ingest.server.port}"
    code, record, _ = _cli(["--via", url, "--institution", A, "--post-id", "cli-mtls-a", *tls], capsys)
    assert code == 0 and record["post_id"] == "cli-mtls-a" and record["verdict"] == "ALLOW"
    code, record, _ = _cli(["--via", url, "--institution", B, "--post-id", "cli-mtls-b", *tls], capsys)
    assert code == 1 and record["error"] == "screening failed: PERMISSION_DENIED"


def test_cli_sends_its_token_over_tls(
    token_ingest: Ingest, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"grpcs://localhost:{token_ingest.server.port}"
    base = ["--via", url, "--tls-ca", str(pki.ca.cert), "--institution", A]
    code, record, _ = _cli([*base, "--post-id", "cli-token", "--token", TOKEN_A], capsys)
    assert code == 0 and record["verdict"] == "ALLOW"
    token_file = tmp_path / "token"
    token_file.write_text(BAD_TOKEN + "\n")
    code, record, err = _cli([*base, "--post-id", "cli-bad", "--token-file", str(token_file)], capsys)
    assert code == 1 and record["error"] == "screening failed: UNAUTHENTICATED"
    assert BAD_TOKEN not in json.dumps(record) + err


def test_cli_refuses_a_token_over_plaintext(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", "--text", TEXT, "--via", "grpc://127.0.0.1:1", "--token", TOKEN_A])
    err = capsys.readouterr().err
    assert code == 2 and "never sent in clear" in err and TOKEN_A not in err
