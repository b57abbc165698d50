"""The SQLite audit store: one row per post_id, redacted text and hash, findings without text."""

from __future__ import annotations

import pytest
from postguard.core.audit import SqliteAuditStore, open_audit_store
from postguard.domain.types import Category, Decision, Finding, Verdict

pytestmark = pytest.mark.unit

FINDING = Finding(Category.IDENTIFIER, "PERSON", 0, 10, 0.9, "rules", "a patient's name", "remove it")
DECISION = Decision(
    post_id="a-1",
    institution_id="demo-hospital",
    verdict=Verdict.BLOCK,
    findings=(FINDING,),
    reasons=("names a patient",),
    redacted_text="[PERSON] is home",
    policy_id="default",
    policy_version="2",
    text_sha256="ab" * 32,
    incomplete_stages=(),
    decided_at="2026-01-01T00:00:00.000Z",
)


def test_record_once_and_read_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_audit_store(f"sqlite:///{tmp_path}/sub/audit.sqlite3")
    assert isinstance(store, SqliteAuditStore)
    assert store.record(DECISION) is True
    assert store.record(DECISION) is False
    row = store.get("a-1")
    assert row is not None
    assert (row.verdict, row.policy_id, row.policy_version) == ("BLOCK", "default", "2")
    assert row.redacted_text == "[PERSON] is home"
    assert row.findings == [
        {
            "category": "IDENTIFIER",
            "label": "PERSON",
            "start": 0,
            "end": 10,
            "confidence": 0.9,
            "detector": "rules",
        }
    ]
    assert row.reasons == ["names a patient"]
    assert store.count() == 1
    assert store.get("missing") is None
    store.close()
    # durable: a new process sees the row
    again = SqliteAuditStore(tmp_path / "sub" / "audit.sqlite3")
    assert again.count() == 1
    again.close()


def test_attachment_findings_say_which_attachment_field_their_span_indexes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    on_attachment = Finding(
        Category.IDENTIFIER,
        "PERSON",
        0,
        12,
        1.0,
        "attachment-metadata",
        "DICOM PatientName names a person",
        attachment_id="img-1",
        field="metadata:PatientName",
    )
    store = SqliteAuditStore(tmp_path / "audit.sqlite3")
    store.record(replace(DECISION, post_id="a-2", findings=(FINDING, on_attachment)))
    row = store.get("a-2")
    assert row is not None
    in_text, in_attachment = row.findings
    assert "attachment_id" not in in_text
    assert in_attachment["attachment_id"] == "img-1"
    assert in_attachment["field"] == "metadata:PatientName"
