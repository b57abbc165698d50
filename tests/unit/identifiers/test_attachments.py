"""Attachment screening: alt text through the text recognizers, EXIF / DICOM tags by name."""

from __future__ import annotations

import pytest
from identifier_support import detector
from postguard.domain.identifiers.attachments import (
    METADATA_DETECTOR,
    attachment_findings,
    caption_dates,
    classify_tag,
    metadata_findings,
)
from postguard.domain.types import Attachment, Category, Post

pytestmark = pytest.mark.unit

CLEAN_TEXT = "Proud of our radiology team this week!"
ALT = "X-ray of Mrs. Lopez's hip, 3/4"


def post_with(*attachments: Attachment, text: str = CLEAN_TEXT) -> Post:
    return Post("p1", "inst-1", "x", text, attachments=attachments)


def on_attachments(post: Post) -> list[tuple[str, str, str, str]]:
    """``(attachment_id, field, label, covered value)`` for each attachment finding of ``post``."""
    out = []
    values = {a.attachment_id: a for a in post.attachments}
    for f in detector().detect(post):
        if f.in_text:
            continue
        a = values[f.attachment_id]
        source = a.alt_text if f.field == "alt_text" else a.metadata[f.field.removeprefix("metadata:")]
        out.append((f.attachment_id, f.field, f.label, source[f.start : f.end]))
    return out


def test_dicom_patient_name_and_study_date_are_flagged_by_tag_without_quoting_the_value() -> None:
    meta = {
        "Modality": "CR",
        "PatientName": "LOPEZ^MARIA",
        "StudyDate": "20240304",
        "BodyPartExamined": "HIP",
    }
    p = post_with(Attachment("img-1", "application/dicom", metadata=meta))
    found = detector().detect(p)
    assert {(f.attachment_id, f.field, f.label) for f in found} == {
        ("img-1", "metadata:PatientName", "PERSON"),
        ("img-1", "metadata:StudyDate", "DATE"),
    }
    for f in found:
        assert f.detector == METADATA_DETECTOR and f.category == Category.IDENTIFIER
        value = meta[f.field.removeprefix("metadata:")]
        assert (f.start, f.end) == (0, len(value))
        assert value not in f.reason and "LOPEZ" not in f.reason and "2024" not in f.reason
    name = next(f for f in found if f.label == "PERSON")
    assert name.reason.startswith("Attachment metadata (DICOM PatientName) names a person")
    assert "strip the metadata" in name.reason and "de-identified" in name.suggestion


def test_exif_gps_gives_location_and_dates_serials_owner_their_labels() -> None:
    meta = {
        "GPS:GPSLatitude": "40 deg 26' 46.30\" N",
        "GPSLongitude": "79 deg 58' 56.00\" W",
        "EXIF:DateTimeOriginal": "2024:03:04 10:15:02",
        "BodySerialNumber": "032024001234",
        "OwnerName": "Dr. Jane Roe",
        "Make": "Canon",
    }
    got = {(f.field, f.label) for f in metadata_findings(Attachment("ph-1", "image/jpeg", metadata=meta))}
    assert got == {
        ("metadata:GPS:GPSLatitude", "LOCATION"),
        ("metadata:GPSLongitude", "LOCATION"),
        ("metadata:EXIF:DateTimeOriginal", "DATE"),
        ("metadata:BodySerialNumber", "DEVICE_ID"),
        ("metadata:OwnerName", "PERSON"),
    }


def test_clean_photo_metadata_and_empty_or_placeholder_values_give_nothing() -> None:
    clean = {"Make": "Canon", "Model": "EOS R6", "ExposureTime": "1/125", "FNumber": "4.0", "ISO": "400"}
    placeholders = {
        "PatientName": "ANONYMOUS",
        "PatientID": "  ",
        "OtherPatientNames": "^^",
        "DateTimeOriginal": "0000:00:00 00:00:00",
        "GPSLatitude": "0 deg 0' 0.00\"",
    }
    p = post_with(
        Attachment("img-1", "image/jpeg", alt_text="Our new MRI suite", metadata=clean),
        Attachment("img-2", "application/dicom", metadata=placeholders),
    )
    assert detector().detect(p) == []


