"""The review store and the archive search against a real PostgreSQL: the desk on two replicas, migration."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
import pytest
from postgres_support import PostgresCluster
from postguard.core.audit import ArchiveQuery, PostgresAuditStore, open_audit_store
from postguard.domain.review.feedback import FeedbackRecord
from postguard.domain.review.items import FeedbackOutcome, FindingFeedback, ReviewStatus
from postguard.domain.types import Category, Decision, Finding, Post, ReviewAction, Verdict
from postguard.review.archive import export_jsonl, purge_older_than
from postguard.review.desk import NotInQueue, ReviewDesk, ReviewError
from postguard.review.store import PostgresReviewStore, open_review_store

pytestmark = pytest.mark.integration

RAW = "Lovely to see Mrs Jane Example walking again after her hip surgery."
EDITED = "Lovely to see our patients walking again after hip surgery."
NAME = Finding(Category.IDENTIFIER, "PERSON", 18, 30, 0.95, "rules", "a patient's name", "remove it")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_databases = itertools.count()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _held(post_id: str, institution: str = "demo-hospital", **changes: object) -> Decision:
    base = Decision(
        post_id=post_id,
        institution_id=institution,
        verdict=Verdict.REVIEW,
        findings=(NAME,),
        reasons=("names a patient",),
        redacted_text="Lovely to see Mrs [PERSON] walking again after her hip surgery.",
        policy_id="default",
        policy_version="3",
        text_sha256=_sha(RAW),
        decided_at="2026-12-01T09:00:00.000Z",
        author_id="nurse-7",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _post(post_id: str, institution: str = "demo-hospital") -> Post:
    return Post(post_id=post_id, institution_id=institution, platform="x", text=RAW, author_id="nurse-7")


def _rescreen(post: Post) -> Decision:
    return _held(
        post.post_id,
        post.institution_id,
        verdict=Verdict.ALLOW,
        findings=(),
        reasons=(),
        redacted_text=post.text,
        text_sha256=_sha(post.text),
    )


@pytest.fixture
def dsn(postgres: PostgresCluster) -> str:
    name = f"review_{next(_databases)}"
    with psycopg.connect(postgres.dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres.dsn.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def stores(dsn: str) -> Iterator[tuple[PostgresReviewStore, PostgresAuditStore]]:
    review, audit = PostgresReviewStore(dsn), PostgresAuditStore(dsn)
    yield review, audit
    review.close()
    audit.close()


def _desk(review: PostgresReviewStore, audit: PostgresAuditStore, published: list[Decision]) -> ReviewDesk:
    return ReviewDesk(review, audit, rescreen=_rescreen, publish=published.append, clock=lambda: NOW)


def test_the_desk_on_postgres_holds_decides_audits_and_searches(
    stores: tuple[PostgresReviewStore, PostgresAuditStore], dsn: str
) -> None:
    review, audit = stores
    published: list[Decision] = []
    desk = _desk(review, audit, published)
    desk.hold(_held("late", review_deadline="2026-12-02T09:00:00Z"), _post("late"))
    desk.hold(_held("soon", review_deadline="2026-12-01T10:00:00Z"), _post("soon"))
    desk.hold(_held("theirs", "clinic-b"), _post("theirs", "clinic-b"))
    assert [i.post_id for i in desk.queue(frozenset({"demo-hospital"}))] == ["soon", "late"]
    with pytest.raises(NotInQueue):
        desk.approve("clinic-b", "soon", "rev-b")
    desk.record_feedback(
        "demo-hospital",
        "soon",
        "rev-1",
        [FindingFeedback(FeedbackOutcome.CONFIRMED, "IDENTIFIER", "PERSON", 18, 30)],
    )
    edited = desk.approve_with_edits("demo-hospital", "soon", "rev-1", EDITED, note="removed the name")
    rejected = desk.reject("demo-hospital", "late", "rev-1", "no consent on file")
    assert [d.version for d in published] == [2, 2] and published == [edited, rejected]
    item = desk.item("demo-hospital", "soon")
    assert item is not None and item.status == ReviewStatus.APPROVED_WITH_EDITS and item.original_text == ""
    with psycopg.connect(dsn) as db:
        texts = db.execute("SELECT original_text FROM review_items WHERE status <> 'pending'").fetchall()
    assert texts == [("",), ("",)]

    rows = audit.search(ArchiveQuery(frozenset({"demo-hospital"}), author_id="nurse-7"))
    assert {(r.post_id, r.review_action, r.reviewer, r.review_note) for r in rows} == {
        ("soon", "approve_with_edits", "rev-1", "removed the name"),
        ("late", "reject", "rev-1", "no consent on file"),
    }
    assert [r.post_id for r in audit.search(ArchiveQuery(None, verdict="BLOCK"))] == ["late"]
    assert [r.post_id for r in audit.search(ArchiveQuery(None, label="PERSON"))] == ["late"]
    assert audit.search(ArchiveQuery(frozenset({"x') OR ('1'='1"}))) == []
    assert audit.search(ArchiveQuery(None, label="PERS_N")) == []
    assert RAW not in export_jsonl(audit.search(ArchiveQuery(None)))
    [fb] = review.feedback("demo-hospital")
    assert (fb.text, fb.final_verdict) == (RAW, "ALLOW")


def test_two_replicas_deciding_the_same_post_make_one_version(dsn: str) -> None:
    replicas = [(PostgresReviewStore(dsn), PostgresAuditStore(dsn)) for _ in range(4)]
    published: list[Decision] = []
    desks = [_desk(r, a, published) for r, a in replicas]
    desks[0].hold(_held("p-1"), _post("p-1"))
    barrier = threading.Barrier(len(desks))

    def act(desk: ReviewDesk) -> bool:
        barrier.wait()
        try:
            desk.approve("demo-hospital", "p-1", "rev")
        except ReviewError as exc:  # already decided, or lost the race at the version guard
            assert isinstance(exc, NotInQueue) or "another action" in str(exc)
            return False
        return True

    with ThreadPoolExecutor(len(desks)) as pool:
        results = list(pool.map(act, desks))
    assert results.count(True) == 1 and len(published) == 1
    assert [r.version for r in replicas[0][1].versions("p-1")] == [2]
    for r, a in replicas:
        r.close()
        a.close()


def test_expiry_and_retention_on_postgres(stores: tuple[PostgresReviewStore, PostgresAuditStore]) -> None:
    review, audit = stores
    published: list[Decision] = []
    desk = _desk(review, audit, published)
    desk.hold(_held("due", review_deadline="2026-12-01T08:59:00Z"))
    desk.hold(_held("open", review_deadline="2026-12-01T18:00:00Z"))
    [expired] = desk.expire_overdue()
    assert expired.review is not None and expired.review.action == ReviewAction.DEADLINE_MISSED
    assert expired.verdict == Verdict.BLOCK
    assert [s.depth for s in review.stats()] == [1]
    result = purge_older_than(30, audit, review, clock=lambda: datetime(2027, 6, 1, tzinfo=UTC))
    assert (result.audit_rows, result.review_rows) == (1, 1)
    assert review.get("demo-hospital", "open") is not None and review.get("demo-hospital", "due") is None


def test_feedback_rows_are_idempotent_and_filtered(
    stores: tuple[PostgresReviewStore, PostgresAuditStore],
) -> None:
    review, _ = stores
    row = FeedbackRecord(
        "demo-hospital", "p-1", "rev-1", "2026-12-01T10:00:00.000Z", RAW, "x",
        FeedbackOutcome.MISSED, "IDENTIFIER", "AGE", 0, 6, "REVIEW",
    )  # fmt: skip
    assert review.add_feedback([row, row]) == 1
    assert review.feedback("demo-hospital", since="2026-12-01T10:00:00.000Z") == [row]
    assert review.feedback("clinic-b") == [] and review.feedback(since="2026-12-02") == []


def test_an_audit_table_of_the_previous_release_gains_the_review_columns(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(
            "CREATE TABLE decision_versions (post_id TEXT NOT NULL, institution_id TEXT NOT NULL, "
            "verdict TEXT NOT NULL, policy_id TEXT NOT NULL, policy_version TEXT NOT NULL, "
            "redacted_text TEXT NOT NULL, text_sha256 TEXT NOT NULL, findings TEXT NOT NULL, "
            "reasons TEXT NOT NULL, incomplete_stages TEXT NOT NULL, decided_at TEXT NOT NULL, "
            "version INTEGER NOT NULL, provisional INTEGER NOT NULL, "
            "PRIMARY KEY (institution_id, post_id, text_sha256, version))"
        )
        db.execute(
            "INSERT INTO decision_versions VALUES ('old', 'demo-hospital', 'ALLOW', 'default', '3', '', "
            "'abc', '[]', '[]', '[]', '2026-10-01T00:00:00.000Z', 1, 0)"
        )
    audit = open_audit_store(dsn)
    old = audit.get("old")
    assert old is not None and old.review_action == "" and old.author_id == ""
    assert audit.record(_held("new", author_id="nurse-9")) is True
    assert [r.post_id for r in audit.search(ArchiveQuery(None, author_id="nurse-9"))] == ["new"]
    audit.close()
    PostgresAuditStore(dsn).close()  # a second start finds the columns there


def test_review_replicas_create_the_schema_at_once_and_reconnect_after_a_restart(
    dsn: str, postgres: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    barrier = threading.Barrier(4)

    def start(_: int) -> PostgresReviewStore:
        barrier.wait()
        return PostgresReviewStore(dsn)

    with ThreadPoolExecutor(4) as pool:
        replicas = list(pool.map(start, range(4)))
    store = open_review_store(dsn)
    assert isinstance(store, PostgresReviewStore)
    desk = _desk(store, PostgresAuditStore(dsn), [])
    desk.hold(_held("p-1"), _post("p-1"))
    postgres.restart()
    with caplog.at_level(logging.WARNING, logger="postguard.review.store"):
        assert [i.post_id for i in store.open_items(None)] == ["p-1"]
    assert "review store connection lost; reconnecting and retrying once" in [
        r.getMessage() for r in caplog.records
    ]
    for s in (*replicas, store):
        s.close()
