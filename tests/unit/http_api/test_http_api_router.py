"""The HTTP/JSON Screening API over the real ScreeningServicer: auth, validation, screen, lookups."""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from postguard.allinone.publisher import EmbeddedPublisher
from postguard.core.audit import SqliteAuditStore
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import Decision, Post, Verdict
from postguard.http_api.router import create_router
from postguard.ingest.auth import AuthMode, Client, InstitutionAuthorizer, token_sha256
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.servicer import ScreeningServicer

TOKEN_A = "token-of-demo-hospital-comms"
TOKEN_B = "token-of-riverside-clinic-comms"
BEARER_A = {"Authorization": f"Bearer {TOKEN_A}"}
BEARER_B = {"Authorization": f"Bearer {TOKEN_B}"}
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
PNG_1PX = base64.b64decode(PNG_B64)


def client_of(name: str, institution: str, token: str) -> Client:
    return Client(name, frozenset({institution}), token_digests=(bytes.fromhex(token_sha256(token)),))


def decide(p: Post) -> Decision:
    verdict = Verdict.REVIEW if "bed" in p.text else Verdict.ALLOW
    return Decision(
        post_id=p.post_id,
        institution_id=p.institution_id,
        verdict=verdict,
        findings=(),
        reasons=(),
        redacted_text=p.text,
        policy_id="demo",
        policy_version="1",
        text_sha256=p.text_sha256,
    )


class Harness:
    def __init__(self, tmp_path: Path, *, max_in_flight: int = 0, max_body_bytes: int = 1 << 20) -> None:
        self.seen: list[Post] = []
        self.gate = threading.Event()
        self.gate.set()
        self.book = DecisionBook(max_in_flight=max_in_flight)
        self.audit = SqliteAuditStore(tmp_path / "audit.sqlite")
        authorizer = InstitutionAuthorizer(
            AuthMode.TOKEN,
            [
                client_of("demo-comms", "demo-hospital", TOKEN_A),
                client_of("river-comms", "riverside-clinic", TOKEN_B),
            ],
        )

        def screen(posts: Sequence[Post]) -> list[Decision]:
            self.gate.wait(10)
            self.seen.extend(posts)
            return [decide(p) for p in posts]

        self.publisher = EmbeddedPublisher(
            screen, audit=self.audit, desk=_NoDesk(), emit=self.book.record, workers=1
        )
        self.servicer = ScreeningServicer(
            book=self.book,
            publisher=self.publisher,
            registry=PolicyRegistry.load(None),
            screen_timeout=5,
            max_screen_timeout=30,
            submit_timeout=1,
            max_text_chars=5000,
            authorizer=authorizer,
        )
        app = FastAPI()
        app.include_router(create_router(self.servicer, max_body_bytes=max_body_bytes))
        self.client = TestClient(app)

    def close(self) -> None:
        self.gate.set()
        self.publisher.close()
        self.audit.close()


class _NoDesk:
    def hold(self, decision: Decision, post: Post | None = None) -> None:
        return None


@pytest.fixture
def api(tmp_path: Path):
    harness = Harness(tmp_path)
    yield harness
    harness.close()


def body(post_id: str = "p1", institution: str = "demo-hospital", **extra: object) -> dict:
    return {"post_id": post_id, "institution_id": institution, "platform": "x", "text": "Hello", **extra}


# --- authentication ------------------------------------------------------------------------------


def test_without_a_token_every_route_is_401_with_a_bearer_challenge(api: Harness) -> None:
    for response in (
        api.client.post("/api/v1/screen", json=body()),
        api.client.post("/api/v1/posts", json=body()),
        api.client.get("/api/v1/decisions/demo-hospital/p1"),
    ):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"] == "unauthenticated"
        assert "Bearer <token>" in response.json()["message"]
    assert api.seen == []