def test_alt_text_runs_the_text_recognizers_and_dates_the_image() -> None:
    p = post_with(Attachment("img-1", "image/png", alt_text=ALT))
    assert set(on_attachments(p)) == {
        ("img-1", "alt_text", "PERSON", "Lopez"),
        ("img-1", "alt_text", "DATE", "3/4"),
    }
    for f in detector().detect(p):
        assert f.reason.startswith("Attachment alt text:") and "alt text" in f.suggestion


def test_free_text_tags_are_screened_like_text() -> None:
    meta = {"ImageDescription": "Patient John Smith, MRN 12345678", "StudyDescription": "CT CHEST W/O"}
    got = set(on_attachments(post_with(Attachment("img-1", "image/jpeg", metadata=meta))))
    assert ("img-1", "metadata:ImageDescription", "PERSON", "John Smith") in got
    assert ("img-1", "metadata:ImageDescription", "MEDICAL_RECORD_NUMBER", "12345678") in got
    assert all(field != "metadata:StudyDescription" for _, field, _, _ in got)


def test_post_text_findings_come_first_and_keep_indexing_the_text() -> None:
    text = "Jane Doe went home today after her hip surgery."
    p = post_with(Attachment("img-1", "image/png", alt_text=ALT), text=text)
    found = detector().detect(p)
    in_text = [f for f in found if f.in_text]
    assert in_text and all(text[f.start : f.end] for f in in_text)
    assert found[: len(in_text)] == in_text
    assert {f.label for f in found if not f.in_text} == {"PERSON", "DATE"}


def test_attachment_without_id_is_named_by_position() -> None:
    p = post_with(
        Attachment(metadata={"PatientID": "A1234567"}), Attachment(metadata={"StudyDate": "20240101"})
    )
    assert [(f.attachment_id, f.label) for f in detector().detect(p)] == [
        ("attachment[0]", "MEDICAL_RECORD_NUMBER"),
        ("attachment[1]", "DATE"),
    ]


def test_text_detector_runs_once_per_batch_over_every_attachment_text() -> None:
    calls: list[list[str]] = []

    def fake(texts):
        calls.append(list(texts))
        return [[] for _ in texts]

    posts = [
        post_with(Attachment("a", alt_text="one", metadata={"UserComment": "two", "Make": "x"})),
        post_with(),
        post_with(Attachment("b", alt_text="three")),
    ]
    assert attachment_findings(posts, fake) == [[], [], []]
    assert calls == [["one", "two", "three"]]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("PatientName", ("DICOM", "PatientName", "PERSON")),
        ("DICOM:PatientName", ("DICOM", "PatientName", "PERSON")),
        ("Patient's Name", ("DICOM", "PatientName", "PERSON")),
        ("(0010,0010)", ("DICOM", "PatientName", "PERSON")),
        ("00080020", ("DICOM", "StudyDate", "DATE")),
        ("GPS Position", ("EXIF", "GPSPosition", "LOCATION")),
        ("XMP:ImageDescription", ("EXIF", "ImageDescription", None)),
        ("Make", None),
        ("(0010,0040)", None),  # PatientSex is not an identifier
    ],
)
def test_tag_names_in_the_spellings_extractors_use(key: str, expected: tuple | None) -> None:
    assert classify_tag(key) == expected


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        (ALT, ["3/4"]),
        ("Chest film taken 12/25/2023.", ["12/25/2023"]),
        ("Took 3/4 tablet", []),
        ("Pain 3/10 on arrival", []),
        ("3/4 of the lung field", []),
        ("Version 1.2/3", []),
        ("Ratio 13/40", []),
    ],
)
def test_caption_dates_skip_fractions_and_scores(text: str, dates: list[str]) -> None:
    assert [text[f.start : f.end] for f in caption_dates(text, [])] == dates
