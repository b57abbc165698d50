"""End to end through the real broker and the four services: a DICOM-tagged attachment is screened."""

from __future__ import annotations

import pytest
from postguard.v1 import decision_pb2, finding_pb2, post_pb2, screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, make_post

pytestmark = pytest.mark.integration


def test_dicom_attachment_findings_cross_the_stack_and_leave_the_text_alone(
    screening: screening_pb2_grpc.ScreeningStub,
) -> None:
    post = make_post(CLEAN_TEXT, platform="linkedin")
    post.attachments.append(
        post_pb2.Attachment(
            attachment_id="img-1",
            media_type="application/dicom",
            alt_text="Hip X-ray, 3/4",
            metadata={"Modality": "CR", "PatientName": "DOE^JANE", "StudyDate": "20240304"},
        )
    )
    decision = screening.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)
    assert decision.verdict == decision_pb2.BLOCK, list(decision.reasons)
    assert not decision.incomplete_stages
    assert decision.redacted_text == CLEAN_TEXT
    on_attachment = {(f.attachment_id, f.field, f.label) for f in decision.findings if f.attachment_id}
    assert on_attachment == {
        ("img-1", "metadata:PatientName", "PERSON"),
        ("img-1", "metadata:StudyDate", "DATE"),
        ("img-1", "alt_text", "DATE"),
    }
    assert all(f.category == finding_pb2.IDENTIFIER for f in decision.findings)
    assert not any("DOE" in r or "20240304" in r for r in decision.reasons)
