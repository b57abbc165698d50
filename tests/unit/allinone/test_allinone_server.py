"""The real all-in-one server on free loopback ports: Screen over gRPC, the held post in the desk's queue,
its decision versions on StreamDecisions, the HTTP API on the same process, and a clean stop."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
import httpx
import pytest
from argon2 import PasswordHasher
from postguard.allinone.server import AllInOne, build
from postguard.allinone.settings import AllInOneSettings
from postguard.console.settings import ConsoleSettings
from postguard.console.users import Role, User, write_users
from postguard.core.codec import post_to_proto
from postguard.domain.types import Post
from postguard.embedded.runner import build_pipeline
from postguard.http_api.webhooks import verify
from postguard.ingest.auth import token_sha256
from postguard.v1 import decision_pb2, screening_pb2, screening_pb2_grpc

TOKEN = "all-in-one-test-token-demo-hospital"
OTHER = "all-in-one-test-token-riverside"
HELD_TEXT = "Patient John Smith, MRN 12345678, DOB 03/04/1950 was discharged today from ward 4."
SECRET = "s" * 40
HOOK_SECRET = "webhook-secret-of-demo-hospital"


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline(None, use_models=False)


def write_config(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    write_users(
        data / "users.yaml",
        [
            User(
                "alice",
                PasswordHasher().hash("correct horse battery"),
                frozenset({"demo-hospital"}),
                Role.REVIEWER,
            )
        ],
    )
    (data / "tokens.yaml").write_text(
        "clients:\n"
        f"  - {{name: demo-comms, institutions: [demo-hospital], token_sha256: [{token_sha256(TOKEN)}]}}\n"
        f"  - {{name: river, institutions: [riverside-clinic], token_sha256: [{token_sha256(OTHER)}]}}\n"
    )
    (data / "session-secret").write_text(SECRET + "\n")


class Hooks:
    """A loopback HTTP server collecting webhook deliveries."""

    def __init__(self) -> None:
        self.bodies: queue.Queue = queue.Queue()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hooks.bodies.put((body, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/postguard"

    def next_for(self, post_id: str) -> tuple[dict, bytes, dict[str, str]]:
        """The next delivery about ``post_id``: (payload, raw body, lower-cased headers)."""
        while True:
            body, headers = self.bodies.get(timeout=30)
            payload = json.loads(body)
            if payload["decision"]["post_id"] == post_id:
                return payload, body, headers


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    receiver = Hooks()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def server(tmp_path: Path, pipeline, hooks: Hooks) -> Iterator[AllInOne]:
    data = tmp_path / "data"
    write_config(data)
    (data / "webhook-secret").write_text(HOOK_SECRET)
    (data / "webhooks.yaml").write_text(
        f"webhooks:\n  - {{institution_id: demo-hospital, url: '{hooks.url}', secret_file: webhook-secret}}\n"
    )
    settings = AllInOneSettings(
        data_dir=data,
        bind_address="127.0.0.1",
        grpc_port=0,
        http_port=0,
        metrics_port=0,
        sweep_interval_seconds=0.2,
    )
    running = build(
        settings, pipeline=pipeline, console_settings=ConsoleSettings(cookie_secure=False)
    ).start()
    yield running
    running.close()


def metadata(token: str = TOKEN) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def held_post(post_id: str = "held-1") -> Post:
    return Post(
        post_id=post_id, institution_id="demo-hospital", platform="x", text=HELD_TEXT, author_id="comms-7"
    )


def stream(stub: screening_pb2_grpc.ScreeningStub, into: queue.Queue, ready: threading.Event) -> grpc.Future:
    call = stub.StreamDecisions(screening_pb2.StreamDecisionsRequest(), metadata=metadata(), timeout=60)

    def pump() -> None:
        try:
            ready.set()
            for msg in call:
                into.put(msg)
        except grpc.RpcError:
            pass

    threading.Thread(target=pump, daemon=True).start()
    return call


def wait_for_stream(server: AllInOne) -> None:
    for _ in range(1000):
        if server.book.stream_count:
            return
        threading.Event().wait(0.02)
    raise AssertionError("StreamDecisions never subscribed")


def next_decision(into: queue.Queue, post_id: str):
    while True:
        msg = into.get(timeout=30)
        if msg.post_id == post_id:
            return msg


def test_screen_over_grpc_holds_the_post_and_streams_every_version(server: AllInOne, hooks: Hooks) -> None:
    channel = grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}")
    stub = screening_pb2_grpc.ScreeningStub(channel)
    decisions: queue.Queue = queue.Queue()
    ready = threading.Event()
    call = stream(stub, decisions, ready)
    assert ready.wait(10)
    wait_for_stream(server)  # the stream is registered before anything is screened

    post = held_post()
    answer = stub.Screen(
        screening_pb2.ScreenRequest(post=post_to_proto(post), timeout_seconds=30),
        metadata=metadata(),
        timeout=40,
    )
    assert answer.post_id == "held-1" and answer.version == 1
    assert answer.verdict in (decision_pb2.BLOCK, decision_pb2.REVIEW)
    streamed = next_decision(decisions, "held-1")
    assert streamed.version == 1 and streamed.text_sha256 == post.text_sha256

    # the held post is in the desk's queue of its institution only, with its original text
    (item,) = server.desk.queue(frozenset({"demo-hospital"}))
    assert item.post_id == "held-1" and item.original_text == HELD_TEXT and item.deadline
    assert server.desk.queue(frozenset({"riverside-clinic"})) == []
    # and in the audit store, redacted
    record = server.audit.get("held-1", "demo-hospital")
    assert record is not None and "12345678" not in record.redacted_text

    # a reviewer's decision is a new version on the same stream, and what GetDecision answers
    approved = server.desk.reject("demo-hospital", "held-1", "alice", "identifies the patient")
    assert approved.version == 2
    second = next_decision(decisions, "held-1")
    assert second.version == 2 and second.review.reviewer == "alice"
    got = stub.GetDecision(
        screening_pb2.GetDecisionRequest(institution_id="demo-hospital", post_id="held-1"),
        metadata=metadata(),
    )
    assert got.version == 2
    assert server.desk.queue(frozenset({"demo-hospital"})) == []

    # both versions reached the institution's webhook, signed with its secret
    (held, _, _), (rejected, body, headers) = hooks.next_for("held-1"), hooks.next_for("held-1")
    assert (held["decision"]["version"], rejected["decision"]["version"]) == (1, 2)
    assert rejected["decision"]["review"]["action"] == "reject"
    signed = (headers["x-postguard-timestamp"], body, headers["x-postguard-signature"])
    assert verify(HOOK_SECRET.encode(), *signed)
    call.cancel()
    channel.close()


def test_grpc_needs_a_token_and_keeps_institutions_apart(server: AllInOne) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        request = screening_pb2.ScreenRequest(post=post_to_proto(held_post("x1")), timeout_seconds=5)
        with pytest.raises(grpc.RpcError) as anonymous:
            stub.Screen(request, timeout=10)
        assert anonymous.value.code() is grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as other:
            stub.Screen(request, metadata=metadata(OTHER), timeout=10)
        assert other.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_the_http_api_and_the_console_share_the_process(server: AllInOne) -> None:
    base = f"http://127.0.0.1:{server.http_port}"
    body = {"post_id": "h1", "institution_id": "demo-hospital", "platform": "x", "text": "Thank you, nurses!"}
    with httpx.Client(base_url=base, timeout=30) as client:
        screened = client.post("/api/v1/screen", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert screened.status_code == 200, screened.text
        assert screened.json()["verdict"] == "ALLOW"
        fetched = client.get(
            "/api/v1/decisions/demo-hospital/h1", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert fetched.json()["text_sha256"] == screened.json()["text_sha256"]
        assert client.get("/api/v1/decisions/demo-hospital/h1").status_code == 401
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        login = client.get("/login")
        assert login.status_code == 200 and "<form" in login.text
    # what the API accepted is audited too
    assert server.audit.get("h1", "demo-hospital").verdict == "ALLOW"


def test_an_overdue_held_post_is_blocked_by_the_sweeper_and_streamed(server: AllInOne) -> None:
    channel = grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}")
    stub = screening_pb2_grpc.ScreeningStub(channel)
    decisions: queue.Queue = queue.Queue()
    ready = threading.Event()
    call = stream(stub, decisions, ready)
    assert ready.wait(10)
    wait_for_stream(server)
    past = Post(
        post_id="late-1",
        institution_id="demo-hospital",
        platform="x",
        text=HELD_TEXT,
        scheduled_publish_at="2020-01-01T00:00:00Z",  # inside the margin already: overdue at once
    )
    stub.Submit(post_to_proto(past), metadata=metadata(), timeout=10)
    first = next_decision(decisions, "late-1")
    missed = next_decision(decisions, "late-1")
    assert (first.version, missed.version) == (1, 2)
    assert missed.review.action == "deadline_missed"
    assert server.book.get("demo-hospital", "late-1").verdict == "BLOCK"
    call.cancel()
    channel.close()
