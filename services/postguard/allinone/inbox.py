"""``Inbox``: the all-in-one server's durable record of accepted posts not yet screened (SQLite).

``put(post)`` stores the post (``postguard.core.codec.encode`` bytes, keyed by institution_id, post_id,
text_sha256; idempotent) and commits before it returns, so ``Submit``/``Screen`` answer "accepted" only
once the post survives a crash. ``done(identity)`` deletes the row once its decision is in the audit
store, offered to the review queue and emitted; ``pending()`` lists what is left, oldest first, for the
server to screen again at start.

Durability: the file is in WAL mode with ``synchronous=FULL``, so every commit (each ``put``) fsyncs
the WAL before returning. ``NORMAL`` would survive a process crash (kill -9, OOM) but may lose the last
commits on power loss or a kernel panic, which would drop posts a platform was told were accepted;
the fsync costs a millisecond or so per post, small next to screening. A lost ``done`` (NORMAL or not)
would only mean a post is screened again, which is idempotent.

Privacy: a row holds the post's original text only until the post is screened (the same protection
as the review queue's original text: a file of mode 0600 in the data directory, mode 0700). A row that
cannot be decoded is moved to ``inbox_set_aside`` (kept, never dropped silently) and logged by its
identity only, never its content.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from postguard.core.codec import decode_post, encode
from postguard.domain.types import Post

log = logging.getLogger(__name__)

INBOX_FILE = "inbox.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    institution_id TEXT NOT NULL,
    post_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    post BLOB NOT NULL,
    PRIMARY KEY (institution_id, post_id, text_sha256)
);
CREATE TABLE IF NOT EXISTS inbox_set_aside (
    institution_id TEXT NOT NULL,
    post_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    post BLOB NOT NULL,
    error TEXT NOT NULL,
    set_aside_at TEXT NOT NULL,
    PRIMARY KEY (institution_id, post_id, text_sha256)
);
"""


@dataclass(frozen=True)
class Identity:
    """What a stored post is known by: the content-addressed key of the DecisionBook."""

    institution_id: str
    post_id: str
    text_sha256: str

    @classmethod
    def of(cls, post: Post) -> Identity:
        return cls(post.institution_id, post.post_id, post.text_sha256)


class InboxError(OSError):
    """The inbox could not store or read a post; the message names ids and the error type only."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _private_file(path: Path) -> None:
    """Create ``path`` (and its directory) readable by the owner only; tighten wider modes."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.parent.stat().st_mode) & 0o077:
        log.warning("data directory was readable by others; set to 0700", extra={"path": str(path.parent)})
        path.parent.chmod(0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if stat.S_IMODE(path.stat().st_mode) != 0o600:
        path.chmod(0o600)


class Inbox:
    """Accepted, not yet screened posts in one SQLite file (thread-safe; one connection, one lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        _private_file(self.path)  # SQLite gives the -wal and -shm files the database file's mode
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def put(self, post: Post) -> bool:
        """Store ``post`` durably (committed and fsynced on return); False when it was already stored."""
        key = Identity.of(post)
        data = encode(post)
        try:
            with self._lock:
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO inbox (institution_id, post_id, text_sha256, accepted_at, post) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key.institution_id, key.post_id, key.text_sha256, _now(), data),
                )
                return cur.rowcount == 1
        except sqlite3.Error as exc:
            raise InboxError(f"post {key.post_id!r} not stored in the inbox ({type(exc).__name__})") from None

    def done(self, identity: Identity) -> bool:
        """Forget a screened post; False when it was not (or no longer) stored."""
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM inbox WHERE institution_id = ? AND post_id = ? AND text_sha256 = ?",
                (identity.institution_id, identity.post_id, identity.text_sha256),
            )
            return cur.rowcount == 1

    def pending(self) -> list[Post]:
        """Every stored post, oldest first; rows that do not decode are set aside (logged by identity)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT institution_id, post_id, text_sha256, accepted_at, post FROM inbox ORDER BY rowid"
            ).fetchall()
        posts: list[Post] = []
        for institution_id, post_id, sha, accepted_at, data in rows:
            key = Identity(institution_id, post_id, sha)
            try:
                post = decode_post(bytes(data))
                if Identity.of(post) != key:
                    raise ValueError("the stored post does not match its key")
            except Exception as exc:  # any undecodable row is kept aside, never dropped
                self._set_aside(key, accepted_at, bytes(data), type(exc).__name__)
                continue
            posts.append(post)
        return posts

    def _set_aside(self, key: Identity, accepted_at: str, data: bytes, error: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO inbox_set_aside VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key.institution_id, key.post_id, key.text_sha256, accepted_at, data, error, _now()),
            )
            self._db.execute(
                "DELETE FROM inbox WHERE institution_id = ? AND post_id = ? AND text_sha256 = ?",
                (key.institution_id, key.post_id, key.text_sha256),
            )
            self._db.execute("COMMIT")
        log.error(
            "an accepted post in the inbox cannot be decoded; set aside in inbox_set_aside, not screened",
            extra={
                "post_id": key.post_id,
                "institution_id": key.institution_id,
                "text_sha256": key.text_sha256,
                "error_type": error,
                "path": str(self.path),
            },
        )

    def set_aside(self) -> list[tuple[Identity, str]]:
        """The rows set aside, oldest first: (identity, error type)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT institution_id, post_id, text_sha256, error FROM inbox_set_aside ORDER BY rowid"
            ).fetchall()
        return [(Identity(i, p, s), error) for i, p, s, error in rows]

    def count(self) -> int:
        """Posts stored and not yet done."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