def test_an_unknown_or_malformed_token_is_401_and_never_echoed(api: Harness) -> None:
    wrong = api.client.post("/api/v1/screen", json=body(), headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401 and "not recognised" in wrong.json()["message"]
    assert "not-a-token" not in wrong.text
    basic = api.client.post("/api/v1/screen", json=body(), headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401 and "Bearer <token>" in basic.json()["message"]


def test_credentials_are_checked_before_the_body_is_parsed(api: Harness) -> None:
    response = api.client.post("/api/v1/screen", content=b"{not json")
    assert response.status_code == 401


# --- validation ----------------------------------------------------------------------------------


def test_invalid_json_is_400(api: Harness) -> None:
    response = api.client.post("/api/v1/screen", content=b"{not json", headers=BEARER_A)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert "line 1 column 2" in response.json()["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"post_id": "p1", "institution_id": "demo-hospital", "platform": "x"}, "text"),
        (body(platform="myspace"), "platform"),
        (body(post_id="has space"), "post_id"),
        (body(scheduled_publish_at="next tuesday"), "scheduled_publish_at"),
        (
            body(attachments=[{"media_type": "image/png", "content_base64": "***"}]),
            "attachments[0].content_base64",
        ),
        ([1, 2], "post"),
    ],
)
def test_an_invalid_post_is_400_naming_the_field(api: Harness, payload: object, field: str) -> None:
    response = api.client.post("/api/v1/screen", json=payload, headers=BEARER_A)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_post"
    assert response.json()["field"] == field
    assert response.json()["message"].startswith(f"{field}: ")


def test_text_over_the_limit_names_the_field_and_not_the_text(api: Harness) -> None:
    response = api.client.post("/api/v1/screen", json=body(text="word " * 2000), headers=BEARER_A)
    assert response.status_code == 400 and response.json()["field"] == "text"
    assert "word word" not in response.text


def test_an_oversize_body_is_413(tmp_path: Path) -> None:
    harness = Harness(tmp_path, max_body_bytes=2048)
    try:
        big = body(text="x" * 4000)
        response = harness.client.post("/api/v1/screen", json=big, headers=BEARER_A)
        assert response.status_code == 413
        assert response.json() == {"error": "too_large", "message": response.json()["message"]}
        assert "2048" in response.json()["message"]
        chunked = harness.client.post(
            "/api/v1/posts", content=iter([b"{" + b" " * 1500, b" " * 1500 + b"}"]), headers=BEARER_A
        )
        assert chunked.status_code == 413  # no Content-Length: counted while reading
        assert harness.seen == []
    finally:
        harness.close()


def test_a_bad_timeout_is_400(api: Harness) -> None:
    response = api.client.post("/api/v1/screen?timeout_seconds=-1", json=body(), headers=BEARER_A)
    assert response.status_code == 400 and response.json()["field"] == "timeout_seconds"


# --- screening -----------------------------------------------------------------------------------


def test_screen_answers_with_the_decision_json(api: Harness) -> None:
    payload = body(
        text="Patient in bed 4 thanks the team",
        scheduled_publish_at="2031-01-02T10:00:00Z",
        attachments=[{"attachment_id": "img1", "media_type": "image/png", "content_base64": PNG_B64}],
    )
    response = api.client.post("/api/v1/screen", json=payload, headers=BEARER_A)
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["post_id"] == "p1" and decision["institution_id"] == "demo-hospital"
    assert decision["verdict"] == "REVIEW" and decision["version"] == 1
    assert decision["policy"] == {"id": "demo", "version": "1"}
    (seen,) = api.seen
    assert seen.scheduled_publish_at == "2031-01-02T10:00:00Z"
    assert seen.attachments[0].content == PNG_1PX
    again = api.client.post("/api/v1/screen", json=payload, headers=BEARER_A)
    assert again.json() == decision and len(api.seen) == 1  # screened once per content


def test_screen_that_outlasts_its_timeout_is_202_pending_with_where_to_look(api: Harness) -> None:
    api.gate.clear()
    response = api.client.post("/api/v1/screen?timeout_seconds=0.2", json=body(), headers=BEARER_A)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    location = response.headers["location"]
    assert location.startswith("/api/v1/decisions/demo-hospital/p1?text_sha256=")
    api.gate.set()
    assert api.book.wait("demo-hospital", "p1", Post("p1", "demo-hospital", "x", "Hello").text_sha256, 10)
    later = api.client.get(location, headers=BEARER_A)
    assert later.status_code == 200 and later.json()["verdict"] == "ALLOW"


def test_submit_is_202_then_the_decision_can_be_fetched(api: Harness) -> None:
    response = api.client.post("/api/v1/posts", json=body("s1"), headers=BEARER_A)
    assert response.status_code == 202
    assert response.json() == {"post_id": "s1", "institution_id": "demo-hospital", "duplicate": False}
    sha = Post("s1", "demo-hospital", "x", "Hello").text_sha256
    assert api.book.wait("demo-hospital", "s1", sha, 10) is not None
    got = api.client.get("/api/v1/decisions/demo-hospital/s1", headers=BEARER_A)
    assert got.status_code == 200 and got.json()["text_sha256"] == sha
    dup = api.client.post("/api/v1/posts", json=body("s1"), headers=BEARER_A)
    assert dup.status_code == 202 and dup.json()["duplicate"] is True


# --- institutions --------------------------------------------------------------------------------


def test_a_caller_cannot_submit_or_read_for_another_institution(api: Harness) -> None:
    posted = api.client.post("/api/v1/posts", json=body("r1", "riverside-clinic"), headers=BEARER_A)
    assert posted.status_code == 403 and posted.json()["error"] == "forbidden"
    assert "riverside-clinic" in posted.json()["message"]
    ok = api.client.post("/api/v1/screen", json=body("r1", "riverside-clinic"), headers=BEARER_B)
    assert ok.status_code == 200
    read = api.client.get("/api/v1/decisions/riverside-clinic/r1", headers=BEARER_A)
    assert read.status_code == 403
    # the other institution's post_id under the caller's own institution: simply not found
    mine = api.client.get("/api/v1/decisions/demo-hospital/r1", headers=BEARER_A)
    assert mine.status_code == 404 and mine.json()["error"] == "not_found"
    assert api.client.get("/api/v1/decisions/riverside-clinic/r1", headers=BEARER_B).status_code == 200


def test_an_institution_no_policy_covers_is_422(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    try:
        harness.servicer.authorizer = InstitutionAuthorizer(
            AuthMode.TOKEN,
            [Client("op", frozenset({"*"}), token_digests=(bytes.fromhex(token_sha256(TOKEN_A)),))],
        )
        response = harness.client.post("/api/v1/screen", json=body(institution="nowhere"), headers=BEARER_A)
        assert response.status_code == 422 and "no policy covers it" in response.json()["message"]
    finally:
        harness.close()


def test_at_capacity_a_post_is_refused_with_429_and_retry_after(tmp_path: Path) -> None:
    harness = Harness(tmp_path, max_in_flight=1)
    try:
        harness.gate.clear()
        assert harness.client.post("/api/v1/posts", json=body("a"), headers=BEARER_A).status_code == 202
        refused = harness.client.post("/api/v1/posts", json=body("b"), headers=BEARER_A)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"] == "at_capacity"
    finally:
        harness.close()
