"""DecisionBook: keyed by (institution, post_id, text hash); versions, claims, shedding, waiters, streams."""

from __future__ import annotations

import threading
import time

import pytest
from postguard.domain.types import Decision, Verdict
from postguard.ingest.decision_book import Claim, DecisionBook

pytestmark = pytest.mark.unit

SHA_A = "a" * 64
SHA_B = "b" * 64


def _decision(
    post_id: str,
    verdict: Verdict = Verdict.ALLOW,
    institution: str = "h1",
    sha: str = SHA_A,
    *,
    version: int = 1,
    provisional: bool = False,
) -> Decision:
    return Decision(
        post_id,
        institution,
        verdict,
        (),
        (),
        "",
        "default",
        "1",
        sha,
        version=version,
        provisional=provisional,
    )


def test_first_decision_of_a_version_wins_and_conflicts_are_counted() -> None:
    book = DecisionBook()
    assert book.record(_decision("p1", Verdict.BLOCK)) is True
    assert book.record(_decision("p1", Verdict.BLOCK)) is False
    assert book.record(_decision("p1", Verdict.ALLOW)) is False
    got = book.get("h1", "p1")
    assert got is not None and got.verdict == Verdict.BLOCK
    assert (book.duplicates, book.conflicts, book.superseded) == (2, 1, 0)


def test_a_higher_version_supersedes_the_provisional_one_and_older_ones_are_ignored() -> None:
    book = DecisionBook()
    _, q = book.subscribe()
    v1 = _decision("p1", Verdict.REVIEW, version=1, provisional=True)
    v2 = _decision("p1", Verdict.ALLOW, version=2)
    assert book.record(v1) is True
    assert book.record(v2) is True
    assert book.superseded == 1
    assert book.get("h1", "p1") == v2 and book.get("h1", "p1", SHA_A) == v2
    assert book.claim("h1", "p1", SHA_A) == Claim(new=False, decision=v2)
    assert len(book) == 1
    # both versions are streamed, in order
    assert [q.get_nowait() for _ in range(2)] == [v1, v2] and q.empty()
    # v1 re-delivered (the decisions topic replayed) does not bring the provisional decision back
    assert book.record(v1) is False
    assert book.get("h1", "p1") == v2 and q.empty()
    assert (book.duplicates, book.conflicts) == (1, 0)  # an older version is no conflict


def test_identity_lookups_never_cross_institutions_or_content() -> None:
    book = DecisionBook()
    ours = _decision("p1", Verdict.BLOCK, "h1", SHA_A)
    book.record(ours)
    # another institution's post with the same id and even the same text knows nothing of ours
    assert book.get("h2", "p1") is None and book.get("h2", "p1", SHA_A) is None
    assert book.claim("h2", "p1", SHA_A).new is True
    assert book.wait("h2", "p1", SHA_A, timeout=0.05) is None
    # other text under our id is another post: not answered with the decision for the first text
    assert book.get("h1", "p1", SHA_B) is None
    assert book.claim("h1", "p1", SHA_B).new is True
    assert book.wait("h1", "p1", SHA_B, timeout=0.05) is None
    assert book.get("h1", "p1") == ours and book.get("h1", "p1", SHA_A) == ours
    # once the edited text is decided, it is the newest for (h1, p1); the first one stays reachable
    edited = _decision("p1", Verdict.ALLOW, "h1", SHA_B)
    theirs = _decision("p1", Verdict.REVIEW, "h2", SHA_A)
    assert book.record(edited) is True and book.record(theirs) is True
    assert (book.conflicts, book.superseded) == (0, 0)  # different identities, not versions
    assert book.get("h1", "p1") == edited and book.get("h1", "p1", SHA_A) == ours
    assert book.get("h2", "p1") == theirs and book.get("h2", "p1", SHA_B) is None
    assert book.institutions_of("p1") == ["h1", "h2"]
    assert book.institutions_of("p1", among={"h2", "h3"}) == ["h2"]
    assert book.institutions_of("p1", among={"h3"}) == []
    assert book.institutions_of("p2") == []


def test_claim_only_once_until_released_or_decided() -> None:
    book = DecisionBook()
    assert book.claim("h1", "p1", SHA_A) == Claim(new=True)
    assert book.claim("h1", "p1", SHA_A) == Claim(new=False)  # in flight: no decision yet, not shed
    assert book.in_flight == 1
    book.release("h1", "p1", SHA_A)
    assert book.in_flight == 0
    assert book.claim("h1", "p1", SHA_A).new is True
    book.record(_decision("p1"))
    assert book.in_flight == 0  # the decision ends the claim
    decided = book.claim("h1", "p1", SHA_A)
    assert decided.new is False and decided.decision is not None and decided.decision.text_sha256 == SHA_A
    # releasing another identity does not touch this one
    book.claim("h1", "p2", SHA_A)
    book.release("h2", "p2", SHA_A)
    book.release("h1", "p2", SHA_B)
    assert book.in_flight == 1


