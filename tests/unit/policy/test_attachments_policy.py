"""Policy on attachment findings: they count for the verdict and escalation, never touch redacted_text."""

from __future__ import annotations

import pytest
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.policy.engine import attachment_field
from postguard.domain.serialization import decision_to_dict
from postguard.domain.types import (
    Attachment,
    Category,
    Decision,
    Finding,
    Post,
    StageName,
    StageResult,
    Verdict,
)
from postguard.embedded.runner import Outcome
from postguard.embedded.table import row

pytestmark = pytest.mark.unit

ID, AD = StageName.IDENTIFIER_DETECTION, StageName.ADVICE_CLASSIFICATION
DEFAULT = PolicyRegistry.load().policy_for("demo-hospital")
DETECTOR = IdentifierDetector()
CLEAN = "Textbook healing on this hip fracture - proud of our radiology team!"
DICOM = {"Modality": "CR", "PatientName": "LOPEZ^MARIA", "StudyDate": "20240304"}


def decide(post: Post) -> Decision:
    results = [StageResult(post.post_id, ID, tuple(DETECTOR.detect(post))), StageResult(post.post_id, AD, ())]
    return PolicyEngine().decide(post, results, DEFAULT)


def post_with(*attachments: Attachment, text: str = CLEAN) -> Post:
    return Post("p1", "demo-hospital", "x", text, attachments=attachments)


def test_dicom_name_and_study_date_block_a_clean_text_under_the_default_policy() -> None:
    d = decide(post_with(Attachment("img-1", "application/dicom", metadata=DICOM)))
    # PERSON is review, DATE redact; a named patient with another identifier escalates to block
    assert d.verdict == Verdict.BLOCK
    assert d.redacted_text == CLEAN
    assert {(f.attachment_id, f.field, f.label) for f in d.findings} == {
        ("img-1", "metadata:PatientName", "PERSON"),
        ("img-1", "metadata:StudyDate", "DATE"),
    }
    assert any(r.startswith("re-identification: a named patient") for r in d.reasons)
    assert any("PERSON: post names a patient in an attachment" in r for r in d.reasons)
    assert not any("LOPEZ" in r or "2024" in r for r in d.reasons)


def test_study_date_alone_asks_for_a_change_to_the_attachment_not_to_the_text() -> None:
    d = decide(post_with(Attachment("img-1", metadata={"StudyDate": "20240304"})))
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES
    assert d.redacted_text == CLEAN
    (reason,) = d.reasons
    assert "in an attachment" in reason and "strip the attachment's metadata" in reason
    assert "replace it by [DATE]" not in reason


def test_exif_gps_alone_is_a_location_change() -> None:
    d = decide(post_with(Attachment("ph-1", "image/jpeg", metadata={"GPSPosition": "40.446 N, 79.982 W"})))
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES
    assert [f.label for f in d.findings] == ["LOCATION"]


def test_clean_photo_is_allowed() -> None:
    meta = {"Make": "Canon", "Model": "EOS R6", "ExposureTime": "1/125"}
    d = decide(post_with(Attachment("ph-1", "image/jpeg", alt_text="Our radiology team", metadata=meta)))
    assert d.verdict == Verdict.ALLOW and d.findings == () and d.redacted_text == CLEAN


def test_text_and_attachment_findings_together_redact_only_the_text() -> None:
    text = "Discharged 3/14 after a long stay - well done team!"
    d = decide(post_with(Attachment("img-1", alt_text="X-ray of Mrs. Lopez's hip, 3/4"), text=text))
    assert d.redacted_text == "Discharged [DATE] after a long stay - well done team!"
    assert d.verdict == Verdict.BLOCK  # the alt-text name plus the dates
    assert [f.in_text for f in d.findings] == sorted((f.in_text for f in d.findings), reverse=True)
    date_reason = next(r for r in d.reasons if r.startswith("DATE:"))
    assert "(also in an attachment)" in date_reason and "replace it by [DATE]" in date_reason


def test_attachment_spans_are_read_from_their_field_for_the_age_rule() -> None:
    finding = Finding(
        Category.IDENTIFIER, "AGE", 4, 6, 0.9, "test", "", attachment_id="img-1", field="alt_text"
    )
    post = post_with(Attachment("img-1", alt_text="Our 94-year-old"))
    assert attachment_field(post, "img-1", "alt_text")[4:6] == "94"
    d = PolicyEngine().decide(post, [StageResult("p1", ID, (finding,)), StageResult("p1", AD, ())], DEFAULT)
    assert any("over 89" in r for r in d.reasons) and d.redacted_text == CLEAN


def test_json_and_table_show_the_attachment_instead_of_a_text_snippet() -> None:
    d = decide(post_with(Attachment("img-1", "application/dicom", alt_text="Hip X-ray, 3/4", metadata=DICOM)))
    as_json = decision_to_dict(d)
    assert {(f["attachment_id"], f["field"]) for f in as_json["findings"]} >= {
        ("img-1", "metadata:PatientName"),
        ("img-1", "alt_text"),
    }
    table = row(Outcome(line=1, post_id="p1", decision=d))
    assert "⎘ attachment img-1 alt text: DATE; metadata: PERSON, DATE" in table
    assert "→" not in table  # nothing to redact in the text
    assert "LOPEZ" not in table and all(len(line) <= 100 for line in table.splitlines())
