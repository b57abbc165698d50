"""PostgresAuditStore against a real PostgreSQL 15 server: privacy, idempotence, concurrency, reconnects."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from postgres_support import PostgresCluster
from postguard.core.audit import PostgresAuditStore, open_audit_store
from postguard.domain.types import Category, Decision, Finding, Verdict

pytestmark = pytest.mark.integration

RAW_TEXT = "Lovely to see Mrs Jane Example walking again after her hip surgery."
NAME = Finding(Category.IDENTIFIER, "PERSON", 18, 30, 0.95, "rules", "a patient's name", "remove it")
DECISION = Decision(
    post_id="pg-1",
    institution_id="demo-hospital",
    verdict=Verdict.BLOCK,
    findings=(NAME,),
    reasons=("names a patient",),
    redacted_text="Lovely to see Mrs [PERSON] walking again after her hip surgery.",
    policy_id="default",
    policy_version="3",
    text_sha256=hashlib.sha256(RAW_TEXT.encode()).hexdigest(),
    incomplete_stages=(),
    decided_at="2026-11-21T02:00:00.000Z",
)
_databases = itertools.count()


@pytest.fixture
def dsn(postgres: PostgresCluster) -> str:
    """A fresh, empty database in the session's cluster (no table yet)."""
    name = f"audit_{next(_databases)}"
    with psycopg.connect(postgres.dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres.dsn.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def store(dsn: str) -> Iterator[PostgresAuditStore]:
    audit = PostgresAuditStore(dsn)
    yield audit
    audit.close()


def _decision(post_id: str, **changes: object) -> Decision:
    return dataclasses.replace(DECISION, post_id=post_id, **changes)  # type: ignore[arg-type]


def test_records_and_reads_back_redacted_text_and_hash_never_the_raw_text(
    store: PostgresAuditStore, dsn: str
) -> None:
    assert store.record(DECISION) is True
    row = store.get("pg-1")
    assert row is not None
    assert (row.institution_id, row.verdict, row.policy_id, row.policy_version) == (
        "demo-hospital",
        "BLOCK",
        "default",
        "3",
    )
    assert row.redacted_text == DECISION.redacted_text
    assert row.text_sha256 == hashlib.sha256(RAW_TEXT.encode()).hexdigest()
    assert row.findings == [
        {"category": "IDENTIFIER", "label": "PERSON", "start": 18, "end": 30, "confidence": 0.95,
         "detector": "rules"}
    ]  # fmt: skip
    assert (row.reasons, row.incomplete_stages, row.decided_at) == (
        ["names a patient"],
        [],
        "2026-11-21T02:00:00.000Z",
    )
    assert store.get("missing") is None
    # Every column of every row, read straight from the server: neither the raw text nor the name.
    with psycopg.connect(dsn) as db:
        rows = db.execute("SELECT * FROM decision_versions").fetchall()
        cells = [str(cell) for row in rows for cell in row]
        whole_rows = [r[0] for r in db.execute("SELECT d::text FROM decision_versions d").fetchall()]
    assert len(cells) == 18 and len(whole_rows) == 1  # 13 columns + 5 review columns (issue 11)
    for text in (*cells, *whole_rows):
        assert RAW_TEXT not in text and "Jane Example" not in text


def test_same_post_id_twice_keeps_the_first_row(store: PostgresAuditStore) -> None:
    assert store.record(DECISION) is True
    assert store.record(DECISION) is False
    other = _decision("pg-1", verdict=Verdict.ALLOW, findings=(), redacted_text="x", policy_version="4")
    assert store.record(other) is False
    row = store.get("pg-1")
    assert row is not None and (row.verdict, row.policy_version, row.redacted_text) == (
        "BLOCK",
        "3",
        DECISION.redacted_text,
    )
    assert store.count() == 1


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_open_audit_store_picks_postgres_for_a_postgres_url(dsn: str, scheme: str) -> None:
    audit = open_audit_store(dsn.replace("postgresql://", f"{scheme}://", 1))
    try:
        assert isinstance(audit, PostgresAuditStore)
        assert audit.record(_decision("via-url")) is True
        assert audit.count() == 1
    finally:
        audit.close()


def test_concurrent_writers_record_each_post_exactly_once(store: PostgresAuditStore, dsn: str) -> None:
    """Threads sharing one store plus a second store (another connection) race on overlapping post_ids."""
    other = PostgresAuditStore(dsn)
    ids = [f"c-{i}" for i in range(200)]
    barrier = threading.Barrier(8)

    def write(worker: int) -> list[str]:
        target = store if worker % 2 else other
        barrier.wait()
        # every id is written by two workers, in different orders
        mine = ids if worker < 4 else list(reversed(ids))
        return [post_id for post_id in mine[worker % 4 :: 4] if target.record(_decision(post_id))]

    try:
        with ThreadPoolExecutor(8) as pool:
            won = [post_id for ids_won in pool.map(write, range(8)) for post_id in ids_won]
    finally:
        other.close()
    assert sorted(won) == sorted(ids)  # each id reported new exactly once
    assert store.count() == len(ids)


def test_replicas_starting_at_once_create_the_schema_without_a_race(dsn: str) -> None:
    barrier = threading.Barrier(6)

    def start(_: int) -> PostgresAuditStore:
        barrier.wait()
        return PostgresAuditStore(dsn)

    with ThreadPoolExecutor(6) as pool:
        stores = list(pool.map(start, range(6)))
    for i, audit in enumerate(stores):
        assert audit.record(_decision(f"replica-{i}")) is True
    assert stores[0].count() == 6
    for audit in stores:
        audit.close()


def test_reconnects_once_after_the_server_restarts(
    store: PostgresAuditStore, postgres: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    assert store.record(_decision("before-restart")) is True
    postgres.restart()
    with caplog.at_level(logging.WARNING, logger="postguard.core.audit"):
        assert store.record(_decision("after-restart")) is True
    assert [r.getMessage() for r in caplog.records] == [
        "audit store connection lost; reconnecting and retrying once"
    ]
    assert store.count() == 2
    assert store.get("before-restart") is not None


def test_a_write_while_the_server_is_down_raises_and_the_next_one_recovers(
    store: PostgresAuditStore, postgres: PostgresCluster
) -> None:
    """Audit loss is never silent: the caller (policy-decision) gets the error and logs it per post_id."""
    postgres.stop()
    try:
        with pytest.raises(psycopg.OperationalError):
            store.record(_decision("while-down"))
    finally:
        postgres.start()
    assert store.record(_decision("after-start")) is True
    assert store.get("while-down") is None and store.count() == 1
