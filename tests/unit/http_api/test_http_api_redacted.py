"""``GET /api/v1/redacted/{reference}``: the reference format, the per-institution index and the route."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from postguard.domain.images.store import DirectoryStore
from postguard.domain.types import Decision, Verdict
from postguard.http_api.router import RedactedIndex, create_router, reference_type
from postguard.ingest.auth import AuthMode, Client, InstitutionAuthorizer, token_sha256

TOKEN_A, TOKEN_B = "token-of-demo-hospital-comms", "token-of-riverside-clinic-comms"
PNG = b"\x89PNG\r\n\x1a\n" + b"not really a picture, but PNG by its first bytes"
JPEG = b"\xff\xd8\xff" + b"a jpeg by its first bytes"
NOT_FOUND = {"error": "not_found", "message": "no such redacted copy"}


def decision(institution: str, *references: str) -> Decision:
    return Decision(
        post_id="p1",
        institution_id=institution,
        verdict=Verdict.REVIEW,
        findings=(),
        reasons=(),
        redacted_text="",
        policy_id="demo",
        policy_version="1",
        text_sha256="0" * 64,
        redacted_attachments=tuple((f"a{i}", ref) for i, ref in enumerate(references)),
    )


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("sha256:" + "a" * 64 + ".png", "image/png"),
        ("sha256:" + "0" * 64 + ".jpg", "image/jpeg"),
        ("sha256:" + "A" * 64 + ".png", None),
        ("sha256:" + "a" * 63 + ".png", None),
        ("sha256:" + "a" * 64 + ".bin", None),
        ("sha256:" + "a" * 64 + ".png/", None),
        ("sha256:" + "a" * 62 + "_1.png", None),
        ("sha256:../../" + "a" * 58 + ".png", None),
        ("a" * 64 + ".png", None),
        ("sha256:" + "a" * 64 + ".png\n", None),
    ],
)
def test_reference_format_is_strict(reference: str, expected: str | None) -> None:
    assert reference_type(reference) == expected


def test_the_index_remembers_each_institution_and_forgets_the_oldest() -> None:
    index = RedactedIndex(max_entries=2)
    one, two, three = ("sha256:" + c * 64 + ".png" for c in "123")
    index.note(decision("demo-hospital", one))
    index.note(decision("riverside-clinic", one))
    assert index.owners(one) == {"demo-hospital", "riverside-clinic"}
    index.note(decision("demo-hospital", two))
    index.note(decision("demo-hospital", three))  # one is the least recently noted: forgotten
    assert index.owners(one) == frozenset() and len(index) == 2
    assert index.owners(three) == {"demo-hospital"}


@pytest.fixture
def setup(tmp_path: Path):
    store = DirectoryStore(tmp_path / "redacted")
    png, jpeg, orphan = store.put(PNG), store.put(JPEG), store.put(PNG + b"never named by a decision")
    index = RedactedIndex()
    index.note(decision("demo-hospital", png, jpeg))
    authorizer = InstitutionAuthorizer(
        AuthMode.TOKEN,
        [
            Client("a", frozenset({"demo-hospital"}), token_digests=(bytes.fromhex(token_sha256(TOKEN_A)),)),
            Client(
                "b", frozenset({"riverside-clinic"}), token_digests=(bytes.fromhex(token_sha256(TOKEN_B)),)
            ),
        ],
    )
    servicer = SimpleNamespace(authorizer=authorizer, max_text_chars=5000, max_screen_timeout=30)
    app = FastAPI()
    app.include_router(create_router(servicer, redacted=store, redacted_index=index))  # type: ignore[arg-type]
    return TestClient(app), png, jpeg, orphan, store


def get(client: TestClient, reference: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/redacted/{reference}", headers=headers)


def test_the_institution_whose_decision_names_a_copy_gets_its_bytes(setup) -> None:
    client, png, jpeg, _, _ = setup
    got = get(client, png, TOKEN_A)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["cache-control"] == "private, no-store"
    assert got.headers["x-content-type-options"] == "nosniff"
    jpg = get(client, jpeg, TOKEN_A)
    assert jpg.status_code == 200 and jpg.content == JPEG and jpg.headers["content-type"] == "image/jpeg"


def test_everything_else_is_the_same_404(setup) -> None:
    client, png, _, orphan, store = setup
    (store.directory / "sha256-lookalike.png").write_bytes(PNG)
    for reference, token in [
        (png, TOKEN_B),  # another institution, valid token
        (orphan, TOKEN_A),  # kept on disk, but no decision of the caller named it
        ("sha256:" + "f" * 64 + ".png", TOKEN_A),  # unknown
        (png.upper(), TOKEN_A),
        ("sha256-lookalike.png", TOKEN_A),
        ("..%2Fredacted%2F" + png.removeprefix("sha256:"), TOKEN_A),
    ]:
        refused = get(client, reference, token)
        assert refused.status_code == 404, reference
        assert PNG not in refused.content
        if "%2F" not in reference:
            assert refused.json() == NOT_FOUND


def test_a_named_copy_missing_on_disk_is_404_and_no_token_is_401(setup) -> None:
    client, png, _, _, store = setup
    assert get(client, png, None).status_code == 401
    store.path_of(png).unlink()
    missing = get(client, png, TOKEN_A)
    assert missing.status_code == 404 and missing.json() == NOT_FOUND
