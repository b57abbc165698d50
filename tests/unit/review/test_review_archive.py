"""The archive: audit search filters (parameterised), CSV/JSONL exports without raw text, retention."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from postguard.core.audit import ArchiveQuery, SqliteAuditStore
from postguard.domain.review.items import ReviewStatus
from postguard.domain.types import Category, Finding, ReviewAction, ReviewStamp, Verdict
from postguard.review.archive import CSV_COLUMNS, export_csv, export_jsonl, purge_older_than, search
from review_support import RAW, Bench, held, post

pytestmark = pytest.mark.unit

MRN = Finding(Category.IDENTIFIER, "MEDICAL_RECORD_NUMBER", 0, 8, 0.99, "rules", "an MRN")


@pytest.fixture
def audit(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = SqliteAuditStore(tmp_path / "audit.db")
    store.record(held("a1", author_id="nurse-1", decided_at="2026-11-01T09:00:00.000Z"))
    store.record(
        held("a2", author_id="nurse-2", decided_at="2026-11-15T09:00:00.000Z", verdict=Verdict.BLOCK)
    )
    store.record(
        held("a3", "clinic-b", author_id="nurse-1", decided_at="2026-11-20T09:00:00.000Z", findings=(MRN,))
    )
    store.record(held("a4", author_id="nurse-1", decided_at="2026-12-01T09:00:00.000Z", findings=()))
    yield store
    store.close()


def _ids(records) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.post_id for r in records]


def test_search_filters_combine_and_newest_come_first(audit: SqliteAuditStore) -> None:
    everyone = ArchiveQuery(institutions=None)
    assert _ids(search(audit, everyone)) == ["a4", "a3", "a2", "a1"]
    mine = frozenset({"demo-hospital"})
    assert _ids(search(audit, ArchiveQuery(mine))) == ["a4", "a2", "a1"]
    assert _ids(search(audit, ArchiveQuery(mine, author_id="nurse-1"))) == ["a4", "a1"]
    assert _ids(search(audit, ArchiveQuery(None, since="2026-11-15", until="2026-12-01"))) == ["a3", "a2"]
    assert _ids(search(audit, ArchiveQuery(None, verdict="BLOCK"))) == ["a2"]
    assert _ids(search(audit, ArchiveQuery(None, label="PERSON"))) == ["a2", "a1"]
    assert _ids(search(audit, ArchiveQuery(None, label="MEDICAL_RECORD_NUMBER"))) == ["a3"]
    assert _ids(search(audit, ArchiveQuery(None, limit=2, offset=1))) == ["a3", "a2"]
    assert search(audit, ArchiveQuery(frozenset())) == []


def test_search_values_are_bound_never_formatted_into_sql(audit: SqliteAuditStore) -> None:
    assert search(audit, ArchiveQuery(None, author_id="x' OR '1'='1")) == []
    assert search(audit, ArchiveQuery(frozenset({"demo-hospital') OR ('1'='1"}))) == []
    assert search(audit, ArchiveQuery(None, label="%")) == []  # LIKE wildcards match only themselves
    assert search(audit, ArchiveQuery(None, label="MEDICAL_RECORD_NUMBE_")) == []
    assert audit.count() == 4


def test_csv_export_has_redacted_text_and_hashes_only(audit: SqliteAuditStore) -> None:
    text = export_csv(search(audit, ArchiveQuery(None)))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 4
    a1 = next(r for r in rows if r["post_id"] == "a1")
    assert a1["labels"] == "PERSON" and a1["author_id"] == "nurse-1" and a1["verdict"] == "REVIEW"
    assert "Jane Example" not in text and "[PERSON]" in text


def test_csv_cells_that_look_like_formulas_are_quoted(tmp_path: Path) -> None:
    store = SqliteAuditStore(tmp_path / "f.db")
    store.record(held("f", redacted_text='=HYPERLINK("http://x")'))
    [row] = list(csv.DictReader(io.StringIO(export_csv(store.search(ArchiveQuery(None))))))
    assert row["redacted_text"].startswith("'=")
    store.close()


def test_notes_are_exported_only_when_asked(tmp_path: Path) -> None:
    store = SqliteAuditStore(tmp_path / "n.db")
    stamp = ReviewStamp(ReviewAction.REJECT, "rev-1", "2026-12-01T10:00:00.000Z", "private note", 1)
    store.record(held("n", version=2, review=stamp, verdict=Verdict.BLOCK))
    records = store.search(ArchiveQuery(None))
    line = json.loads(export_jsonl(records))
    assert (line["review_action"], line["reviewer"], line["version"]) == ("reject", "rev-1", 2)
    assert "review_note" not in line and "private note" not in export_csv(records)
    assert json.loads(export_jsonl(records, include_notes=True))["review_note"] == "private note"
    assert "private note" in export_csv(records, include_notes=True)
    store.close()


def test_jsonl_export_is_one_object_per_line(audit: SqliteAuditStore) -> None:
    lines = export_jsonl(search(audit, ArchiveQuery(None))).splitlines()
    assert [json.loads(x)["post_id"] for x in lines] == ["a4", "a3", "a2", "a1"]
    assert all("text_sha256" in json.loads(x) and "Jane Example" not in x for x in lines)


def test_retention_purges_old_audit_rows_and_resolved_review_data(bench: Bench) -> None:
    bench.audit.record(held("old", decided_at="2026-01-01T00:00:00.000Z"))
    bench.desk.hold(held("p-1"), post("p-1"))
    bench.desk.hold(held("open"), post("open"))
    bench.desk.reject("demo-hospital", "p-1", "rev-1", "no")
    result = purge_older_than(30, bench.audit, bench.store, clock=bench.clock)
    assert result.cutoff == "2026-11-01T09:00:00.000Z"
    assert (result.audit_rows, result.review_rows) == (1, 0)  # the reject is from 2026-12-01: kept
    later = purge_older_than(30, bench.audit, bench.store, clock=lambda: datetime(2027, 6, 1, tzinfo=UTC))
    assert later.audit_rows == 1 and later.review_rows == 1
    assert bench.desk.item("demo-hospital", "p-1") is None
    open_item = bench.desk.item("demo-hospital", "open")
    assert open_item is not None and open_item.status == ReviewStatus.PENDING  # open items are never purged
    with pytest.raises(ValueError):
        purge_older_than(0, bench.audit)


def test_an_audit_file_of_the_previous_schema_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE decision_versions (
            post_id TEXT NOT NULL, institution_id TEXT NOT NULL, verdict TEXT NOT NULL,
            policy_id TEXT NOT NULL, policy_version TEXT NOT NULL, redacted_text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL, findings TEXT NOT NULL, reasons TEXT NOT NULL,
            incomplete_stages TEXT NOT NULL, decided_at TEXT NOT NULL, version INTEGER NOT NULL,
            provisional INTEGER NOT NULL,
            PRIMARY KEY (institution_id, post_id, text_sha256, version));
        INSERT INTO decision_versions VALUES ('old-1', 'demo-hospital', 'ALLOW', 'default', '3', 'hi',
            'abc', '[]', '[]', '[]', '2026-10-01T00:00:00.000Z', 1, 0);
        """
    )
    db.commit()
    db.close()
    store = SqliteAuditStore(path)
    old = store.get("old-1")
    assert (
        old is not None and (old.author_id, old.review_action, old.reviewer, old.review_deadline) == ("",) * 4
    )
    stamp = ReviewStamp(ReviewAction.APPROVE, "rev-1", "2026-12-01T10:00:00.000Z", "ok", 1)
    new = dataclasses.replace(
        held("new-1", author_id="nurse-7", review_deadline="2026-12-01T12:00:00Z"), version=2, review=stamp
    )
    assert store.record(new) is True
    row = store.get("new-1")
    assert row is not None
    assert (row.author_id, row.review_action, row.reviewer, row.review_note, row.review_deadline) == (
        "nurse-7",
        "approve",
        "rev-1",
        "ok",
        "2026-12-01T12:00:00Z",
    )
    assert _ids(store.search(ArchiveQuery(None, author_id="nurse-7"))) == ["new-1"]
    store.close()
    SqliteAuditStore(path).close()  # opening it again does not try to add the columns twice
    assert RAW not in path.read_bytes().decode("latin-1")
