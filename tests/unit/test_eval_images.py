"""The image hold-out builder (data/holdout/images) is deterministic and its cases file validates; the
scorer of training.eval_images counts labels and verdict classes as documented. Nothing here runs the
image stage or asserts what it detects."""

from __future__ import annotations

import copy
import hashlib
import io
from pathlib import Path

import pydicom
import pytest
from PIL import Image
from postguard.domain.types import Verdict

from training.eval_images import Outcome, load_builder, summarise

pytestmark = pytest.mark.unit

builder = load_builder()


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return builder.load_cases()


@pytest.fixture(scope="module")
def built(cases, tmp_path_factory) -> list:
    return builder.build_all(tmp_path_factory.mktemp("first"), cases)


def test_cases_file_validates_with_the_planned_mix(cases):
    assert builder.validate(cases) == []
    assert 60 <= len(cases) <= 80
    assert {c["set"] for c in cases} == set(builder.SETS)
    held = sum(c["expect"] == "held" for c in cases)
    assert 0.55 <= held / len(cases) <= 0.75


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c.update(labels=[]), "held cases need labels"),
        (lambda c: c.update(labels=["PATIENT_NAME"]), "unknown labels"),
        (lambda c: c["image"].update(rotate=5), "rotation over 3 degrees"),
        (lambda c: c["image"]["text"][0].update(size=60), "font size outside 18-48"),
        (lambda c: c.update(colour="red"), "unknown keys"),
    ],
)
def test_validate_reports_a_broken_case(cases, change, problem):
    broken = copy.deepcopy(cases)
    first = next(c for c in broken if c["expect"] == "held" and c["image"].get("text"))
    change(first)
    assert any(problem in p and first["id"] in p for p in builder.validate(broken))


def test_every_case_builds_to_a_readable_file_with_its_metadata(cases, built):
    assert [b.case["id"] for b in built] == [c["id"] for c in cases]
    for b in built:
        assert b.path.read_bytes() == b.content
        fmt = b.case["image"].get("format", "jpeg")
        if fmt == "dicom":
            ds = pydicom.dcmread(io.BytesIO(b.content))
            for keyword, value in b.case["image"]["dicom"].items():
                assert str(getattr(ds, keyword)) == value
            assert ds.pixel_array.shape == tuple(reversed(b.case["image"]["size"]))
            continue
        img = Image.open(io.BytesIO(b.content))
        assert img.format == {"jpeg": "JPEG", "png": "PNG"}[fmt]
        assert list(img.size) == b.case["image"]["size"]
        exif = b.case["image"].get("exif", {})
        if "GPS" in exif:
            assert img.getexif().get_ifd(0x8825)[1] in "NS"
        if "DateTimeOriginal" in exif:
            assert img.getexif().get_ifd(0x8769)[0x9003] == exif["DateTimeOriginal"]
        for key, value in b.case["image"].get("png_text", {}).items():
            assert img.text[key] == value


def test_building_again_gives_the_same_bytes(cases, built, tmp_path: Path):
    again = builder.build_all(tmp_path, cases)
    digest = [hashlib.sha256(b.content).hexdigest() for b in built]
    assert [hashlib.sha256(b.content).hexdigest() for b in again] == digest
    assert len(set(digest)) == len(digest)  # no two cases draw the same image


def outcome(expected, predicted, verdict, *, held_expected=True, neutral=()) -> Outcome:
    return Outcome(
        "x", "s", frozenset(expected), frozenset(neutral), held_expected, verdict, frozenset(predicted), False
    )


def test_scorer_counts_labels_per_case_and_ignores_neutral_ones():
    s = summarise(
        "t",
        [
            outcome(
                {"PERSON", "DATE"}, {"PERSON", "ACCOUNT_NUMBER"}, Verdict.BLOCK, neutral={"ACCOUNT_NUMBER"}
            ),
            outcome({"FACE"}, set(), Verdict.ALLOW),
            outcome(set(), {"DATE"}, Verdict.ALLOW_WITH_CHANGES, held_expected=False),
            outcome(set(), set(), Verdict.ALLOW, held_expected=False),
        ],
    )
    assert (s.labels["PERSON"].tp, s.labels["DATE"].fn, s.labels["DATE"].fp, s.labels["FACE"].fn) == (
        1,
        1,
        1,
        1,
    )
    assert "ACCOUNT_NUMBER" not in s.labels
    assert (s.micro.tp, s.micro.fp, s.micro.fn) == (1, 1, 2)
    assert (s.verdict_correct, s.clean_held, s.clean, s.positive_allowed, s.positive) == (2, 1, 2, 1, 2)
    assert s.verdicts == {"BLOCK": 1, "ALLOW": 1}  # verdicts of the cases expected held