def test_new_posts_are_shed_beyond_max_in_flight() -> None:
    book = DecisionBook(max_in_flight=2)
    assert book.claim("h1", "a", SHA_A).new and book.claim("h1", "b", SHA_A).new
    shed = book.claim("h1", "c", SHA_A)
    assert shed == Claim(new=False, decision=None, shed=True)
    assert book.in_flight == 2  # a refused post is not marked
    # posts already in flight or decided are answered, never shed
    assert book.claim("h1", "a", SHA_A) == Claim(new=False)
    book.record(_decision("d"))
    assert book.claim("h1", "d", SHA_A).decision is not None
    # a decision frees a slot, and so does a release
    book.record(_decision("a"))
    assert book.claim("h1", "c", SHA_A).new is True
    assert book.claim("h1", "e", SHA_A).shed is True
    book.release("h1", "b", SHA_A)
    assert book.claim("h1", "e", SHA_A).new is True
    # 0 = unbounded
    unbounded = DecisionBook(max_in_flight=0)
    assert all(unbounded.claim("h1", f"p{i}", SHA_A).new for i in range(5000))


def test_claims_expire_after_their_ttl_so_they_do_not_hold_a_slot_forever() -> None:
    book = DecisionBook(max_in_flight=1, claim_ttl_seconds=0.1)
    assert book.claim("h1", "lost", SHA_A).new is True  # its decision never reaches this replica
    assert book.claim("h1", "next", SHA_A).shed is True
    time.sleep(0.15)
    assert book.claim("h1", "next", SHA_A).new is True
    assert book.in_flight == 1
    # a claim younger than the TTL is kept
    assert book.claim("h1", "third", SHA_A).shed is True


def test_wait_wakes_on_its_own_decision_only_and_times_out() -> None:
    book = DecisionBook()
    threading.Timer(0.05, lambda: book.record(_decision("p1", institution="h2"))).start()
    threading.Timer(0.1, lambda: book.record(_decision("p1", sha=SHA_B))).start()
    threading.Timer(0.2, lambda: book.record(_decision("p1"))).start()
    started = time.monotonic()
    got = book.wait("h1", "p1", SHA_A, timeout=5)
    assert got is not None and got.identity == ("h1", "p1", SHA_A)
    assert 0.15 <= time.monotonic() - started < 2
    started = time.monotonic()
    assert book.wait("h1", "p2", SHA_A, timeout=0.2) is None
    assert time.monotonic() - started >= 0.2


def test_a_decision_wakes_only_the_calls_waiting_for_it_and_timed_out_waiters_are_forgotten() -> None:
    book = DecisionBook()
    got: dict[str, Decision | None] = {}

    def wait_for(name: str, post_id: str, timeout: float) -> threading.Thread:
        def run() -> None:
            got[name] = book.wait("h1", post_id, SHA_A, timeout)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    same = [wait_for("a1", "pa", 5), wait_for("a2", "pa", 5)]
    other = wait_for("b", "pb", 5)
    short = wait_for("c", "pc", 0.1)
    deadline = time.monotonic() + 2
    while book.waiting < 4 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert book.waiting == 4
    book.record(_decision("pa"))
    for thread in same:
        thread.join(2)
    assert got["a1"] is not None and got["a2"] is not None and got["a1"].post_id == "pa"
    short.join(2)
    assert got["c"] is None
    assert book.waiting == 1 and other.is_alive()  # pb's call still waits: pa's decision did not end it
    book.record(_decision("pb"))
    other.join(2)
    assert got["b"] is not None and got["b"].post_id == "pb" and book.waiting == 0


def test_streams_get_new_decisions_of_their_institutions() -> None:
    book = DecisionBook()
    token_all, all_q = book.subscribe(None)
    token_h2, h2_q = book.subscribe(frozenset({"h2"}))
    token_two, two_q = book.subscribe(frozenset({"h1", "h3"}))
    book.record(_decision("p1", institution="h1"))
    book.record(_decision("p2", institution="h2"))
    book.record(_decision("p2", institution="h2"))  # duplicate: not streamed twice
    book.record(_decision("p3", institution="h3"))
    book.record(_decision("p2", Verdict.BLOCK, institution="h2", version=2))  # a new version is streamed
    assert [all_q.get_nowait().post_id for _ in range(4)] == ["p1", "p2", "p3", "p2"]
    assert all_q.empty()
    assert [(d.post_id, d.version) for d in (h2_q.get_nowait(), h2_q.get_nowait())] == [("p2", 1), ("p2", 2)]
    assert h2_q.empty()
    assert [two_q.get_nowait().institution_id for _ in range(2)] == ["h1", "h3"] and two_q.empty()
    # an empty set follows nobody
    _, none_q = book.subscribe(frozenset())
    book.record(_decision("p4", institution="h1"))
    assert none_q.empty()
    for token in (token_all, token_h2, token_two):
        book.unsubscribe(token)
    assert book.stream_count == 1


def test_oldest_decisions_are_evicted_beyond_capacity() -> None:
    book = DecisionBook(max_entries=1000)
    for i in range(1001):
        book.record(_decision(f"p{i}"))
    assert len(book) == 1000
    assert book.get("h1", "p0") is None and book.get("h1", "p0", SHA_A) is None
    assert book.institutions_of("p0") == []
    assert book.get("h1", "p1000") is not None


def test_evicting_an_older_content_keeps_the_newest_lookup() -> None:
    book = DecisionBook(max_entries=1000)
    book.record(_decision("p0", sha=SHA_A))
    book.record(_decision("p0", sha=SHA_B))
    for i in range(1, 1000):
        book.record(_decision(f"p{i}"))
    assert book.get("h1", "p0", SHA_A) is None  # the oldest entry went
    got = book.get("h1", "p0")
    assert got is not None and got.text_sha256 == SHA_B
