"""Where the review queue lives: one row per held post (its newest decision) and reviewers' feedback rows.

SQLite (embedded, WAL, one file shared by the process's threads) or PostgreSQL (the distributed stack,
several console replicas), with the same SQL and the same URL rules as the audit store. An item's
``original_text`` is kept only while it is open; resolving it stores ``''``. Feedback rows keep the text
the reviewer judged on purpose (labelled data, see ``postguard.domain.review.feedback``); the retention
purge removes them with resolved items.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from postguard.core.codec import decode_decision, encode
from postguard.core.postgres import PostgresConnection
from postguard.domain.review.feedback import FeedbackRecord
from postguard.domain.review.items import FeedbackOutcome, ReviewItem, ReviewStatus

_T = TypeVar("_T")
# pg_advisory_xact_lock key that serialises schema creation between replicas ("PGREVIEW" as an int).
_SCHEMA_LOCK_KEY = 0x5047524556494557
OPEN_STATUSES = tuple(str(s) for s in ReviewStatus if s.open)


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Open items of one institution: how many, and when the oldest was held (RFC 3339)."""

    institution_id: str
    depth: int
    oldest_held_at: str


class ReviewStore(Protocol):
    """The review queue's storage. Writes of one item are whole-row; ``expected_version`` guards races."""

    def put(self, item: ReviewItem, *, expected_version: int | None = None) -> bool:
        """Insert or replace the item of (institution, post). With ``expected_version``, replace only
        an open row whose decision is still that version; False when it was not."""
        ...

    def get(self, institution_id: str, post_id: str) -> ReviewItem | None: ...

    def open_items(self, institutions: frozenset[str] | None) -> list[ReviewItem]:
        """Open items of ``institutions`` (None: all), soonest deadline first."""
        ...

    def overdue(self, now: str) -> list[ReviewItem]:
        """Open items whose deadline (RFC 3339, UTC) is at or before ``now``."""
        ...

    def stats(self) -> list[QueueStats]: ...

    def add_feedback(self, records: Iterable[FeedbackRecord]) -> int:
        """Store feedback rows (idempotent per post, time, outcome and span); returns rows added."""
        ...

    def feedback(self, institution_id: str | None = None, since: str = "") -> list[FeedbackRecord]: ...

    def settle_feedback(self, institution_id: str, post_id: str, since: str, final_verdict: str) -> int:
        """Set the reviewer's final verdict on the post's feedback given since ``since``; rows changed."""
        ...

    def purge_resolved(self, before: str) -> int:
        """Delete resolved items resolved before ``before`` and feedback given before it; rows deleted."""
        ...

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_items (
    institution_id       TEXT NOT NULL,
    post_id              TEXT NOT NULL,
    version              INTEGER NOT NULL,
    held_sha256          TEXT NOT NULL,
    decision             {blob} NOT NULL,
    status               TEXT NOT NULL,
    deadline             TEXT NOT NULL,
    held_at              TEXT NOT NULL,
    original_text        TEXT NOT NULL,
    platform             TEXT NOT NULL,
    scheduled_publish_at TEXT NOT NULL,
    resolved_by          TEXT NOT NULL,
    resolved_at          TEXT NOT NULL,
    note                 TEXT NOT NULL,
    PRIMARY KEY (institution_id, post_id)
);
CREATE INDEX IF NOT EXISTS review_items_queue ON review_items (status, deadline);
CREATE TABLE IF NOT EXISTS review_feedback (
    institution_id TEXT NOT NULL,
    post_id        TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    given_at       TEXT NOT NULL,
    reviewed_text  TEXT NOT NULL,
    platform       TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    category       TEXT NOT NULL,
    label          TEXT NOT NULL,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    final_verdict  TEXT NOT NULL,
    PRIMARY KEY (institution_id, post_id, given_at, outcome, label, start_offset, end_offset)
);
CREATE INDEX IF NOT EXISTS review_feedback_given ON review_feedback (institution_id, given_at);
"""

_ITEM_COLUMNS = (
    "institution_id, post_id, version, held_sha256, decision, status, deadline, held_at, original_text, "
    "platform, scheduled_publish_at, resolved_by, resolved_at, note"
)
_UPDATABLE = _ITEM_COLUMNS.split(", ")[2:]
_FEEDBACK_COLUMNS = (
    "institution_id, post_id, reviewer, given_at, reviewed_text, platform, outcome, category, label, "
    "start_offset, end_offset, final_verdict"
)
_OPEN = f"status IN ({', '.join(repr(s) for s in OPEN_STATUSES)})"


class _Sql:
    """The statements of both stores; ``p`` is the driver's placeholder (``?`` or ``%s``)."""

    def __init__(self, p: str) -> None:
        items = ", ".join([p] * 14)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _UPDATABLE)
        self.upsert = (
            f"INSERT INTO review_items ({_ITEM_COLUMNS}) VALUES ({items}) "
            f"ON CONFLICT (institution_id, post_id) DO UPDATE SET {updates}"
        )
        sets = ", ".join(f"{c} = {p}" for c in _UPDATABLE)
        self.replace = (
            f"UPDATE review_items SET {sets} WHERE institution_id = {p} AND post_id = {p} "
            f"AND version = {p} AND {_OPEN}"
        )
        self.get = f"SELECT {_ITEM_COLUMNS} FROM review_items WHERE institution_id = {p} AND post_id = {p}"
        self.all_open = f"SELECT {_ITEM_COLUMNS} FROM review_items WHERE {_OPEN} ORDER BY deadline, held_at"
        self.overdue = (
            f"SELECT {_ITEM_COLUMNS} FROM review_items WHERE {_OPEN} AND deadline <= {p} "
            "ORDER BY deadline, held_at"
        )
        self.stats = (
            f"SELECT institution_id, count(*), min(held_at) FROM review_items WHERE {_OPEN} "
            "GROUP BY institution_id ORDER BY institution_id"
        )
        self.add_feedback = (
            f"INSERT INTO review_feedback ({_FEEDBACK_COLUMNS}) VALUES ({', '.join([p] * 12)}) "
            "ON CONFLICT DO NOTHING"
        )
        self.settle = (
            f"UPDATE review_feedback SET final_verdict = {p} WHERE institution_id = {p} AND post_id = {p} "
            f"AND given_at >= {p}"
        )
        self.purge_items = f"DELETE FROM review_items WHERE NOT {_OPEN} AND resolved_at < {p}"
        self.purge_feedback = f"DELETE FROM review_feedback WHERE given_at < {p}"
        self.p = p

    def open_of(self, count: int) -> str:
        """Open items of ``count`` institutions (their ids are bound as parameters)."""
        marks = ", ".join([self.p] * count)
        return (
            f"SELECT {_ITEM_COLUMNS} FROM review_items WHERE {_OPEN} AND institution_id IN ({marks}) "
            "ORDER BY deadline, held_at"
        )

    def feedback(self, institution_id: str | None, since: str) -> tuple[str, tuple[str, ...]]:
        where, params = ["1 = 1"], []
        if institution_id is not None:
            where.append(f"institution_id = {self.p}")
            params.append(institution_id)
        if since:
            where.append(f"given_at >= {self.p}")
            params.append(since)
        sql = (
            f"SELECT {_FEEDBACK_COLUMNS} FROM review_feedback WHERE {' AND '.join(where)} "
            "ORDER BY institution_id, post_id, given_at, start_offset, end_offset, label"
        )
        return sql, tuple(params)


