"""The audit trail of decisions: one row per decision version, with redacted text and a hash, never raw text.

A row belongs to (institution_id, post_id, text_sha256, version): two institutions' posts with the same
id, an edited resubmission and the complete decision that supersedes a provisional one each get their
own row. A decision made with stages missing or failed stores no text at all, only the hash. A reviewer's
version also stores who decided, how and their note (``review_action``, ``reviewer``, ``review_note``);
every row stores the post's ``author_id`` and ``review_deadline``, so the archive can be searched by author.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from postguard.core.postgres import PostgresConnection
from postguard.domain.types import Decision, Finding

# pg_advisory_xact_lock key that serialises schema creation between replicas ("PGAUDIT" as an int).
_SCHEMA_LOCK_KEY = 0x5047415544495400


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audited decision as stored."""

    post_id: str
    institution_id: str
    verdict: str
    policy_id: str
    policy_version: str
    redacted_text: str
    text_sha256: str
    findings: list[dict[str, object]]
    reasons: list[str]
    incomplete_stages: list[str]
    decided_at: str
    version: int = 1
    provisional: bool = False
    author_id: str = ""
    review_action: str = ""
    """The ReviewAction of a version made by a reviewer (or a missed deadline); '' for automatic ones."""
    reviewer: str = ""
    review_note: str = ""
    review_deadline: str = ""


@dataclass(frozen=True, slots=True)
class ArchiveQuery:
    """A search of the audit trail. ``institutions=None`` means every institution (an admin's view);
    an empty set matches nothing. ``since`` is inclusive, ``until`` exclusive (RFC 3339 or a date,
    compared with ``decided_at``); ``label`` matches a finding's label exactly; newest rows first."""

    institutions: frozenset[str] | None
    author_id: str = ""
    since: str = ""
    until: str = ""
    verdict: str = ""
    label: str = ""
    limit: int = 200
    offset: int = 0


MAX_SEARCH_LIMIT = 10_000


def findings_json(decision: Decision) -> str:
    """The findings without any text: what, where, how sure, and by which detector."""
    return json.dumps([_finding_fields(f) for f in decision.findings])


def _finding_fields(finding: Finding) -> dict[str, object]:
    fields: dict[str, object] = {
        "category": str(finding.category),
        "label": finding.label,
        "start": finding.start,
        "end": finding.end,
        "confidence": round(finding.confidence, 4),
        "detector": finding.detector,
    }
    if finding.attachment_id:  # the span indexes that attachment's field, not the post text
        fields.update(attachment_id=finding.attachment_id, field=finding.field)
    return fields


