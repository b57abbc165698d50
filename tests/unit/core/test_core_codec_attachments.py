"""Attachment findings keep attachment_id and field through protobuf, bytes and the decision message."""

from __future__ import annotations

import pytest
from postguard.core import codec
from postguard.domain.types import Category, Decision, Finding, StageResult, Verdict
from postguard.v1 import finding_pb2

pytestmark = pytest.mark.unit

ON_METADATA = Finding(
    Category.IDENTIFIER,
    "PERSON",
    0,
    11,
    0.95,
    "attachment-metadata",
    "Attachment metadata (DICOM PatientName) names a person: strip the metadata before posting",
    "Export a de-identified copy",
    attachment_id="img-1",
    field="metadata:PatientName",
)
IN_TEXT = Finding(Category.IDENTIFIER, "DATE", 3, 7, 0.9, "DateRecognizer", "a date", "remove it")


def test_finding_proto_carries_the_new_fields_as_numbers_9_and_10() -> None:
    msg = codec.finding_to_proto(ON_METADATA)
    assert (msg.attachment_id, msg.field) == ("img-1", "metadata:PatientName")
    fields = finding_pb2.Finding.DESCRIPTOR.fields_by_name
    assert (fields["attachment_id"].number, fields["field"].number) == (9, 10)
    assert codec.finding_from_proto(msg) == ON_METADATA


def test_text_findings_stay_without_attachment_fields_on_the_wire() -> None:
    msg = codec.finding_to_proto(IN_TEXT)
    assert {f.name for f, _ in msg.ListFields()}.isdisjoint({"attachment_id", "field"})
    assert codec.finding_from_proto(msg).in_text


def test_stage_result_and_decision_round_trip_through_bytes() -> None:
    result = StageResult(
        "p-1", "identifier-detection", (IN_TEXT, ON_METADATA), True, "", 0.01, "demo-hospital"
    )
    assert codec.decode_stage_result(codec.encode(result)) == result
    decision = Decision(
        post_id="p-1",
        institution_id="demo-hospital",
        verdict=Verdict.BLOCK,
        findings=(IN_TEXT, ON_METADATA),
        reasons=("PERSON: post names a patient in an attachment - needs a reviewer",),
        redacted_text="on [DATE]",
        policy_id="default",
        policy_version="1",
        text_sha256="0" * 64,
        decided_at="2026-01-01T00:00:00.000Z",
    )
    decoded = codec.decode_decision(codec.encode(decision))
    assert decoded.findings == decision.findings
    assert decoded.findings[1].attachment_id == "img-1" and not decoded.findings[1].in_text


def test_an_old_reader_field_set_decodes_as_a_text_finding() -> None:
    # bytes written before fields 9 / 10 existed decode with empty attachment fields
    old = finding_pb2.Finding(category=finding_pb2.IDENTIFIER, label="DATE", start=3, end=7, confidence=0.9)
    decoded = codec.finding_from_proto(finding_pb2.Finding.FromString(old.SerializeToString()))
    assert decoded.attachment_id == "" and decoded.field == "" and decoded.in_text
