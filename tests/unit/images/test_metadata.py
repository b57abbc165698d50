"""metadata.py: tags read from image bytes (EXIF, XMP, IPTC, PNG text, DICOM header) and the findings on
them; the tag rules themselves live in identifiers/attachments.py (+ attachments.yaml)."""

from __future__ import annotations

import io

import image_support as img
import pydicom
import pytest
from postguard.domain.identifiers.attachments import (
    METADATA_CONFIDENCE,
    classify_tag,
    private_dicom_tag,
)
from postguard.domain.identifiers.attachments import metadata_findings as attachment_metadata_findings
from postguard.domain.images.decode import decode_image
from postguard.domain.images.metadata import (
    IMAGE_METADATA_DETECTOR,
    MetadataEntry,
    free_text_entries,
    metadata_findings,
    read_metadata,
)
from postguard.domain.types import Attachment, Category, Finding

pytestmark = pytest.mark.unit


def read(data: bytes) -> dict[str, str]:
    """tag -> value of every entry read from ``data``."""
    entries = read_metadata(data, decode_image(data))
    assert len({e.tag for e in entries}) == len(entries)
    return {e.tag: e.value for e in entries}


def findings(data: bytes) -> list[Finding]:
    entries = read_metadata(data, decode_image(data))
    found = metadata_findings(entries, "img-1")
    values = {e.tag: e.value for e in entries}
    for f in found:
        value = values[f.field.removeprefix("metadata:")]
        assert f.category == Category.IDENTIFIER and f.detector == IMAGE_METADATA_DETECTOR
        assert f.attachment_id == "img-1" and (f.start, f.end) == (0, len(value))
        assert f.confidence == METADATA_CONFIDENCE
        assert value not in f.reason and value not in f.suggestion  # values never quoted
    return found


def labels(found: list[Finding]) -> dict[str, str]:
    return {f.field: f.label for f in found}


# -- EXIF ------------------------------------------------------------------------------------------------


def test_jpeg_gps_position_is_a_location_named_by_tag() -> None:
    data = img.photo_jpeg_with_gps(40.7128, -74.0060, serial="SN-48213307", owner="Jane Doe", artist="J. Doe")
    values = read(data)
    assert values["EXIF:GPSLatitude"] == "40 42 46.08" and values["EXIF:GPSLatitudeRef"] == "N"
    assert values["EXIF:GPSLongitude"] == "74 0 21.6"
    found = findings(data)
    assert labels(found) == {
        "metadata:EXIF:GPSLatitude": "LOCATION",
        "metadata:EXIF:GPSLongitude": "LOCATION",
        "metadata:EXIF:DateTime": "DATE",
        "metadata:EXIF:DateTimeOriginal": "DATE",
        "metadata:EXIF:BodySerialNumber": "DEVICE_ID",
        "metadata:EXIF:CameraOwnerName": "PERSON",
        "metadata:EXIF:Artist": "PERSON",
    }
    latitude = next(f for f in found if f.field == "metadata:EXIF:GPSLatitude")
    assert latitude.reason.startswith("Attachment metadata (EXIF GPSLatitude) gives a location")
    assert "40" not in latitude.reason and "Jane" not in " ".join(f.reason for f in found)


def test_a_zero_gps_position_and_placeholder_values_are_not_findings() -> None:
    data = img.photo_jpeg_with_gps(0.0, 0.0, serial="", owner="unknown", artist="  ")
    assert read(data)["EXIF:GPSLatitude"] == "0 0 0"
    assert set(labels(findings(data)).values()) == {"DATE"}  # only the capture dates remain


def test_exif_free_text_tags_go_to_the_text_recognizers_not_to_findings() -> None:
    exif = img.gps_exif(1.5, 2.5, user_comment="Bed 4 Mr Smith")
    exif[0x010E] = "X-ray of Maria Lopez"  # ImageDescription
    exif[0x9C9C] = "Ward 7".encode("utf-16-le")  # XPComment, UCS-2
    exif[0x8298] = "(c) Jane Doe"  # Copyright
    data = img.jpeg_bytes(img.landscape_image(), exif=exif)
    entries = read_metadata(data, decode_image(data))
    texts = dict(free_text_entries(entries))
    assert texts == {
        "metadata:EXIF:ImageDescription": "X-ray of Maria Lopez",
        "metadata:EXIF:Copyright": "(c) Jane Doe",
        "metadata:EXIF:UserComment": "Bed 4 Mr Smith",
        "metadata:EXIF:XPComment": "Ward 7",
    }
    assert not set(texts) & {f.field for f in metadata_findings(entries, "img-1")}


