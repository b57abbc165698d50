"""``postguard serve all-in-one`` killed with SIGKILL loses no accepted post: the next start screens them.

The process runs the real server (``postguard.cli.main``) with the embedded pipeline behind a gate: it
screens only as many posts as a file next to the data dir allows, so the crash comes with a known
backlog (no timing involved).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
from argon2 import PasswordHasher
from postguard.console.users import Role, User, write_users
from postguard.devtools.ports import free_port
from postguard.ingest.auth import token_sha256
from postguard.v1 import post_pb2, screening_pb2, screening_pb2_grpc

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "t" * 32
AUTH = (("authorization", f"Bearer {TOKEN}"),)
HELD_TEXT = "Patient John Smith, MRN 12345678, DOB 03/04/1950 was discharged today from ward {i}."
FINE_TEXT = "Thank you to our wonderful nurses, team {i}!"
POSTS = 30
SCREENED_BEFORE_CRASH = 4

# The real CLI, with the pipeline gated by the number in PG_TEST_GATE (posts it may screen in total).
GATED_SERVER = """
import os, sys, time
from pathlib import Path
import postguard.embedded.runner as runner
real, gate = runner.build_pipeline, Path(os.environ["PG_TEST_GATE"])
class Gated:
    def __init__(self, pipeline):
        self.pipeline, self.screened = pipeline, 0
    def screen_batch(self, posts):
        while self.screened + len(posts) > int(gate.read_text()):
            time.sleep(0.02)
        self.screened += len(posts)
        return self.pipeline.screen_batch(posts)
runner.build_pipeline = lambda *a, **k: Gated(real(*a, **k))
from postguard.cli import main
sys.exit(main())
"""


def configure(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    user = User(
        "admin", PasswordHasher().hash("correct horse battery"), frozenset({"demo-hospital"}), Role.ADMIN
    )
    write_users(data / "users.yaml", [user])
    (data / "tokens.yaml").write_text(
        f"clients:\n  - {{name: c, institutions: [demo-hospital], token_sha256: [{token_sha256(TOKEN)}]}}\n"
    )
    (data / "session-secret").write_text("k" * 48)


class Server:
    """One run of the gated server on ``data``."""

    def __init__(self, data: Path, gate: Path) -> None:
        self.http_port, self.grpc_port = free_port(), free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("POSTGUARD_ALLINONE_", "POSTGUARD_CONSOLE_"))
        }
        env.update(
            POSTGUARD_ALLINONE_DATA_DIR=str(data),
            POSTGUARD_ALLINONE_BIND_ADDRESS="127.0.0.1",
            POSTGUARD_ALLINONE_HTTP_PORT=str(self.http_port),
            POSTGUARD_ALLINONE_GRPC_PORT=str(self.grpc_port),
            POSTGUARD_ALLINONE_METRICS_PORT=str(free_port()),
            POSTGUARD_ALLINONE_USE_MODELS="false",
            POSTGUARD_ALLINONE_SCREENING_WORKERS="1",
            POSTGUARD_ALLINONE_SCREENING_BATCH_SIZE="1",
            PG_TEST_GATE=str(gate),
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", GATED_SERVER, "serve", "all-in-one"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        until(self._up, "the server did not come up")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}")
        self.stub = screening_pb2_grpc.ScreeningStub(self.channel)

    def _up(self) -> bool:
        assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""
        try:
            return httpx.get(f"http://127.0.0.1:{self.http_port}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def decided(self, post_id: str) -> bool:
        request = screening_pb2.GetDecisionRequest(institution_id="demo-hospital", post_id=post_id)
        try:
            self.stub.GetDecision(request, metadata=AUTH, timeout=5)
        except grpc.RpcError as exc:
            assert exc.code() is grpc.StatusCode.NOT_FOUND, exc
            return False
        return True

    def stop(self, sig: int) -> int:
        self.channel.close()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=120)
        if self.proc.stderr:
            self.proc.stderr.close()
        return code


def until(check: Callable[[], bool], message: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def text_of(i: int) -> str:
    return (HELD_TEXT if i % 3 == 0 else FINE_TEXT).format(i=i)


def submit_all(server: Server) -> None:
    """Half over gRPC Submit, half over HTTP POST /api/v1/posts; every one answered "accepted"."""
    for i in range(POSTS):
        body = {"post_id": f"p{i}", "institution_id": "demo-hospital", "platform": "x", "text": text_of(i)}
        if i % 2:
            reply = httpx.post(
                f"http://127.0.0.1:{server.http_port}/api/v1/posts",
                json=body,
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=30,
            )
            assert reply.status_code == 202 and reply.json()["duplicate"] is False, reply.text
        else:
            answer = server.stub.Submit(post_pb2.Post(**body), metadata=AUTH, timeout=30)
            assert answer.post_id == f"p{i}" and not answer.duplicate


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_sigkill_after_submits_loses_nothing_and_decides_each_post_once(tmp_path: Path) -> None:
    data, gate = tmp_path / "data", tmp_path / "gate"
    configure(data)
    gate.write_text(str(SCREENED_BEFORE_CRASH))
    first = Server(data, gate)
    try:
        submit_all(first)
        for i in range(SCREENED_BEFORE_CRASH):  # one worker, oldest first: p0..p3 are screened
            until(lambda i=i: first.decided(f"p{i}"), f"p{i} was not decided")
        left = POSTS - SCREENED_BEFORE_CRASH
        until(lambda: rows(data / "inbox.sqlite", "SELECT COUNT(*) FROM inbox") == [(left,)], "inbox")
    finally:
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    assert rows(data / "inbox.sqlite", "SELECT COUNT(*) FROM inbox") == [(left,)]  # the backlog survived
    audited = rows(data / "audit.sqlite", "SELECT DISTINCT post_id FROM decision_versions")
    assert sorted(p for (p,) in audited) == sorted(f"p{i}" for i in range(SCREENED_BEFORE_CRASH))

    gate.write_text("1000000")
    second = Server(data, gate)
    try:
        for i in range(SCREENED_BEFORE_CRASH, POSTS):  # the posts the crash left are screened now
            until(lambda i=i: second.decided(f"p{i}"), f"p{i} was not decided after the restart")
        until(
            lambda: rows(data / "inbox.sqlite", "SELECT COUNT(*) FROM inbox") == [(0,)], "inbox not emptied"
        )
    finally:
        assert second.stop(signal.SIGTERM) == 0

    versions = dict(
        rows(data / "audit.sqlite", "SELECT post_id, COUNT(*) FROM decision_versions GROUP BY post_id")
    )
    assert versions == {f"p{i}": 1 for i in range(POSTS)}  # every accepted post, exactly one decision
    held = rows(data / "review.sqlite", "SELECT post_id, status, version FROM review_items ORDER BY post_id")
    expected = sorted((f"p{i}", "pending", 1) for i in range(POSTS) if i % 3 == 0)
    assert sorted(held) == expected  # each held post exactly one open queue item
    verdicts = dict(rows(data / "audit.sqlite", "SELECT post_id, verdict FROM decision_versions"))
    assert {p for p, v in verdicts.items() if v != "ALLOW"} == {p for p, _s, _v in expected}
