"""EmbeddedPublisher: decisions recorded in the audit store, held posts queued, failures fail closed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import grpc
import pytest
from allinone_support import decide, post
from postguard.allinone.publisher import EmbeddedPublisher, PublisherStoppedError
from postguard.core.audit import SqliteAuditStore
from postguard.domain.review.deadlines import HELD_VERDICTS
from postguard.domain.types import Decision, Post, Verdict
from postguard.http_api.context import CallAborted, HttpCallContext
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.servicer import ScreeningServicer
from postguard.review.desk import ReviewDesk
from postguard.review.store import open_review_store
from postguard.v1 import screening_pb2

SECRET_TEXT = "Jane Roe in bed 7 says hi"


class FakeDesk:
    """Holds held verdicts like ReviewDesk.hold does."""

    def __init__(self) -> None:
        self.held: list[tuple[Decision, Post | None]] = []

    def hold(self, decision: Decision, post: Post | None = None) -> object:
        if decision.verdict not in HELD_VERDICTS:
            return None
        self.held.append((decision, post))
        return decision


@pytest.fixture
def parts(tmp_path: Path):
    book = DecisionBook()
    audit = SqliteAuditStore(tmp_path / "audit.sqlite")
    desk = FakeDesk()
    yield book, audit, desk
    audit.close()


def make(parts, screen_batch=None, **kwargs) -> EmbeddedPublisher:
    book, audit, desk = parts
    screen = screen_batch or (lambda posts: [decide(p) for p in posts])
    return EmbeddedPublisher(screen, audit=audit, desk=desk, emit=book.record, **kwargs)


def test_a_published_post_is_decided_audited_and_emitted(parts) -> None:
    book, audit, desk = parts
    publisher = make(parts)
    p = post()
    publisher.publish(p, timeout=1)
    decision = book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10)
    publisher.close()
    assert decision is not None and decision.verdict is Verdict.ALLOW
    record = audit.get("p1", "demo-hospital")
    assert record is not None and record.verdict == "ALLOW" and record.text_sha256 == p.text_sha256
    assert desk.held == []


def test_a_held_post_enters_the_review_desk_queue_before_it_is_emitted(tmp_path: Path) -> None:
    """With the real ReviewDesk and SQLite review store: queued with its original text, then emitted."""
    book = DecisionBook()
    audit = SqliteAuditStore(tmp_path / "audit.sqlite")
    store = open_review_store(str(tmp_path / "review.sqlite"))
    desk = ReviewDesk(store, audit, rescreen=decide, publish=book.record)
    queued_on_emit: dict[str, int] = {}

    def emit(decision: Decision) -> None:
        queued_on_emit[decision.post_id] = len(desk.queue(None))
        book.record(decision)

    publisher = EmbeddedPublisher(lambda ps: [decide(p) for p in ps], audit=audit, desk=desk, emit=emit)
    p = post(text=SECRET_TEXT)
    publisher.publish(p, timeout=1)
    publisher.publish(post("fine"), timeout=1)
    decision = book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10)
    assert book.wait("demo-hospital", "fine", post("fine").text_sha256, timeout=10) is not None
    publisher.close()
    assert decision is not None and decision.verdict is Verdict.REVIEW
    (item,) = desk.queue(frozenset({"demo-hospital"}))
    assert (item.post_id, item.original_text, item.decision.version) == ("p1", SECRET_TEXT, 1)
    assert item.deadline  # the desk gave it a deadline from the policy timing
    assert queued_on_emit["p1"] == 1  # the held post was queued before the platform heard of it
    assert audit.get("p1").verdict == "REVIEW" and audit.get("fine").verdict == "ALLOW"
    store.close()
    audit.close()


def test_a_pipeline_error_fails_closed_without_text_in_the_log(parts, caplog) -> None:
    book, audit, desk = parts

    def broken(posts: Sequence[Post]) -> list[Decision]:
        raise RuntimeError(f"boom on {posts[0].text}")  # a careless message quoting the text

    publisher = make(parts, broken)
    p = post(text=SECRET_TEXT)
    with caplog.at_level(logging.DEBUG):
        publisher.publish(p, timeout=1)
        decision = book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10)
        publisher.close()
    assert decision is not None
    assert decision.verdict is Verdict.REVIEW
    assert decision.reasons == ("screening failed (RuntimeError); a person must review this post",)
    assert decision.redacted_text == "" and decision.findings == ()
    assert decision.review_deadline  # a held post always gets a deadline
    assert audit.get("p1").verdict == "REVIEW"
    assert [d.post_id for d, _ in desk.held] == ["p1"]
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "screening failed" in logged
    assert "Jane" not in logged and "bed 7" not in logged


def test_one_bad_post_does_not_fail_its_batch_mates(parts) -> None:
    book, _audit, _desk = parts
    gate = threading.Event()

    def picky(posts: Sequence[Post]) -> list[Decision]:
        gate.wait(5)
        if any(p.post_id == "bad" for p in posts):
            raise ValueError("nope")
        return [decide(p) for p in posts]

    publisher = make(parts, picky, workers=1, batch_size=8)
    posts = [post("a"), post("bad"), post("c")]
    for p in posts:
        publisher.publish(p, timeout=1)
    gate.set()
    got = {p.post_id: book.wait(p.institution_id, p.post_id, p.text_sha256, timeout=10) for p in posts}
    publisher.close()
    assert got["a"].verdict is Verdict.ALLOW and got["c"].verdict is Verdict.ALLOW
    assert got["bad"].verdict is Verdict.REVIEW and "screening failed (ValueError)" in got["bad"].reasons[0]


def test_close_screens_what_was_accepted_then_refuses(parts) -> None:
    book, _audit, _desk = parts
    gate = threading.Event()

    def slow(posts: Sequence[Post]) -> list[Decision]:
        gate.wait(5)
        return [decide(p) for p in posts]

    publisher = make(parts, slow, workers=1, batch_size=1)
    accepted = [post(f"p{i}") for i in range(5)]
    for p in accepted:
        publisher.publish(p, timeout=1)
    gate.set()
    publisher.close()
    assert all(book.get(p.institution_id, p.post_id) is not None for p in accepted)
    with pytest.raises(PublisherStoppedError):
        publisher.publish(post("late"), timeout=1)


def test_beyond_the_in_flight_bound_a_post_is_refused_with_backpressure_not_dropped(tmp_path: Path) -> None:
    """The servicer's claim sheds the post before publish: RESOURCE_EXHAUSTED with retry pushback."""
    book = DecisionBook(max_in_flight=1)
    audit = SqliteAuditStore(tmp_path / "a.sqlite")
    gate = threading.Event()

    def slow(posts: Sequence[Post]) -> list[Decision]:
        gate.wait(10)
        return [decide(p) for p in posts]

    publisher = EmbeddedPublisher(slow, audit=audit, desk=FakeDesk(), emit=book.record, workers=1)
    servicer = ScreeningServicer(
        book=book,
        publisher=publisher,
        registry=None,
        screen_timeout=5,
        max_screen_timeout=10,
        submit_timeout=1,
        max_text_chars=10_000,
    )
    from postguard.core.codec import post_to_proto

    first = servicer.Submit(post_to_proto(post("one")), HttpCallContext(None))
    assert first.post_id == "one" and not first.duplicate
    context = HttpCallContext(None)
    with pytest.raises(CallAborted) as refused:
        servicer.Submit(post_to_proto(post("two")), context)
    assert refused.value.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert context.trailing("grpc-retry-pushback-ms") == "1000"
    gate.set()
    assert book.wait("demo-hospital", "one", post("one").text_sha256, timeout=10) is not None
    # the slot is free again: the refused post is accepted on retry and decided
    servicer.Submit(post_to_proto(post("two")), HttpCallContext(None))
    assert book.wait("demo-hospital", "two", post("two").text_sha256, timeout=10) is not None
    req = screening_pb2.GetDecisionRequest(institution_id="demo-hospital", post_id="two")
    assert servicer.GetDecision(req, HttpCallContext(None)).post_id == "two"
    publisher.close()
    audit.close()
