"""Redacted image copies through the real all-in-one server (its own embedded pipeline, rules only, OCR
by tesseract): a post whose image has a burned-in record number and birth date is held, its decision
names a redacted copy kept under the data dir, the platform of that institution fetches the copy over
the HTTP API, nobody else does, and the console's post page shows it to that institution's reviewers."""

from __future__ import annotations

import base64
import hashlib
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import image_support as images
import pytest
from argon2 import PasswordHasher
from postguard.allinone.server import AllInOne, build
from postguard.allinone.settings import AllInOneSettings
from postguard.console.settings import ConsoleSettings
from postguard.console.users import Role, User, write_users
from postguard.ingest.auth import token_sha256

TOKEN = "redacted-test-token-demo-hospital"
OTHER = "redacted-test-token-riverside"
PASSWORD = "correct horse battery"
SECRET = "r" * 40
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
IMG_SRC = re.compile(r'<img src="([^"]+)"[^>]*data-testid="image-copy"')


def write_config(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    write_users(
        data / "users.yaml",
        [
            User("alice", hasher.hash(PASSWORD), frozenset({"demo-hospital"}), Role.REVIEWER),
            User("bob", hasher.hash(PASSWORD), frozenset({"riverside-clinic"}), Role.REVIEWER),
        ],
    )
    (data / "tokens.yaml").write_text(
        "clients:\n"
        f"  - {{name: demo-comms, institutions: [demo-hospital], token_sha256: [{token_sha256(TOKEN)}]}}\n"
        f"  - {{name: river, institutions: [riverside-clinic], token_sha256: [{token_sha256(OTHER)}]}}\n"
    )
    (data / "session-secret").write_text(SECRET + "\n")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("allinone-redacted") / "data"


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[AllInOne]:
    write_config(data)
    settings = AllInOneSettings(
        data_dir=data,
        bind_address="127.0.0.1",
        grpc_port=0,
        http_port=0,
        metrics_port=0,
        use_models=False,  # the server builds its own pipeline: the redacted dir must reach it
    )
    running = build(settings, console_settings=ConsoleSettings(cookie_secure=False)).start()
    yield running
    running.close()


@pytest.fixture(scope="module")
def held(server: AllInOne) -> dict:
    """The decision of a post whose X-ray carries a record number and a birth date, screened over HTTP."""
    picture = images.radiograph_png(["MRN 12345678", "DOB 03/14/1950"])
    body = {
        "post_id": "img-held-1",
        "institution_id": "demo-hospital",
        "platform": "instagram",
        "text": "Proud of our imaging team this week.",
        "attachments": [{"attachment_id": "photo-1", "content_base64": base64.b64encode(picture).decode()}],
    }
    with httpx.Client(base_url=base(server), timeout=60) as client:
        screened = client.post(
            "/api/v1/screen", json=body, headers=bearer(TOKEN), params={"timeout_seconds": 60}
        )
    assert screened.status_code == 200, screened.text
    return screened.json()


def base(server: AllInOne) -> str:
    return f"http://127.0.0.1:{server.http_port}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def reference_of(decision: dict) -> str:
    references = decision.get("redacted_attachments", {})
    assert set(references) == {"photo-1"}, decision.get("reasons")
    return references["photo-1"]


def test_the_held_decision_names_a_copy_kept_under_the_data_dir(
    server: AllInOne, held: dict, data: Path
) -> None:
    assert held["verdict"] in ("REVIEW", "BLOCK")
    assert {"MEDICAL_RECORD_NUMBER", "DATE"} <= {f["label"] for f in held["findings"]}
    reference = reference_of(held)
    redacted_dir = data / "redacted"  # the default POSTGUARD_ALLINONE_REDACTED_DIR
    assert stat.S_IMODE(redacted_dir.stat().st_mode) == 0o700
    kept = redacted_dir / reference.removeprefix("sha256:")
    assert kept.is_file()
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == reference[7:71]
    assert server.desk.item("demo-hospital", "img-held-1") is not None  # held in the review queue


def test_the_http_api_serves_the_copy_to_its_institution_only(server: AllInOne, held: dict) -> None:
    reference = reference_of(held)
    with httpx.Client(base_url=base(server), timeout=30) as client:
        mine = client.get(f"/api/v1/redacted/{reference}", headers=bearer(TOKEN))
        assert mine.status_code == 200
        assert mine.headers["content-type"] == "image/png"
        assert mine.headers["cache-control"] == "private, no-store"
        assert hashlib.sha256(mine.content).hexdigest() == reference[7:71]
        assert mine.content.startswith(b"\x89PNG")

        theirs = client.get(f"/api/v1/redacted/{reference}", headers=bearer(OTHER))
        unknown = client.get(f"/api/v1/redacted/sha256:{'0' * 64}.png", headers=bearer(TOKEN))
        upper = client.get(f"/api/v1/redacted/{reference.upper()}", headers=bearer(TOKEN))
        wrong_ext = client.get(f"/api/v1/redacted/{reference[:-3]}gif", headers=bearer(TOKEN))
        bad = client.get("/api/v1/redacted/sha256:..%2F..%2Faudit.sqlite", headers=bearer(TOKEN))
        for refused in (theirs, unknown, upper, wrong_ext):
            assert refused.status_code == 404
            assert (
                refused.json() == theirs.json() == {"error": "not_found", "message": "no such redacted copy"}
            )
        assert bad.status_code == 404 and b"SQLite" not in bad.content
        assert client.get(f"/api/v1/redacted/{reference}").status_code == 401


def console_login(client: httpx.Client, username: str) -> None:
    token = CSRF_FIELD.search(client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1), "next": "/queue"},
    )
    assert response.status_code == 303, response.text


