"""The embedded pipeline on posts with image bytes: the issue's test images end to end.

Each case is a post with one generated image (tests/image_support.py). The decision must act on what is in
the picture (burned-in text, metadata in the bytes, faces), its findings must carry the attachment, the
field and the pixel box, and the redacted copy must hold none of the flagged text (read again with OCR)
and no metadata. Clean pictures must pass. Loads the shipped NER (names need it), so marked ``models``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import image_support as images
import pytest
from PIL import Image
from postguard.domain.advice import AdviceClassifier
from postguard.domain.images.decode import decode_image
from postguard.domain.images.metadata import read_metadata
from postguard.domain.images.ocr import TesseractOcr
from postguard.domain.images.screen import ImageScreener
from postguard.domain.images.store import DirectoryStore
from postguard.domain.pipeline import ScreeningPipeline
from postguard.domain.types import IMAGE_SCREENING_STAGE, Attachment, ContentLabel, Post, Verdict

pytestmark = pytest.mark.models

NAME, DATE = "Marta Kowalczyk", "03/14/2024"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> ScreeningPipeline:
    built = ScreeningPipeline.default(use_models=True)
    built.store = DirectoryStore(tmp_path_factory.mktemp("redacted"))
    return built


def image_post(data: bytes, post_id: str = "img-1", **fields: str) -> Post:
    return Post(
        post_id,
        "demo-hospital",
        "instagram",
        "Proud of our imaging team this week.",
        attachments=(Attachment("photo-1", content=data),),
        **fields,
    )


def read_words(data: bytes) -> str:
    """Everything OCR reads in an image's first frame, lower case."""
    return TesseractOcr().read(decode_image(data).frames[0]).text.lower()


def redacted_copy(pipeline: ScreeningPipeline, decision) -> bytes:
    references = dict(decision.redacted_attachments)
    assert set(references) == {"photo-1"}
    return pipeline.store.get(references["photo-1"])  # type: ignore[union-attr]


def test_radiograph_with_burned_in_name_and_date_is_held_and_the_copy_covers_them(pipeline) -> None:
    decision = pipeline.screen(image_post(images.radiograph_png([NAME, DATE])))
    assert decision.verdict in (Verdict.REVIEW, Verdict.BLOCK)
    read = {f.label: f for f in decision.findings if f.field == "ocr"}
    assert {"PERSON", "DATE"} <= set(read)
    assert all(f.attachment_id == "photo-1" and f.attribute("box") for f in read.values())
    left, top, width, height = map(int, read["DATE"].attribute("box").split(","))
    assert width > 0 and height > 0 and left + width <= 640 and top + height <= 640
    copy = redacted_copy(pipeline, decision)
    again = read_words(copy)
    assert "kowalczyk" not in again and "2024" not in again
    assert "photo-1" in json.dumps(dict(decision.redacted_attachments))


def test_photo_with_gps_exif_is_flagged_by_tag_and_the_copy_has_no_metadata(pipeline) -> None:
    data = images.photo_jpeg_with_gps(41.8781, -87.6298)
    decision = pipeline.screen(image_post(data))
    tags = {f.field for f in decision.findings if f.label == "LOCATION"}
    assert any("GPS" in tag for tag in tags)
    assert decision.verdict is not Verdict.ALLOW
    assert all("41.8" not in reason and "87.6" not in reason for reason in decision.reasons)
    copy = redacted_copy(pipeline, decision)
    assert read_metadata(copy, decode_image(copy)) == []
    assert not Image.open(io.BytesIO(copy)).getexif()


def test_dicom_with_patient_name_and_burned_in_annotation(pipeline) -> None:
    burned_in = ["KOWALCZYK MARTA", "2024-03-05"]
    data = images.dicom_bytes("KOWALCZYK^MARTA", "MRN4410021", burned_in_lines=burned_in)
    decision = pipeline.screen(image_post(data))
    assert decision.verdict is Verdict.BLOCK  # a named patient plus other identifiers
    fields = {(f.label, f.field) for f in decision.findings}
    assert ("PERSON", "metadata:DICOM:PatientName") in fields
    assert any(label == "DATE" and field == "ocr" for label, field in fields)
    copy = redacted_copy(pipeline, decision)
    assert decode_image(copy).format == "PNG"  # the header is gone with the DICOM container
    assert "2024-03-05" not in read_words(copy)


def test_whiteboard_of_beds_and_names(pipeline) -> None:
    data = images.whiteboard_png(["Bed 4 - T. Okafor", "Bed 5 - Reyes", "Bed 6 - Lindqvist"])
    decision = pipeline.screen(image_post(data))
    labels = [f.label for f in decision.findings if f.field == "ocr"]
    assert labels.count("FACILITY") >= 2  # the bed numbers
    assert decision.verdict in (Verdict.REVIEW, Verdict.BLOCK)


