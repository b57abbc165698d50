"""``postguard screen`` on posts with attachments: JSONL shows attachment_id / field, text stays put."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from postguard.cli import main

pytestmark = pytest.mark.unit

TEXT = "Textbook healing on this hip fracture - proud of our radiology team!"
SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "posts.jsonl"


def screen(tmp_path: Path, posts: list[dict], *extra: str) -> tuple[int, list[dict]]:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    code = main(["screen", "--input", str(src), "--output", str(out), "--no-models", *extra])
    return code, [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]


def test_jsonl_shows_attachment_id_and_field_only_on_attachment_findings(tmp_path: Path) -> None:
    post = {
        "post_id": "a1",
        "institution_id": "demo-hospital",
        "platform": "x",
        "text": "Discharged 3/14 after a long stay - well done team!",
        "attachments": [{"attachment_id": "img-1", "alt_text": "X-ray of Mrs. Lopez's hip, 3/4"}],
    }
    code, (record,) = screen(tmp_path, [post])
    assert code == 0 and record["verdict"] == "BLOCK"
    assert record["redacted_text"] == "Discharged [DATE] after a long stay - well done team!"
    in_text = [f for f in record["findings"] if "attachment_id" not in f]
    on_attachment = [f for f in record["findings"] if "attachment_id" in f]
    assert [f["label"] for f in in_text] == ["DATE"] and all("field" not in f for f in in_text)
    assert {(f["attachment_id"], f["field"], f["label"]) for f in on_attachment} == {
        ("img-1", "alt_text", "PERSON"),
        ("img-1", "alt_text", "DATE"),
    }


def test_bundled_dicom_sample_blocks_with_metadata_findings_and_untouched_text(tmp_path: Path) -> None:
    samples = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    dicom = [p for p in samples if any(a.get("metadata") for a in p.get("attachments", []))]
    assert len(dicom) == 1
    code, (record,) = screen(tmp_path, dicom)
    assert code == 0 and record["verdict"] == "BLOCK"
    assert record["redacted_text"] == dicom[0]["text"]
    fields = {f.get("field") for f in record["findings"]}
    assert {"metadata:PatientName", "metadata:StudyDate", "alt_text"} <= fields


def test_oversized_alt_text_is_an_error_record_that_does_not_quote_it(tmp_path: Path) -> None:
    post = {
        "post_id": "a2",
        "institution_id": "demo-hospital",
        "platform": "x",
        "text": TEXT,
        "attachments": [{"attachment_id": "img-1", "alt_text": "Mrs Lopez " * 150}],
    }
    code, (record,) = screen(tmp_path, [post])
    assert code == 1 and "attachments[0].alt_text" in record["error"] and "Lopez" not in record["error"]