@pytest.mark.parametrize("fmt", ["WEBP", "PNG", "HEIC"])
def test_exif_gps_is_read_from_webp_png_and_heic(fmt: str) -> None:
    exif = img.gps_exif(51.5, -0.12)
    image = img.landscape_image()
    out = io.BytesIO()
    image.save(out, format="HEIF" if fmt == "HEIC" else fmt, exif=exif)
    assert labels(findings(out.getvalue()))["metadata:EXIF:GPSLatitude"] == "LOCATION"


# -- XMP, IPTC, PNG text ---------------------------------------------------------------------------------


def test_xmp_properties_attributes_arrays_and_structures_are_read_and_flagged() -> None:
    data = img.jpeg_with_xmp(img.chart_image(), img.xmp_packet(creator="Jane Doe", description="Bed 4"))
    values = read(data)
    assert values["XMP:dc:creator"] == "Jane Doe"
    assert values["XMP:photoshop:City"] == "Springfield"
    assert values["XMP:Iptc4xmpCore:CreatorContactInfo/Iptc4xmpCore:CiAdrCity"] == "Springfield"
    found = findings(data)
    assert labels(found) == {
        "metadata:XMP:dc:creator": "PERSON",
        "metadata:XMP:photoshop:City": "LOCATION",
        "metadata:XMP:exif:GPSLatitude": "LOCATION",
        "metadata:XMP:xmp:CreateDate": "DATE",
        "metadata:XMP:Iptc4xmpCore:CreatorContactInfo/Iptc4xmpCore:CiAdrCity": "LOCATION",
    }
    creator = next(f for f in found if f.field == "metadata:XMP:dc:creator")
    assert creator.reason.startswith("Attachment metadata (XMP Creator) names a person")
    entries = read_metadata(data, decode_image(data))
    assert free_text_entries(entries) == [("metadata:XMP:dc:description", "Bed 4")]


def test_xmp_with_entity_declarations_is_not_expanded_but_screened_as_text() -> None:
    bomb = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><!DOCTYPE x [<!ENTITY a "Mr Smith Mr Smith">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rdf:RDF>&b; Bed 4 Jane Doe</rdf:RDF></x:xmpmeta>'
    )
    data = img.jpeg_with_xmp(img.chart_image(), bomb)
    entries = read_metadata(data, decode_image(data))
    assert [e.tag for e in entries] == ["XMP:UnparsedPacket"]
    ((field, text),) = free_text_entries(entries)
    assert field == "metadata:XMP:UnparsedPacket" and "Bed 4 Jane Doe" in text
    assert text.count("Mr Smith") == 2  # the declaration's own text, not 16 of an expansion


def test_malformed_xmp_is_still_screened_as_text() -> None:
    data = img.jpeg_with_xmp(
        img.chart_image(), b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><a>Jane Doe</b></x:xmpmeta>'
    )
    entries = read_metadata(data, decode_image(data))
    assert free_text_entries(entries) == [("metadata:XMP:UnparsedPacket", "Jane Doe")]


def test_iptc_datasets_are_read_by_name() -> None:
    data = img.with_iptc(
        img.jpeg_bytes(img.chart_image()),
        [(80, "Jane Doe"), (120, "Bed 4 Mr Smith"), (25, "ward"), (25, "x-ray"), (90, "Springfield")],
    )
    values = read(data)
    assert values == {
        "IPTC:By-line": "Jane Doe",
        "IPTC:Caption-Abstract": "Bed 4 Mr Smith",
        "IPTC:Keywords": "ward; x-ray",
        "IPTC:City": "Springfield",
    }
    assert labels(findings(data)) == {"metadata:IPTC:By-line": "PERSON", "metadata:IPTC:City": "LOCATION"}
    by_line = next(f for f in findings(data) if f.label == "PERSON")
    assert by_line.reason.startswith("Attachment metadata (IPTC ByLine) names a person")
    entries = read_metadata(data, decode_image(data))
    assert [f for f, _ in free_text_entries(entries)] == [
        "metadata:IPTC:Caption-Abstract",
        "metadata:IPTC:Keywords",
    ]


