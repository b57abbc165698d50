"""DecisionBook: first decision wins, claims stop double publishing, waiters wake, streams filter."""

from __future__ import annotations

import threading
import time

import pytest
from postguard.domain.types import Decision, Verdict
from postguard.ingest.decision_book import DecisionBook

pytestmark = pytest.mark.unit


def _decision(post_id: str, verdict: Verdict = Verdict.ALLOW, institution: str = "h1") -> Decision:
    return Decision(post_id, institution, verdict, (), (), "", "default", "1", "sha-" + post_id)


def test_first_decision_wins_and_conflicts_are_counted() -> None:
    book = DecisionBook()
    assert book.record(_decision("p1", Verdict.BLOCK)) is True
    assert book.record(_decision("p1", Verdict.BLOCK)) is False
    assert book.record(_decision("p1", Verdict.ALLOW)) is False
    assert book.get("p1").verdict == Verdict.BLOCK
    assert (book.duplicates, book.conflicts) == (2, 1)


def test_claim_only_once_until_released_or_decided() -> None:
    book = DecisionBook()
    assert book.claim("p1", "abc").new is True
    second = book.claim("p1", "abc")
    assert (second.new, second.decision, second.text_sha256) == (False, None, "abc")
    book.release("p1")
    assert book.claim("p1", "abc").new is True
    book.record(_decision("p1"))
    decided = book.claim("p1", "abc")
    assert decided.new is False and decided.decision is not None and decided.text_sha256 == "sha-p1"


def test_wait_wakes_on_record_and_times_out() -> None:
    book = DecisionBook()
    threading.Timer(0.1, lambda: book.record(_decision("p1"))).start()
    started = time.monotonic()
    assert book.wait("p1", timeout=5).post_id == "p1"
    assert time.monotonic() - started < 2
    started = time.monotonic()
    assert book.wait("p2", timeout=0.2) is None
    assert time.monotonic() - started >= 0.2


def test_streams_get_new_decisions_of_their_institution() -> None:
    book = DecisionBook()
    token_all, all_q = book.subscribe("")
    token_h2, h2_q = book.subscribe("h2")
    book.record(_decision("p1", institution="h1"))
    book.record(_decision("p2", institution="h2"))
    book.record(_decision("p2", institution="h2"))  # duplicate: not streamed twice
    assert [all_q.get_nowait().post_id for _ in range(2)] == ["p1", "p2"]
    assert all_q.empty()
    assert h2_q.get_nowait().post_id == "p2" and h2_q.empty()
    book.unsubscribe(token_all)
    book.unsubscribe(token_h2)
    assert book.stream_count == 0


def test_oldest_decisions_are_evicted_beyond_capacity() -> None:
    book = DecisionBook(max_entries=1000)
    for i in range(1001):
        book.record(_decision(f"p{i}"))
    assert len(book) == 1000
    assert book.get("p0") is None and book.get("p1000") is not None