def test_the_console_shows_the_copy_to_that_institutions_reviewers(server: AllInOne, held: dict) -> None:
    reference = reference_of(held)
    page_path = "/posts/demo-hospital/img-held-1"
    with httpx.Client(base_url=base(server), timeout=30) as alice:
        console_login(alice, "alice")
        page = alice.get(page_path)
        assert page.status_code == 200
        assert "redacted copy" in page.text and "does not keep the original image" in page.text
        assert "publishes these redacted copies" in page.text
        directives = [d.strip() for d in page.headers["content-security-policy"].split(";")]
        assert "img-src 'self'" in directives  # images from the console itself only, no data:
        src = IMG_SRC.search(page.text)
        assert src, "no <img> of the redacted copy on the post page"
        findings = page.text.split('data-testid="image-findings"', 1)[1].split("</table>", 1)[0]
        assert 'data-label="MEDICAL_RECORD_NUMBER"' in findings and "ocr" in findings
        image = alice.get(src.group(1).replace("&amp;", "&"))
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.headers["cache-control"] == "private, no-store"
        assert hashlib.sha256(image.content).hexdigest() == reference[7:71]
        # a reference the post's decision does not name is not served, even though it is well formed
        other = src.group(1).replace(reference[7:71], "0" * 64)
        assert alice.get(other).status_code == 404
    with httpx.Client(base_url=base(server), timeout=30) as bob:
        console_login(bob, "bob")
        assert bob.get(page_path).status_code == 404
        refused = bob.get(src.group(1))
        assert refused.status_code == 404 and not refused.content.startswith(b"\x89PNG")
    with httpx.Client(base_url=base(server), timeout=30) as stranger:
        assert stranger.get(src.group(1)).status_code in (302, 303, 307)  # to the login page


def test_approving_as_written_publishes_a_version_naming_the_same_copy(server: AllInOne, held: dict) -> None:
    reference = reference_of(held)
    with httpx.Client(base_url=base(server), timeout=30) as alice:
        console_login(alice, "alice")
        page = alice.get("/posts/demo-hospital/img-held-1")
        token = CSRF_FIELD.search(page.text)
        assert token
        approved = alice.post(
            "/act/approve/demo-hospital/img-held-1", data={"csrf_token": token.group(1), "note": ""}
        )
        assert approved.status_code == 303, approved.text
        newest = alice.get("/api/v1/decisions/demo-hospital/img-held-1", headers=bearer(TOKEN)).json()
        assert newest["version"] == held["version"] + 1 and newest["review"]["reviewer"] == "alice"
        assert newest["redacted_attachments"] == {"photo-1": reference}
        fetched = alice.get(f"/api/v1/redacted/{reference}", headers=bearer(TOKEN))
        assert fetched.status_code == 200 and hashlib.sha256(fetched.content).hexdigest() == reference[7:71]
        assert alice.get(f"/api/v1/redacted/{reference}", headers=bearer(OTHER)).status_code == 404