def test_png_text_chunks_including_compressed_ones_and_xmp_are_read() -> None:
    data = img.png_with_text(
        img.chart_image(),
        text={"Author": "Jane Doe", "Comment": "Bed 4", "Software": "paint"},
        itxt={"Description": "Mr Smith's hip", "XML:com.adobe.xmp": img.xmp_packet().decode()},
        ztxt={"Creation Time": "2024-03-05"},
    )
    values = read(data)
    assert values["PNG:Description"] == "Mr Smith's hip" and values["PNG:Creation Time"] == "2024-03-05"
    assert values["XMP:dc:creator"] == "Jane Doe"
    found = labels(findings(data))
    assert found["metadata:PNG:Author"] == "PERSON" and found["metadata:PNG:Creation Time"] == "DATE"
    assert "metadata:PNG:Software" not in found
    entries = read_metadata(data, decode_image(data))
    assert {f for f, _ in free_text_entries(entries)} == {
        "metadata:PNG:Comment",
        "metadata:PNG:Description",
        "metadata:XMP:dc:description",
    }


@pytest.mark.parametrize(
    "data",
    [img.chart_png(), img.landscape_jpeg(), img.face_jpeg(), img.radiograph_png(["DOE, JANE"])],
    ids=["chart", "landscape", "face", "radiograph"],
)
def test_images_without_metadata_have_no_metadata_findings(data: bytes) -> None:
    entries = read_metadata(data, decode_image(data))
    assert metadata_findings(entries, "img-1") == [] and free_text_entries(entries) == []


# -- DICOM -----------------------------------------------------------------------------------------------


def test_dicom_header_patient_tags_private_tag_and_sequence_items_are_found() -> None:
    data = img.dicom_bytes("LOPEZ^MARIA", "MRN4410021", private_text="Ward 7 bed 3")
    values = read(data)
    assert values["DICOM:PatientName"] == "LOPEZ^MARIA" and values["DICOM:(0009,1010)"] == "Ward 7 bed 3"
    assert values["DICOM:RequestAttributesSequence[0].RequestedProcedureID"] == "RPMRN4410021"
    assert not any("PixelData" in tag or "7FE0" in tag for tag in values)
    found = findings(data)
    got = labels(found)
    assert got["metadata:DICOM:PatientName"] == "PERSON"
    assert got["metadata:DICOM:PatientID"] == "MEDICAL_RECORD_NUMBER"
    assert got["metadata:DICOM:PatientBirthDate"] == "DATE"
    assert got["metadata:DICOM:InstitutionName"] == "FACILITY"
    assert got["metadata:DICOM:RequestAttributesSequence[0].RequestedProcedureID"] == "MEDICAL_RECORD_NUMBER"
    assert got["metadata:DICOM:RequestAttributesSequence[0].RequestingPhysician"] == "PERSON"
    assert got["metadata:DICOM:(0009,1010)"] == "QUASI_IDENTIFIER"
    assert "metadata:DICOM:(0009,0010)" not in got  # the private creator only names the vendor
    assert "metadata:DICOM:PatientSex" not in got and "metadata:DICOM:Modality" not in got
    private = next(f for f in found if f.field == "metadata:DICOM:(0009,1010)")
    assert private.attribute("kind") == "dicom_private"
    assert private.reason.startswith("Attachment metadata (DICOM private tag (0009,1010)) holds vendor text")
    name = next(f for f in found if f.field == "metadata:DICOM:PatientName")
    assert name.reason.startswith("Attachment metadata (DICOM PatientName) names a person")
    entries = read_metadata(data, decode_image(data))
    assert dict(free_text_entries(entries)) == {
        "metadata:DICOM:StudyDescription": "CHEST PA",
        "metadata:DICOM:(0009,1010)": "Ward 7 bed 3",
    }


def _dicom_with(edit) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(img.dicom_bytes(size=(32, 32), sequence=False)))
    edit(ds)
    out = io.BytesIO()
    ds.save_as(out)
    return out.getvalue()


def test_dicom_placeholders_numeric_private_values_and_binary_values_are_not_flagged() -> None:
    def edit(ds: pydicom.Dataset) -> None:
        ds.PatientName, ds.PatientID = "ANONYMOUS", ""
        block = ds.private_block(0x0011, "VENDOR X", create=True)
        block.add_new(0x01, "DS", "1.5")  # a private number: not text
        block.add_new(0x02, "OB", b"LOPEZ binary")  # a binary value: skipped
        block.add_new(0x03, "LO", "Bed 12")  # private text: flagged

    got = labels(findings(_dicom_with(edit)))
    assert "metadata:DICOM:PatientName" not in got and "metadata:DICOM:PatientID" not in got
    assert got["metadata:DICOM:(0011,1003)"] == "QUASI_IDENTIFIER"
    assert "metadata:DICOM:(0011,1001)" not in got and "metadata:DICOM:(0011,1002)" not in got