class AuditStore(Protocol):
    """Where policy-decision records every decision. ``record`` is idempotent per decision version."""

    def record(self, decision: Decision) -> bool:
        """Store ``decision``; False when that version of that post's content was already recorded."""
        ...

    def get(self, post_id: str, institution_id: str | None = None) -> AuditRecord | None:
        """The newest recorded version for ``post_id`` (of ``institution_id`` when given)."""
        ...

    def versions(self, post_id: str, institution_id: str | None = None) -> list[AuditRecord]:
        """Every recorded row for ``post_id``, oldest first."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class SearchableAuditStore(AuditStore, Protocol):
    """An audit store the archive can search and purge (both stores here are)."""

    def search(self, query: ArchiveQuery) -> list[AuditRecord]:
        """Rows matching ``query``, newest first, at most ``query.limit`` from ``query.offset``."""
        ...

    def purge_before(self, cutoff: str) -> int:
        """Delete rows decided before ``cutoff`` (RFC 3339); returns how many."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS decision_versions (
    post_id           TEXT NOT NULL,
    institution_id    TEXT NOT NULL,
    verdict           TEXT NOT NULL,
    policy_id         TEXT NOT NULL,
    policy_version    TEXT NOT NULL,
    redacted_text     TEXT NOT NULL,
    text_sha256       TEXT NOT NULL,
    findings          TEXT NOT NULL,
    reasons           TEXT NOT NULL,
    incomplete_stages TEXT NOT NULL,
    decided_at        TEXT NOT NULL,
    version           INTEGER NOT NULL,
    provisional       INTEGER NOT NULL,
    author_id         TEXT NOT NULL DEFAULT '',
    review_action     TEXT NOT NULL DEFAULT '',
    reviewer          TEXT NOT NULL DEFAULT '',
    review_note       TEXT NOT NULL DEFAULT '',
    review_deadline   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (institution_id, post_id, text_sha256, version)
);
CREATE INDEX IF NOT EXISTS decision_versions_post ON decision_versions (post_id, institution_id);
CREATE INDEX IF NOT EXISTS decision_versions_institution ON decision_versions (institution_id, decided_at);
"""

_BASE_COLUMNS = (
    "post_id, institution_id, verdict, policy_id, policy_version, redacted_text, text_sha256, "
    "findings, reasons, incomplete_stages, decided_at, version, provisional"
)
_ADDED_COLUMNS = ("author_id", "review_action", "reviewer", "review_note", "review_deadline")
"""Columns added after the first release: old tables get them with ALTER TABLE ... ADD COLUMN."""
_COLUMNS = _BASE_COLUMNS + ", " + ", ".join(_ADDED_COLUMNS)
_COLUMN_COUNT = 13 + len(_ADDED_COLUMNS)
_SQLITE_MARKS = ",".join("?" * _COLUMN_COUNT)
_ADD_COLUMN = "ALTER TABLE decision_versions ADD COLUMN {if_missing}{column} TEXT NOT NULL DEFAULT ''"
_ADDED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS decision_versions_author ON decision_versions "
    "(institution_id, author_id, decided_at)",
    "CREATE INDEX IF NOT EXISTS decision_versions_decided ON decision_versions (decided_at)",
)
_CONFLICT = "(institution_id, post_id, text_sha256, version)"


def stored_text(decision: Decision) -> str:
    """The text kept for ``decision``: its redaction, or nothing when findings may be partial."""
    if decision.incomplete_stages or decision.provisional or not decision.policy_id:
        return ""
    return decision.redacted_text


def _row(decision: Decision) -> tuple[str, ...]:
    return (
        decision.post_id,
        decision.institution_id,
        str(decision.verdict),
        decision.policy_id,
        decision.policy_version,
        stored_text(decision),
        decision.text_sha256,
        findings_json(decision),
        json.dumps(list(decision.reasons)),
        json.dumps(list(decision.incomplete_stages)),
        decision.decided_at,
        decision.version,
        int(decision.provisional),
        decision.author_id,
        str(decision.review.action) if decision.review else "",
        decision.review.reviewer if decision.review else "",
        decision.review.note if decision.review else "",
        decision.review_deadline,
    )


def _record(row: tuple[object, ...]) -> AuditRecord:
    (post_id, inst, verdict, pid, pver, redacted, sha, findings, reasons, incomplete, decided_at) = row[:11]
    version, provisional, author_id, action, reviewer, note, deadline = row[11:18]
    return AuditRecord(
        post_id=str(post_id),
        institution_id=str(inst),
        verdict=str(verdict),
        policy_id=str(pid),
        policy_version=str(pver),
        redacted_text=str(redacted),
        text_sha256=str(sha),
        findings=json.loads(str(findings)),
        reasons=json.loads(str(reasons)),
        incomplete_stages=json.loads(str(incomplete)),
        decided_at=str(decided_at),
        version=int(version),  # type: ignore[call-overload]
        provisional=bool(provisional),
        author_id=str(author_id),
        review_action=str(action),
        reviewer=str(reviewer),
        review_note=str(note),
        review_deadline=str(deadline),
    )


def _select(placeholder: str, institution_id: str | None) -> str:
    where = f"post_id = {placeholder}" + (f" AND institution_id = {placeholder}" if institution_id else "")
    return f"SELECT {_COLUMNS} FROM decision_versions WHERE {where} ORDER BY decided_at, version"


def newest(rows: list[AuditRecord]) -> AuditRecord | None:
    """The highest version of the content decided last (versions order one content; clocks may not)."""
    if not rows:
        return None
    last = rows[-1]
    same = [r for r in rows if (r.institution_id, r.text_sha256) == (last.institution_id, last.text_sha256)]
    return max(same, key=lambda r: r.version)


_MIGRATE_COLUMNS = (
    "post_id, institution_id, verdict, policy_id, policy_version, redacted_text, text_sha256, "
    "findings, reasons, incomplete_stages, decided_at"
)
_MIGRATION = (
    f"INSERT INTO decision_versions ({_BASE_COLUMNS}) SELECT {_MIGRATE_COLUMNS}, 1, 0 FROM decisions "
    f"ON CONFLICT {_CONFLICT} DO NOTHING"
)
"""Rows of the previous table (one per post_id) become version 1 rows; the old table is left as it was."""


def _params(post_id: str, institution_id: str | None) -> tuple[str, ...]:
    return (post_id, institution_id) if institution_id else (post_id,)


def _like_literal(value: str) -> str:
    """``value`` for a LIKE pattern with ``ESCAPE '\\'``: its %, _ and \\ match only themselves."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_sql(query: ArchiveQuery, placeholder: str) -> tuple[str, tuple[object, ...]] | None:
    """The parameterised SELECT for ``query`` (values are bound, never formatted); None: matches nothing."""
    where: list[str] = []
    params: list[object] = []
    if query.institutions is not None:
        if not query.institutions:
            return None
        ids = sorted(query.institutions)
        where.append(f"institution_id IN ({', '.join([placeholder] * len(ids))})")
        params.extend(ids)
    for column, op, value in (
        ("author_id", "=", query.author_id),
        ("decided_at", ">=", query.since),
        ("decided_at", "<", query.until),
        ("verdict", "=", query.verdict),
    ):
        if value:
            where.append(f"{column} {op} {placeholder}")
            params.append(value)
    if query.label:
        where.append(f"findings LIKE {placeholder} ESCAPE '\\'")
        params.append("%" + _like_literal(json.dumps({"label": query.label})[1:-1]) + "%")
    limit = min(max(int(query.limit), 0), MAX_SEARCH_LIMIT)
    sql = (
        f"SELECT {_COLUMNS} FROM decision_versions WHERE {' AND '.join(where) or '1 = 1'} "
        f"ORDER BY decided_at DESC, post_id, version DESC LIMIT {placeholder} OFFSET {placeholder}"
    )
    return sql, (*params, limit, max(int(query.offset), 0))


