"""postguard archive export / purge through the real CLI, on SQLite stores the desk filled."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from postguard.cli import main
from review_support import RAW, Bench, held, post

pytestmark = pytest.mark.unit


def _fill(bench: Bench) -> None:
    bench.audit.record(held("old", decided_at="2020-01-01T00:00:00.000Z", author_id="nurse-1"))
    bench.audit.record(held("p-1"))  # the automatic version, as the screening path records it
    bench.desk.hold(held("p-1"), post("p-1"))
    bench.desk.reject("demo-hospital", "p-1", "rev-1", "identifies the patient")
    bench.audit.record(held("r-1", "riverside-clinic"))


def test_export_filters_and_pages_and_never_writes_the_raw_text(bench: Bench, tmp_path: Path, capsys) -> None:
    _fill(bench)
    out = tmp_path / "a.csv"
    args = ["archive", "export", "--audit", str(bench.audit.path), "--institution", "demo-hospital"]
    assert main([*args, "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert sorted((r["post_id"], r["version"]) for r in rows) == [("old", "1"), ("p-1", "1"), ("p-1", "2")]
    assert RAW not in out.read_text() and "identifies the patient" not in out.read_text()
    assert "3 decision versions written" in capsys.readouterr().err
    jsonl = tmp_path / "a.jsonl"
    assert main([*args, "--author", "nurse-1", "--format", "jsonl", "--out", str(jsonl)]) == 0
    assert [json.loads(line)["post_id"] for line in jsonl.read_text().splitlines()] == ["old"]


def test_purge_applies_each_retention_once(bench: Bench, capsys) -> None:
    _fill(bench)
    audit, review = str(bench.audit.path), str(bench.store.path)
    assert main(["archive", "purge", "--audit", audit, "--review-store", review]) == 0
    assert bench.audit.get("old", "demo-hospital") is not None  # audit rows are kept by default
    assert main(["archive", "purge", "--audit", audit, "--audit-days", "365"]) == 0
    assert bench.audit.get("old", "demo-hospital") is None
    assert bench.audit.get("r-1", "riverside-clinic") is not None
    assert "1 audit rows" in capsys.readouterr().err


def test_a_missing_store_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["archive", "export", "--audit", str(tmp_path / "none.db"), "--out", "-"]) == 2
    assert "no audit store" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()
