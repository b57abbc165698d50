"""The all-in-one durable inbox, and the EmbeddedPublisher's use of it (store first, forget when decided)."""

from __future__ import annotations

import logging
import sqlite3
import stat
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from allinone_support import decide, post
from postguard.allinone.inbox import Identity, Inbox
from postguard.allinone.publisher import EmbeddedPublisher, PublisherStoppedError
from postguard.core.audit import SqliteAuditStore
from postguard.core.codec import encode
from postguard.domain.types import Decision, Post, Verdict
from postguard.ingest.decision_book import DecisionBook
from postguard.review.desk import ReviewDesk
from postguard.review.store import open_review_store

SECRET_TEXT = "Jane Roe in bed 7 says hi"


def screen_all(posts: Sequence[Post]) -> list[Decision]:
    return [decide(p) for p in posts]


# --- the inbox -----------------------------------------------------------------------------------


def test_put_pending_done_oldest_first_and_idempotent(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    a, b, c = post("a"), post("b", SECRET_TEXT), post("c")
    assert inbox.put(b) and inbox.put(a) and inbox.put(c)
    assert inbox.put(a) is False  # the same content again: still one row, still in its first place
    assert [p.post_id for p in inbox.pending()] == ["b", "a", "c"]
    assert inbox.pending()[0] == b  # the whole post comes back, text included
    assert inbox.put(post("a", "edited text")) is True  # other content of the same post_id is another post
    assert inbox.done(Identity.of(a)) is True
    assert inbox.done(Identity.of(a)) is False
    assert [(p.post_id, p.text) for p in inbox.pending()] == [
        ("b", SECRET_TEXT),
        ("c", "A lovely day"),
        ("a", "edited text"),
    ]
    assert inbox.count() == 3
    inbox.close()


def test_the_inbox_survives_reopening_and_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    inbox = Inbox(data / "inbox.sqlite")
    inbox.put(post("a", SECRET_TEXT))
    inbox.put(post("b"))
    inbox.done(Identity.of(post("b")))
    inbox.close()
    reopened = Inbox(data / "inbox.sqlite")
    assert [(p.post_id, p.text) for p in reopened.pending()] == [("a", SECRET_TEXT)]
    assert stat.S_IMODE((data / "inbox.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    wal = data / "inbox.sqlite-wal"
    if wal.exists():  # SQLite gives the WAL the database file's mode
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    mode = reopened._db.execute("PRAGMA journal_mode").fetchone()[0]
    sync = reopened._db.execute("PRAGMA synchronous").fetchone()[0]
    assert (mode, sync) == ("wal", 2)  # 2 = FULL
    reopened.close()


def test_a_wider_data_dir_and_file_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "inbox.sqlite").touch(mode=0o644)
    (data / "inbox.sqlite").chmod(0o644)
    Inbox(data / "inbox.sqlite").close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "inbox.sqlite").stat().st_mode) == 0o600


def test_a_row_that_does_not_decode_is_set_aside_and_logged_without_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "inbox.sqlite"
    inbox = Inbox(path)
    good, bad, swapped = post("good"), post("bad", SECRET_TEXT), post("swapped", SECRET_TEXT)
    for p in (good, bad, swapped):
        inbox.put(p)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE inbox SET post = ? WHERE post_id = 'bad'", (b"\xff\x00 Jane Roe in bed 7",))
        other = encode(post("someone-else", SECRET_TEXT))
        db.execute("UPDATE inbox SET post = ? WHERE post_id = 'swapped'", (other,))
    with caplog.at_level(logging.ERROR, logger="postguard.allinone.inbox"):
        assert [p.post_id for p in inbox.pending()] == ["good"]
    assert [(i.post_id, e) for i, e in inbox.set_aside()] == [
        ("bad", "DecodeError"),
        ("swapped", "ValueError"),
    ]
    assert inbox.count() == 1  # moved, not screened again at every start
    assert [r.post_id for r in caplog.records] == ["bad", "swapped"]  # type: ignore[attr-defined]
    for record in caplog.records:
        logged = record.getMessage() + repr(record.__dict__)
        assert "Jane" not in logged and "bed 7" not in logged
    inbox.close()
    with sqlite3.connect(path) as db:  # kept, bytes and all, for a person to look at
        (kept,) = db.execute("SELECT post FROM inbox_set_aside WHERE post_id = 'bad'").fetchone()
    assert kept == b"\xff\x00 Jane Roe in bed 7"


# --- the publisher with an inbox -----------------------------------------------------------------


@pytest.fixture
def stores(tmp_path: Path):
    audit = SqliteAuditStore(tmp_path / "audit.sqlite")
    store = open_review_store(str(tmp_path / "review.sqlite"))
    inbox = Inbox(tmp_path / "inbox.sqlite")
    yield audit, store, inbox
    inbox.close()
    store.close()
    audit.close()


def publisher_for(stores, book: DecisionBook, screen=screen_all, **kwargs) -> EmbeddedPublisher:
    audit, store, inbox = stores
    desk = ReviewDesk(store, audit, rescreen=decide, publish=book.record)
    return EmbeddedPublisher(screen, audit=audit, desk=desk, emit=book.record, inbox=inbox, **kwargs)