def test_an_item_of_an_identifier_sequence_takes_its_label_and_nesting_is_followed() -> None:
    def edit(ds: pydicom.Dataset) -> None:
        plan, inner, outer = pydicom.Dataset(), pydicom.Dataset(), pydicom.Dataset()
        plan.CodeValue, plan.CodeMeaning = "PLAN-778812", "Acme Health Gold"
        ds.PatientInsurancePlanCodeSequence = [plan]
        inner.PatientID = "MRN000777"
        outer.ReferencedPatientSequence = [inner]
        ds.ReferencedStudySequence = [outer]

    got = labels(findings(_dicom_with(edit)))
    assert got["metadata:DICOM:PatientInsurancePlanCodeSequence[0].CodeValue"] == "HEALTH_PLAN_NUMBER"
    assert got["metadata:DICOM:ReferencedStudySequence[0].ReferencedPatientSequence[0].PatientID"] == (
        "MEDICAL_RECORD_NUMBER"
    )


def test_private_text_with_an_unknown_vr_is_flagged_when_it_reads_as_text() -> None:
    def edit(ds: pydicom.Dataset) -> None:
        ds.private_block(0x0013, "UNKNOWN VENDOR", create=True).add_new(0x10, "UN", b"LOPEZ MARIA ")
        ds.private_block(0x0015, "OTHER VENDOR", create=True).add_new(0x10, "UN", bytes(range(1, 40)))

    got = labels(findings(_dicom_with(edit)))
    assert got.get("metadata:DICOM:(0013,1010)") == "QUASI_IDENTIFIER"
    assert "metadata:DICOM:(0015,1010)" not in got  # binary bytes are not text


# -- the tag rules (identifiers/attachments.py) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("IPTC:By-line", ("EXIF", "ByLine", "PERSON")),
        ("XMP:dc:creator", ("EXIF", "Creator", "PERSON")),
        ("XMP:Iptc4xmpCore:CreatorContactInfo/Iptc4xmpCore:CiAdrCity", ("EXIF", "CiAdrCity", "LOCATION")),
        ("EXIF:GPSInfo", ("EXIF", "GPSInfo", "LOCATION")),
        ("PNG:Creation Time", ("EXIF", "CreationTime", "DATE")),
        ("EXIF:Copyright", ("EXIF", "Copyright", None)),
        (
            "DICOM:RequestAttributesSequence[0].RequestedProcedureID",
            ("DICOM", "RequestedProcedureID", "MEDICAL_RECORD_NUMBER"),
        ),
        (
            "DICOM:PatientInsurancePlanCodeSequence[0].CodeMeaning",
            ("DICOM", "PatientInsurancePlanCodeSequence", "HEALTH_PLAN_NUMBER"),
        ),
        ("DICOM:RequestAttributesSequence[0].CodeValue", None),
        ("DICOM:(0009,1010)", None),
    ],
)
def test_tag_names_of_the_image_reader(key: str, expected: tuple | None) -> None:
    assert classify_tag(key) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("DICOM:(0009,1010)", "(0009,1010)"),
        ("(0029,1008)", "(0029,1008)"),
        ("DICOM:Seq[0].(0019,10a0)", "(0019,10A0)"),
        ("DICOM:(0009,0010)", None),  # private creator
        ("DICOM:(0010,0010)", None),  # standard (even group)
        ("PatientName", None),
    ],
)
def test_private_dicom_tags(key: str, expected: str | None) -> None:
    assert private_dicom_tag(key) == expected


def test_platform_extracted_private_dicom_tags_are_flagged_too() -> None:
    attachment = Attachment(
        "a", "application/dicom", metadata={"(0009,1010)": "Ward 7", "(0009,0010)": "GEMS"}
    )
    (found,) = attachment_metadata_findings(attachment)
    assert (found.field, found.label, found.attribute("kind")) == (
        "metadata:(0009,1010)",
        "QUASI_IDENTIFIER",
        "dicom_private",
    )


def test_metadata_findings_take_entries_from_anywhere() -> None:
    entries = [MetadataEntry("EXIF:GPSLatitude", "40 42 46"), MetadataEntry("EXIF:Make", "Cam")]
    (found,) = metadata_findings(entries, "a9")
    assert (found.field, found.label, found.end, found.attachment_id) == (
        "metadata:EXIF:GPSLatitude",
        "LOCATION",
        8,
        "a9",
    )