class SqliteAuditStore:
    """The embedded default: one SQLite file in WAL mode, safe to share between threads of a process."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        present = {row[1] for row in self._db.execute("PRAGMA table_info(decision_versions)")}
        for column in _ADDED_COLUMNS:
            if column not in present:  # a table made by an earlier release
                self._db.execute(
                    f"ALTER TABLE decision_versions ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
                )
        for statement in _ADDED_INDEXES:
            self._db.execute(statement)
        old = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='decisions'"
        ).fetchone()
        if old:
            self._db.execute(
                _MIGRATION.replace("INSERT INTO", "INSERT OR IGNORE INTO").split(" ON CONFLICT")[0]
            )

    def record(self, decision: Decision) -> bool:
        with self._lock:
            cursor = self._db.execute(
                f"INSERT OR IGNORE INTO decision_versions ({_COLUMNS}) VALUES ({_SQLITE_MARKS})",
                _row(decision),
            )
            return cursor.rowcount == 1

    def versions(self, post_id: str, institution_id: str | None = None) -> list[AuditRecord]:
        with self._lock:
            rows = self._db.execute(_select("?", institution_id), _params(post_id, institution_id)).fetchall()
        return [_record(row) for row in rows]

    def get(self, post_id: str, institution_id: str | None = None) -> AuditRecord | None:
        return newest(self.versions(post_id, institution_id))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM decision_versions").fetchone()[0])

    def search(self, query: ArchiveQuery) -> list[AuditRecord]:
        built = search_sql(query, "?")
        if built is None:
            return []
        with self._lock:
            rows = self._db.execute(*built).fetchall()
        return [_record(row) for row in rows]

    def purge_before(self, cutoff: str) -> int:
        with self._lock:
            return int(
                self._db.execute("DELETE FROM decision_versions WHERE decided_at < ?", (cutoff,)).rowcount
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresAuditStore:
    """The same table in PostgreSQL (for a network's volume); needs the ``psycopg`` (3) package.

    One autocommit connection shared by the process's threads under a lock. When the connection is lost
    (server restart, failover) an operation reconnects and is retried once, with a warning in the log; a
    second failure raises, so the caller's "audit write failed" error is logged and nothing is lost silently.
    The retry is safe for ``record`` (``ON CONFLICT DO NOTHING``): an insert that committed before the
    connection dropped is reported as already recorded.
    """

    def __init__(self, dsn: str) -> None:
        self._pg = PostgresConnection(dsn, application_name="postguard-audit", what="audit store")
        self._pg.create_schema(_SCHEMA_LOCK_KEY, _create_postgres_schema)
        self._run = self._pg.run

    def record(self, decision: Decision) -> bool:
        row = _row(decision)

        def insert(cur: Any) -> bool:
            cur.execute(
                f"INSERT INTO decision_versions ({_COLUMNS}) VALUES ({', '.join(['%s'] * _COLUMN_COUNT)}) "
                f"ON CONFLICT {_CONFLICT} DO NOTHING",
                row,
            )
            return bool(cur.rowcount == 1)

        return self._run(insert)

    def versions(self, post_id: str, institution_id: str | None = None) -> list[AuditRecord]:
        def select(cur: Any) -> list[tuple[object, ...]]:
            cur.execute(_select("%s", institution_id), _params(post_id, institution_id))
            return cur.fetchall()  # type: ignore[no-any-return]

        return [_record(row) for row in self._run(select)]

    def get(self, post_id: str, institution_id: str | None = None) -> AuditRecord | None:
        return newest(self.versions(post_id, institution_id))

    def count(self) -> int:
        def select(cur: Any) -> int:
            cur.execute("SELECT count(*) FROM decision_versions")
            return int(cur.fetchone()[0])

        return self._run(select)

    def search(self, query: ArchiveQuery) -> list[AuditRecord]:
        built = search_sql(query, "%s")
        if built is None:
            return []

        def select(cur: Any) -> list[tuple[object, ...]]:
            cur.execute(*built)
            return cur.fetchall()  # type: ignore[no-any-return]

        return [_record(row) for row in self._run(select)]

    def purge_before(self, cutoff: str) -> int:
        def delete(cur: Any) -> int:
            cur.execute("DELETE FROM decision_versions WHERE decided_at < %s", (cutoff,))
            return int(cur.rowcount)

        return self._run(delete)

    def close(self) -> None:
        self._pg.close()


def _create_postgres_schema(cur: Any) -> None:
    for statement in filter(str.strip, _SCHEMA.split(";")):
        cur.execute(statement)
    for column in _ADDED_COLUMNS:  # a table made by an earlier release
        cur.execute(_ADD_COLUMN.format(if_missing="IF NOT EXISTS ", column=column))
    for statement in _ADDED_INDEXES:
        cur.execute(statement)
    cur.execute("SELECT to_regclass('decisions')")
    if cur.fetchone()[0] is not None:
        cur.execute(_MIGRATION)


def open_audit_store(url: str) -> SearchableAuditStore:
    """``postgresql://...`` -> PostgreSQL; ``sqlite:///path``, a plain path or ``:memory:`` -> SQLite."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresAuditStore(url)
    if url.startswith("sqlite:///"):
        url = url.removeprefix("sqlite:///")
    return SqliteAuditStore(url)