def test_face_photo_is_held_unless_the_post_carries_a_valid_consent(pipeline) -> None:
    decision = pipeline.screen(image_post(images.face_jpeg()))
    faces = [f for f in decision.findings if f.label == "FACE"]
    assert decision.verdict is Verdict.REVIEW and len(faces) == 1 and faces[0].field == "pixels"
    consented = pipeline.screen(image_post(images.face_jpeg(), consent_reference="MC-2025-00417"))
    assert consented.verdict is Verdict.ALLOW
    refused = pipeline.screen(image_post(images.face_jpeg(), consent_reference="n/a"))
    assert refused.verdict is Verdict.REVIEW


@pytest.mark.parametrize("build", [images.chart_png, images.landscape_jpeg], ids=["chart", "landscape"])
def test_clean_pictures_pass(pipeline, build) -> None:
    decision = pipeline.screen(image_post(build()))
    assert decision.verdict is Verdict.ALLOW, decision.reasons
    assert decision.findings == () and decision.redacted_attachments == ()


def test_without_an_image_screener_a_post_with_images_is_held_as_incomplete(pipeline) -> None:
    text_only = ScreeningPipeline(pipeline.identifiers, pipeline.advice, pipeline.policies)
    decision = text_only.screen(image_post(images.chart_png()))
    assert decision.verdict is Verdict.REVIEW
    assert decision.incomplete_stages == (IMAGE_SCREENING_STAGE,)
    text_post = Post("t-1", "demo-hospital", "x", "Flu clinic opens Monday.")
    assert text_only.screen(text_post).verdict is Verdict.ALLOW


def test_an_unreadable_image_fails_only_its_own_post_closed(pipeline) -> None:
    bad = image_post(images.truncated(images.chart_png(), 0.3), post_id="bad")
    good = image_post(images.chart_png(), post_id="good")
    decisions = pipeline.screen_batch([bad, good])
    assert decisions[0].verdict is Verdict.REVIEW and IMAGE_SCREENING_STAGE in decisions[0].incomplete_stages
    assert decisions[1].verdict is Verdict.ALLOW


def test_cli_reads_attachment_paths_and_writes_redacted_copies(tmp_path: Path) -> None:
    (tmp_path / "xray.png").write_bytes(images.radiograph_png([NAME, DATE]))
    line = {
        "post_id": "cli-img",
        "institution_id": "demo-hospital",
        "platform": "x",
        "text": "Interesting film today.",
        "attachments": [{"attachment_id": "xray", "media_type": "image/png", "path": "xray.png"}],
    }
    (tmp_path / "posts.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    out_dir = tmp_path / "redacted"
    run = subprocess.run(
        [sys.executable, "-m", "postguard.cli", "screen", "--input", str(tmp_path / "posts.jsonl"),
         "--redacted-dir", str(out_dir), "--workers", "1"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)
    assert record["verdict"] in ("REVIEW", "BLOCK")
    reference = record["redacted_attachments"]["xray"]
    copy = DirectoryStore(out_dir).get(reference)
    assert "kowalczyk" not in read_words(copy)
    assert NAME not in run.stderr and NAME not in json.dumps(record["reasons"])


def test_cli_refuses_a_missing_attachment_file_without_naming_it(tmp_path: Path) -> None:
    line = {
        "post_id": "cli-missing",
        "institution_id": "demo-hospital",
        "platform": "x",
        "text": "x",
        "attachments": [{"attachment_id": "a", "path": "Marta_Kowalczyk_xray.png"}],
    }
    (tmp_path / "posts.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "postguard.cli", "screen", "--input", str(tmp_path / "posts.jsonl"),
         "--no-models"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert run.returncode == 1
    record = json.loads(run.stdout)
    assert "attachments[0].path" in record["error"] and "Kowalczyk" not in record["error"]


def test_screenshot_of_a_record_is_a_record_image(pipeline) -> None:
    screen = images.text_image(
        ["Patient: Okafor, Tobenna", "DOB: 1957-02-11", "MRN 4471203", "Bed 12 - Ward 7B"], size=(760, 260)
    )
    decision = pipeline.screen(image_post(images.png_bytes(screen)))
    records = [f for f in decision.findings if f.label == "RECORD_IMAGE"]
    assert len(records) == 1 and records[0].field == "ocr" and records[0].attribute("box")
    assert decision.verdict is Verdict.BLOCK


class _LoudModel:
    """A text model that rates every text as every content label (the seam, not a trained model)."""

    def __init__(self) -> None:
        self.thresholds = {label.value: 0.5 for label in ContentLabel}

    def score(self, texts):
        return [{label.value: 0.99 for label in ContentLabel} for _ in texts]


def test_read_text_is_screened_by_the_content_rules_without_the_text_model() -> None:
    loud = AdviceClassifier(text_model=_LoudModel())
    screener = ImageScreener.default(None, loud)
    text = "Q1 Q2 Q3 Q4 2024 admissions"
    assert screener.classify_texts([text]) == [[]]  # no model-only finding on OCR words
    detectors = {f.detector for f in loud.classify(Post("p", "demo-hospital", "x", text))}
    assert detectors == {f"model:{label.value}" for label in ContentLabel}  # on a post it uses its model
