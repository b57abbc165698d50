"""SqliteReviewStore: items round-trip, the queue query, version-guarded writes, feedback and purge."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from postguard.domain.review.feedback import FeedbackRecord
from postguard.domain.review.items import FeedbackOutcome, ReviewItem, ReviewStatus
from postguard.domain.types import ReviewAction, ReviewStamp
from postguard.review.store import QueueStats, SqliteReviewStore, open_review_store
from review_support import RAW, held, sha

pytestmark = pytest.mark.unit


def _item(post_id: str = "p-1", institution: str = "demo-hospital", **changes: object) -> ReviewItem:
    base = ReviewItem(
        decision=held(post_id, institution),
        status=ReviewStatus.PENDING,
        deadline="2026-12-01T12:00:00Z",
        held_at="2026-12-01T09:00:00.000Z",
        original_text=RAW,
        platform="x",
        scheduled_publish_at="2026-12-01T12:30:00Z",
        held_sha256=sha(RAW),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = SqliteReviewStore(tmp_path / "review.db")
    yield s
    s.close()


def test_an_item_round_trips_with_its_whole_decision(store: SqliteReviewStore) -> None:
    stamp = ReviewStamp(ReviewAction.ESCALATE, "rev-1", "2026-12-01T10:00:00.000Z", "ask", 1)
    item = _item(decision=held(version=2, review=stamp), status=ReviewStatus.ESCALATED, note="ask")
    store.put(item)
    assert store.get("demo-hospital", "p-1") == item
    assert store.get("clinic-b", "p-1") is None


def test_a_resolved_item_never_keeps_the_original_text(store: SqliteReviewStore, tmp_path: Path) -> None:
    store.put(
        _item(status=ReviewStatus.REJECTED, resolved_by="rev-1", resolved_at="2026-12-01T10:00:00.000Z")
    )
    got = store.get("demo-hospital", "p-1")
    assert got is not None and got.original_text == ""
    raw = sqlite3.connect(tmp_path / "review.db").execute("SELECT original_text FROM review_items").fetchall()
    assert raw == [("",)]


def test_open_items_by_institution_and_deadline(store: SqliteReviewStore) -> None:
    store.put(_item("b", deadline="2026-12-01T11:00:00Z"))
    store.put(_item("a", deadline="2026-12-01T13:00:00Z"))
    store.put(_item("c", "clinic-b", deadline="2026-12-01T10:00:00Z"))
    store.put(_item("done", status=ReviewStatus.APPROVED, deadline="2026-12-01T09:30:00Z"))
    assert [i.post_id for i in store.open_items(None)] == ["c", "b", "a"]
    assert [i.post_id for i in store.open_items(frozenset({"demo-hospital"}))] == ["b", "a"]
    assert store.open_items(frozenset({"nobody"})) == []
    assert [i.post_id for i in store.overdue("2026-12-01T11:00:00Z")] == ["c", "b"]
    assert store.stats() == [
        QueueStats("clinic-b", 1, "2026-12-01T09:00:00.000Z"),
        QueueStats("demo-hospital", 2, "2026-12-01T09:00:00.000Z"),
    ]


def test_an_institution_list_is_bound_not_formatted(store: SqliteReviewStore) -> None:
    store.put(_item())
    assert store.open_items(frozenset({"x') OR 1=1 --"})) == []


def test_a_guarded_write_replaces_only_the_expected_open_version(store: SqliteReviewStore) -> None:
    store.put(_item())
    newer = _item(decision=held(version=2), status=ReviewStatus.APPROVED)
    assert store.put(newer, expected_version=1) is True
    assert store.put(_item(decision=held(version=3)), expected_version=1) is False  # lost the race
    assert store.put(_item(decision=held(version=3)), expected_version=2) is False  # no longer open
    got = store.get("demo-hospital", "p-1")
    assert got is not None and got.decision.version == 2 and got.status == ReviewStatus.APPROVED


def _feedback(**changes: object) -> FeedbackRecord:
    base = FeedbackRecord(
        "demo-hospital", "p-1", "rev-1", "2026-12-01T10:00:00.000Z", RAW, "x",
        FeedbackOutcome.CONFIRMED, "IDENTIFIER", "PERSON", 18, 30, "REVIEW",
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_feedback_is_stored_once_filtered_and_settled(store: SqliteReviewStore) -> None:
    rows = [_feedback(), _feedback(outcome=FeedbackOutcome.MISSED, label="AGE", start=0, end=3)]
    assert store.add_feedback(rows) == 2
    assert store.add_feedback(rows[:1]) == 0
    store.add_feedback([_feedback(institution_id="clinic-b", given_at="2026-12-02T10:00:00.000Z")])
    assert store.feedback("demo-hospital") == sorted(rows, key=lambda r: r.start)
    assert [r.institution_id for r in store.feedback(since="2026-12-02")] == ["clinic-b"]
    assert len(store.feedback()) == 3
    assert store.settle_feedback("demo-hospital", "p-1", "2026-12-01T09:00:00.000Z", "BLOCK") == 2
    assert {r.final_verdict for r in store.feedback("demo-hospital")} == {"BLOCK"}


def test_purge_removes_old_resolved_items_and_feedback_but_never_open_items(store: SqliteReviewStore) -> None:
    store.put(_item("open-old"))
    store.put(_item("old", status=ReviewStatus.APPROVED, resolved_at="2026-01-01T00:00:00.000Z"))
    store.put(_item("new", status=ReviewStatus.APPROVED, resolved_at="2026-12-01T00:00:00.000Z"))
    store.add_feedback([_feedback(given_at="2026-01-01T00:00:00.000Z"), _feedback()])
    assert store.purge_resolved("2026-06-01T00:00:00.000Z") == 2
    assert store.get("old-inst", "old") is None and store.get("demo-hospital", "old") is None
    assert (
        store.get("demo-hospital", "open-old") is not None and store.get("demo-hospital", "new") is not None
    )
    assert [r.given_at for r in store.feedback()] == ["2026-12-01T10:00:00.000Z"]


def test_open_review_store_follows_the_audit_url_rules(tmp_path: Path) -> None:
    s = open_review_store(f"sqlite:///{tmp_path}/x/review.db")
    assert isinstance(s, SqliteReviewStore) and (tmp_path / "x" / "review.db").exists()
    s.close()
    memory = open_review_store(":memory:")
    memory.put(_item())
    assert memory.get("demo-hospital", "p-1") is not None
    memory.close()