def _item_row(item: ReviewItem) -> tuple[object, ...]:
    d = item.decision
    text = item.original_text if item.status.open else ""  # resolved: redacted text and hashes only
    return (
        d.institution_id,
        d.post_id,
        d.version,
        item.held_sha256 or d.text_sha256,
        encode(d),
        str(item.status),
        item.deadline,
        item.held_at,
        text,
        item.platform,
        item.scheduled_publish_at,
        item.resolved_by,
        item.resolved_at,
        item.note,
    )


def _item(row: tuple[Any, ...]) -> ReviewItem:
    (_inst, _post, _version, held_sha, blob, status, deadline, held_at, text, platform) = row[:10]
    scheduled, resolved_by, resolved_at, note = row[10:]
    return ReviewItem(
        decision=decode_decision(bytes(blob)),
        status=ReviewStatus(status),
        deadline=str(deadline),
        held_at=str(held_at),
        original_text=str(text),
        platform=str(platform),
        scheduled_publish_at=str(scheduled),
        resolved_by=str(resolved_by),
        resolved_at=str(resolved_at),
        note=str(note),
        held_sha256=str(held_sha),
    )


def _feedback_row(r: FeedbackRecord) -> tuple[object, ...]:
    return (
        r.institution_id,
        r.post_id,
        r.reviewer,
        r.given_at,
        r.text,
        r.platform,
        str(r.outcome),
        r.category,
        r.label,
        r.start,
        r.end,
        r.final_verdict,
    )


def _feedback(row: tuple[Any, ...]) -> FeedbackRecord:
    inst, post, reviewer, given_at, text, platform, outcome, category, label, start, end, verdict = row
    return FeedbackRecord(
        institution_id=str(inst),
        post_id=str(post),
        reviewer=str(reviewer),
        given_at=str(given_at),
        text=str(text),
        platform=str(platform),
        outcome=FeedbackOutcome(outcome),
        category=str(category),
        label=str(label),
        start=int(start),
        end=int(end),
        final_verdict=str(verdict),
    )


def _replace_params(item: ReviewItem, expected_version: int) -> tuple[object, ...]:
    row = _item_row(item)
    return (*row[2:], row[0], row[1], expected_version)