def test_publish_stores_the_post_before_returning_and_forgets_it_once_decided(stores) -> None:
    _audit, _store, inbox = stores
    release = threading.Event()

    def gated(posts: Sequence[Post]) -> list[Decision]:
        assert release.wait(10)
        return screen_all(posts)

    book = DecisionBook()
    publisher = publisher_for(stores, book, gated, workers=1)
    p = post(text=SECRET_TEXT)
    publisher.publish(p, timeout=1)
    assert [q.post_id for q in inbox.pending()] == ["p1"]  # durable while it waits to be screened
    release.set()
    assert book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10) is not None
    publisher.close()
    assert inbox.count() == 0


def test_a_post_whose_audit_write_failed_stays_in_the_inbox(stores) -> None:
    audit, store, inbox = stores

    class BrokenAudit:
        def record(self, decision: Decision) -> bool:
            raise sqlite3.OperationalError("disk I/O error")

    book = DecisionBook()
    desk = ReviewDesk(store, audit, rescreen=decide, publish=book.record)
    publisher = EmbeddedPublisher(screen_all, audit=BrokenAudit(), desk=desk, emit=book.record, inbox=inbox)  # type: ignore[arg-type]
    p = post()
    publisher.publish(p, timeout=1)
    assert book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10) is not None
    publisher.close()
    assert [q.post_id for q in inbox.pending()] == ["p1"]  # screened again at the next start


def test_a_refused_post_is_not_left_in_the_inbox(stores) -> None:
    _audit, _store, inbox = stores
    release = threading.Event()

    def gated(posts: Sequence[Post]) -> list[Decision]:
        release.wait(10)
        return screen_all(posts)

    publisher = publisher_for(stores, DecisionBook(), gated, workers=1, max_queue=1, batch_size=1)
    publisher.publish(post("taken"), timeout=1)  # the worker takes it and waits
    for _ in range(200):
        if publisher.queued == 0:
            break
        threading.Event().wait(0.01)
    publisher.publish(post("queued"), timeout=1)
    with pytest.raises(PublisherStoppedError, match="queue full"):
        publisher.publish(post("refused"), timeout=0.05)
    assert {p.post_id for p in inbox.pending()} == {"taken", "queued"}  # the client retries "refused"
    release.set()
    publisher.close()
    assert inbox.count() == 0


def test_rescreening_a_post_recorded_before_the_crash_adds_no_audit_row_or_queue_item(
    stores, tmp_path: Path
) -> None:
    """The crash came after audit, hold and emit but before done(): the next start screens it again."""
    audit, store, inbox = stores
    book = DecisionBook()
    publisher = publisher_for(stores, book)
    held, fine = post("held", SECRET_TEXT), post("fine")
    for p in (held, fine):
        publisher.publish(p, timeout=1)
        assert book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10) is not None
    publisher.close()
    before = store.get("demo-hospital", "held")
    first = {p.post_id: audit.versions(p.post_id, "demo-hospital") for p in (held, fine)}
    assert inbox.count() == 0 and before is not None
    for p in (held, fine):
        inbox.put(p)  # as if the process died just before done()

    restarted_book = DecisionBook()
    again = publisher_for(stores, restarted_book)
    assert (
        again.recover(claim=lambda p: restarted_book.claim(p.institution_id, p.post_id, p.text_sha256)) == 2
    )
    decisions = [
        restarted_book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10) for p in (held, fine)
    ]
    again.close()
    assert [d.verdict for d in decisions if d] == [Verdict.REVIEW, Verdict.ALLOW]
    for p in (held, fine):  # one row per version, still the first decision (decided_at of the first run)
        assert audit.versions(p.post_id, "demo-hospital") == first[p.post_id]
        assert len(first[p.post_id]) == 1
    after = store.get("demo-hospital", "held")
    assert after == before  # the same queue item: not re-held, same held_at and deadline
    with sqlite3.connect(tmp_path / "review.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM review_items").fetchone()[0] == 1
    assert inbox.count() == 0


def test_recover_queues_the_posts_left_by_a_crash_oldest_first(stores) -> None:
    _audit, _store, inbox = stores
    for i in range(5):
        inbox.put(post(f"p{i}", SECRET_TEXT if i % 2 else "fine"))
    seen: list[str] = []

    def record_order(posts: Sequence[Post]) -> list[Decision]:
        seen.extend(p.post_id for p in posts)
        return screen_all(posts)

    book = DecisionBook()
    publisher = publisher_for(stores, book, record_order, workers=1)
    claimed: list[str] = []
    assert publisher.recover(claim=lambda p: claimed.append(p.post_id)) == 5
    for i in range(5):
        assert book.wait(
            "demo-hospital", f"p{i}", post(f"p{i}", SECRET_TEXT if i % 2 else "fine").text_sha256, 10
        )
    publisher.close()
    assert seen == claimed == [f"p{i}" for i in range(5)]
    assert inbox.count() == 0
