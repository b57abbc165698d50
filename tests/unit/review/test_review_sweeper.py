"""The review sweeper: expires overdue items, refreshes gauges, and applies the two retention settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from postguard.domain.review.items import ReviewStatus
from postguard.domain.types import ReviewAction
from postguard.review.sweeper import Retention, ReviewSweeper
from review_support import Bench, held, post

pytestmark = pytest.mark.unit


def test_a_pass_expires_overdue_items_and_runs_the_after_pass_hook(bench: Bench) -> None:
    bench.desk.hold(held("late", review_deadline="2026-12-01T09:30:00Z"), post("late"))
    bench.desk.hold(held("later", review_deadline="2026-12-02T09:00:00Z"), post("later"))
    bench.clock.advance(hours=1)
    hooks: list[int] = []
    sweeper = ReviewSweeper(bench.desk, 60, after_pass=lambda: hooks.append(1))
    sweeper.sweep()
    assert bench.desk.item("demo-hospital", "late").status is ReviewStatus.DEADLINE_MISSED
    assert bench.desk.item("demo-hospital", "later").status is ReviewStatus.PENDING
    assert [d.review.action for d in bench.published if d.review] == [ReviewAction.DEADLINE_MISSED]
    assert hooks == [1] and sweeper.passes == 1


def test_retention_keeps_the_audit_trail_by_default_and_purges_review_data(bench: Bench) -> None:
    bench.audit.record(held("old", decided_at="2020-01-01T00:00:00.000Z"))
    bench.desk.hold(held("p-1"), post("p-1"))
    bench.desk.reject("demo-hospital", "p-1", "rev-1", "identifies the patient")
    now = datetime(2027, 6, 1, tzinfo=UTC)
    kept = Retention(bench.audit, bench.store).purge(now)  # audit 0 = forever, review 90 days
    assert kept[0] == 0 and kept[1] >= 1
    assert bench.audit.get("old", "demo-hospital") is not None
    assert bench.desk.item("demo-hospital", "p-1") is None
    purged = Retention(bench.audit, bench.store, audit_days=365, review_days=0).purge(now)
    assert purged[0] >= 1 and purged[1] == 0
    assert bench.audit.get("old", "demo-hospital") is None


def test_the_purge_runs_on_the_first_pass_then_at_most_hourly(bench: Bench) -> None:
    calls: list[datetime] = []

    class Counting(Retention):
        def purge(self, now: datetime) -> tuple[int, int]:
            calls.append(now)
            return 0, 0

    sweeper = ReviewSweeper(bench.desk, 60, retention=Counting(bench.audit, bench.store))
    sweeper.sweep()
    sweeper.sweep()
    assert len(calls) == 1


def test_a_failing_purge_does_not_stop_the_sweeper(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Retention):
        def purge(self, now: datetime) -> tuple[int, int]:
            raise OSError("disk full")

    hooks: list[int] = []
    ReviewSweeper(
        bench.desk, 60, retention=Broken(bench.audit, bench.store), after_pass=lambda: hooks.append(1)
    ).sweep()
    assert hooks == [1]
    assert "retention purge failed" in caplog.text and "disk full" not in caplog.text


def test_redacted_copies_older_than_the_review_retention_are_deleted(bench: Bench, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    copies = tmp_path / "redacted"
    copies.mkdir()
    old, new, other = copies / ("a" * 64 + ".png"), copies / ("b" * 64 + ".jpg"), copies / "notes.txt"
    for path in (old, new, other):
        path.write_bytes(b"x")
    now = datetime(2027, 6, 1, tzinfo=UTC)
    os.utime(old, (now.timestamp() - 100 * 86400,) * 2)
    os.utime(new, (now.timestamp() - 10 * 86400,) * 2)
    os.utime(other, (now.timestamp() - 100 * 86400,) * 2)
    Retention(bench.audit, bench.store, redacted_dir=copies).purge(now)
    assert not old.exists() and new.exists() and other.exists()
