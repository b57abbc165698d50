"""The SQLite audit store: one row per decision version of a post's content; no text when incomplete."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

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
    assert (row.version, row.provisional, row.text_sha256) == (1, False, "ab" * 32)
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


def test_one_row_per_institution_content_and_version(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SqliteAuditStore(tmp_path / "audit.sqlite3")
    other_inst = dataclasses.replace(DECISION, institution_id="riverside-clinic", verdict=Verdict.ALLOW)
    other_text = dataclasses.replace(DECISION, text_sha256="cd" * 32, decided_at="2026-01-01T00:00:01.000Z")
    for decision in (DECISION, other_inst, other_text):
        assert store.record(decision) is True
        assert store.record(decision) is False  # idempotent per (institution, post_id, hash, version)
    assert store.count() == 3
    # never one institution's row for another's post with the same id
    mine = store.get("a-1", "demo-hospital")
    theirs = store.get("a-1", "riverside-clinic")
    assert mine is not None and theirs is not None
    assert (mine.institution_id, mine.text_sha256) == ("demo-hospital", "cd" * 32)  # the newest content
    assert (theirs.institution_id, theirs.verdict) == ("riverside-clinic", "ALLOW")
    assert [r.text_sha256 for r in store.versions("a-1", "demo-hospital")] == ["ab" * 32, "cd" * 32]
    assert store.get("a-1", "nowhere") is None and store.versions("a-1", "nowhere") == []
    assert len(store.versions("a-1")) == 3
    names = {
        r[0] for r in sqlite3.connect(tmp_path / "audit.sqlite3").execute("SELECT name FROM sqlite_master")
    }
    assert "decision_versions" in names
    store.close()


def test_a_final_version_supersedes_the_provisional_one_and_both_are_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SqliteAuditStore(tmp_path / "audit.sqlite3")
    provisional = dataclasses.replace(
        DECISION,
        verdict=Verdict.REVIEW,
        reasons=("screening incomplete",),
        incomplete_stages=("advice-classification",),
        redacted_text="",
        provisional=True,
    )
    final = dataclasses.replace(DECISION, version=2, decided_at="2026-01-01T00:00:09.000Z")
    assert store.record(provisional) is True
    assert store.record(final) is True
    assert store.record(final) is False
    assert store.count() == 2
    newest = store.get("a-1")
    assert newest is not None and (newest.version, newest.provisional, newest.verdict) == (2, False, "BLOCK")
    assert newest.redacted_text == "[PERSON] is home"
    rows = store.versions("a-1", "demo-hospital")
    assert [(r.version, r.provisional, r.incomplete_stages) for r in rows] == [
        (1, True, ["advice-classification"]),
        (2, False, []),
    ]
    store.close()


@pytest.mark.parametrize(
    "incomplete",
    [
        {"incomplete_stages": ("advice-classification",), "provisional": True},
        {"provisional": True},
        {"incomplete_stages": ("identifier-detection",)},
        {"policy_id": "", "policy_version": ""},  # the policy itself failed
    ],
    ids=["missing-stage", "provisional", "incomplete-final", "policy-failed"],
)
def test_incomplete_decisions_keep_no_text_only_the_hash(tmp_path, incomplete) -> None:  # type: ignore[no-untyped-def]
    # Even if a caller hands over a redaction built from partial findings, it is not stored.
    store = SqliteAuditStore(tmp_path / "audit.sqlite3")
    store.record(dataclasses.replace(DECISION, **incomplete))
    row = store.get("a-1")
    assert row is not None
    assert row.redacted_text == "" and row.text_sha256 == "ab" * 32
    raw = sqlite3.connect(tmp_path / "audit.sqlite3").execute("SELECT * FROM decision_versions").fetchall()
    assert "is home" not in json.dumps(raw)
    store.close()


def test_rows_of_the_previous_table_are_migrated_as_version_one(tmp_path) -> None:
    import sqlite3

    from postguard.core.audit import SqliteAuditStore

    path = tmp_path / "old.sqlite3"
    columns = (
        "post_id TEXT PRIMARY KEY, institution_id TEXT, verdict TEXT, policy_id TEXT, policy_version TEXT, "
        "redacted_text TEXT, text_sha256 TEXT, findings TEXT, reasons TEXT, incomplete_stages TEXT, "
        "decided_at TEXT"
    )
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE decisions ({columns})")
        db.execute(
            "INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                "old-1",
                "demo-hospital",
                "ALLOW",
                "default",
                "1",
                "hi",
                "a" * 64,
                "[]",
                "[]",
                "[]",
                "2026-01-01",
            ),
        )
    store = SqliteAuditStore(path)
    row = store.get("old-1")
    assert row is not None and (row.version, row.provisional, row.verdict) == (1, False, "ALLOW")
    store.close()
    assert SqliteAuditStore(path).count() == 1  # a second start does not copy it again
