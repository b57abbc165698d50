"""The post page's redacted image copies: shown (with that image's findings) to the institution's reviewers,
served by a login-protected route that checks the post's decision names the copy, 404 to anyone else."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from console_helpers import DEMO, RIVERSIDE, logged_in, new_client, post_path
from postguard.domain.images.store import DirectoryStore
from postguard.domain.types import Category, Finding, Post

PNG = b"\x89PNG\r\n\x1a\n" + b"the redacted copy"
IMG_SRC = re.compile(r'<img src="([^"]+)"[^>]*data-testid="image-copy"')


def hold_with_image(world, store: DirectoryStore | None, post_id: str = "img-1", institution: str = DEMO):
    """A held post whose decision names a redacted copy of attachment photo-1 (and an OCR finding on it)."""
    reference = store.put(PNG) if store is not None else "sha256:" + "e" * 64 + ".png"
    post = Post(post_id=post_id, institution_id=institution, platform="x", text="Our patient John Smith.")
    screened = world.pipeline.screen(post)
    finding = Finding(
        Category.IDENTIFIER,
        "MEDICAL_RECORD_NUMBER",
        0,
        12,
        0.9,
        "ocr",
        "Text in the image: A medical record number identifies the patient",
        attachment_id="photo-1",
        field="ocr",
    )
    decision = dataclasses.replace(
        screened, findings=(*screened.findings, finding), redacted_attachments=(("photo-1", reference),)
    )
    world.audit.record(decision)
    assert world.desk.hold(decision, post) is not None
    return reference


@pytest.fixture
def store(tmp_path: Path, app) -> DirectoryStore:
    kept = DirectoryStore(tmp_path / "redacted")
    app.state.console.redacted_store = kept
    return kept


def test_the_reviewer_sees_the_copy_and_its_findings(app, world, store) -> None:
    reference = hold_with_image(world, store)
    alice = logged_in(app, "alice")
    page = alice.get(post_path("img-1"))
    assert page.status_code == 200
    assert "does not keep the original image bytes" in page.text
    assert "publishes these redacted copies" in page.text
    section = page.text.split('data-testid="images"', 1)[1].split("</section>", 1)[0]
    assert 'data-label="MEDICAL_RECORD_NUMBER"' in section and "A medical record number" in section
    src = IMG_SRC.search(section)
    assert src and reference.removeprefix("sha256:") in src.group(1)
    image = alice.get(src.group(1))
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["content-type"] == "image/png"
    assert image.headers["cache-control"] == "private, no-store"
    directives = [d.strip() for d in page.headers["content-security-policy"].split(";")]
    assert "img-src 'self'" in directives  # images from the console itself only, no data:


def test_another_institution_a_stranger_and_an_unnamed_copy_get_nothing(app, world, store) -> None:
    reference = hold_with_image(world, store)
    orphan = store.put(PNG + b" never named")
    path = f"/redacted/{DEMO}/{reference}/img-1"
    bob = logged_in(app, "bob")
    for refused in (
        bob.get(path),
        bob.get(f"/redacted/{RIVERSIDE}/{reference}/img-1"),  # his institution, not the post's
        logged_in(app, "alice").get(f"/redacted/{DEMO}/{orphan}/img-1"),
        logged_in(app, "alice").get(f"/redacted/{DEMO}/{reference}/no-such-post"),
    ):
        assert refused.status_code == 404 and PNG not in refused.content
    assert new_client(app).get(path).status_code == 303  # to the login page


def test_without_a_store_the_page_says_so_and_shows_no_img(app, world) -> None:
    hold_with_image(world, None)
    page = logged_in(app, "alice").get(post_path("img-1"))
    assert page.status_code == 200
    assert 'data-testid="image-missing"' in page.text and "<img" not in page.text
    assert 'data-label="MEDICAL_RECORD_NUMBER"' in page.text


def test_a_post_without_image_copies_has_no_images_section(app, world, store) -> None:
    world.hold("text-only")
    page = logged_in(app, "alice").get(post_path("text-only"))
    assert page.status_code == 200 and 'data-testid="images"' not in page.text