class _Base:
    """The operations of both stores over ``_run(operation(cursor))``."""

    _sql: _Sql

    def _run(self, operation: Callable[[Any], _T]) -> _T:
        raise NotImplementedError

    def put(self, item: ReviewItem, *, expected_version: int | None = None) -> bool:
        def write(cur: Any) -> bool:
            if expected_version is None:
                cur.execute(self._sql.upsert, _item_row(item))
                return True
            cur.execute(self._sql.replace, _replace_params(item, expected_version))
            return bool(cur.rowcount == 1)

        return self._run(write)

    def get(self, institution_id: str, post_id: str) -> ReviewItem | None:
        def read(cur: Any) -> tuple[Any, ...] | None:
            cur.execute(self._sql.get, (institution_id, post_id))
            return cur.fetchone()  # type: ignore[no-any-return]

        row = self._run(read)
        return _item(row) if row else None

    def _items(self, sql: str, params: tuple[object, ...]) -> list[ReviewItem]:
        def read(cur: Any) -> list[tuple[Any, ...]]:
            cur.execute(sql, params)
            return cur.fetchall()  # type: ignore[no-any-return]

        return [_item(row) for row in self._run(read)]

    def open_items(self, institutions: frozenset[str] | None) -> list[ReviewItem]:
        if institutions is None:
            return self._items(self._sql.all_open, ())
        if not institutions:
            return []
        ids = tuple(sorted(institutions))
        return self._items(self._sql.open_of(len(ids)), ids)

    def overdue(self, now: str) -> list[ReviewItem]:
        return self._items(self._sql.overdue, (now,))

    def stats(self) -> list[QueueStats]:
        def read(cur: Any) -> list[tuple[Any, ...]]:
            cur.execute(self._sql.stats)
            return cur.fetchall()  # type: ignore[no-any-return]

        return [QueueStats(str(i), int(n), str(oldest)) for i, n, oldest in self._run(read)]

    def add_feedback(self, records: Iterable[FeedbackRecord]) -> int:
        rows = [_feedback_row(r) for r in records]

        def write(cur: Any) -> int:
            added = 0
            for row in rows:
                cur.execute(self._sql.add_feedback, row)
                added += max(cur.rowcount, 0)
            return added

        return self._run(write)

    def feedback(self, institution_id: str | None = None, since: str = "") -> list[FeedbackRecord]:
        sql, params = self._sql.feedback(institution_id, since)

        def read(cur: Any) -> list[tuple[Any, ...]]:
            cur.execute(sql, params)
            return cur.fetchall()  # type: ignore[no-any-return]

        return [_feedback(row) for row in self._run(read)]

    def settle_feedback(self, institution_id: str, post_id: str, since: str, final_verdict: str) -> int:
        def write(cur: Any) -> int:
            cur.execute(self._sql.settle, (final_verdict, institution_id, post_id, since))
            return max(cur.rowcount, 0)

        return self._run(write)

    def purge_resolved(self, before: str) -> int:
        def delete(cur: Any) -> int:
            cur.execute(self._sql.purge_items, (before,))
            items = max(cur.rowcount, 0)
            cur.execute(self._sql.purge_feedback, (before,))
            return items + max(cur.rowcount, 0)

        return self._run(delete)


class SqliteReviewStore(_Base):
    """The embedded default: one SQLite file in WAL mode, safe to share between threads of a process."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sql = _Sql("?")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA.format(blob="BLOB"))

    def _run(self, operation: Callable[[Any], _T]) -> _T:
        with self._lock:
            cur = self._db.cursor()
            try:
                return operation(cur)
            finally:
                cur.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresReviewStore(_Base):
    """The same tables in PostgreSQL; needs ``psycopg`` (3).

    One autocommit connection shared by the process's threads under a lock; a lost connection is
    reconnected and the operation retried once (with a warning), a second failure raises. Replicas
    guard concurrent reviewer actions with ``put(..., expected_version=...)``.
    """

    def __init__(self, dsn: str) -> None:
        self._sql = _Sql("%s")
        self._pg = PostgresConnection(dsn, application_name="postguard-review", what="review store")
        self._pg.create_schema(_SCHEMA_LOCK_KEY, _create_postgres_schema)

    def _run(self, operation: Callable[[Any], _T]) -> _T:
        return self._pg.run(operation)

    def close(self) -> None:
        self._pg.close()


def _create_postgres_schema(cur: Any) -> None:
    for statement in filter(str.strip, _SCHEMA.format(blob="BYTEA").split(";")):
        cur.execute(statement)


def open_review_store(url: str) -> ReviewStore:
    """``postgresql://...`` -> PostgreSQL; ``sqlite:///path``, a plain path or ``:memory:`` -> SQLite."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresReviewStore(url)
    if url.startswith("sqlite:///"):
        url = url.removeprefix("sqlite:///")
    return SqliteReviewStore(url)
