"""The ingest service's in-memory view of decisions: lookups, waiters, in-flight claims and live streams.

Everything is keyed by the post's identity (``postguard.domain.identity``: institution, post_id and
text hash), never by post_id alone, so no lookup, duplicate check or wait can ever return a decision
made for another institution's post or for other content under a reused id.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

from postguard.domain.identity import key_of_decision, post_key
from postguard.domain.types import Decision
from postguard.ingest.admission import AdmissionLimit

_STREAM_QUEUE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Claim:
    """Result of :meth:`DecisionBook.claim`: whether the caller should publish, or what already exists."""

    new: bool
    decision: Decision | None = None
    shed: bool = False  # refused: too many posts in flight on this replica


class DecisionBook:
    """Decisions by post identity, filled by the decisions-topic follower and read by the gRPC handlers.

    Each identity keeps its newest decision version: a complete decision superseding a provisional one
    replaces it (and is streamed); a re-delivered or older version is ignored, and one of the same
    version that says something else is counted in ``conflicts``. ``claim`` marks a post as in flight
    so a duplicate Submit/Screen does not publish it twice, and refuses new posts beyond
    ``max_in_flight`` (backpressure: the caller retries instead of a queue turning into timeouts).
    With ``admission``, the bound is that adaptive limit (``postguard.ingest.admission``), fed with the
    accept-to-decision latency of this replica's own claims; ``max_in_flight`` is then its ceiling.
    """

    def __init__(
        self,
        max_entries: int = 1_000_000,
        *,
        max_in_flight: int = 0,
        claim_ttl_seconds: float = 600.0,
        admission: AdmissionLimit | None = None,
    ) -> None:
        self._max_entries = max_entries
        self._max_in_flight = max_in_flight  # 0 = unbounded
        self.admission = admission
        self._claim_ttl = claim_ttl_seconds
        self._decisions: OrderedDict[str, Decision] = OrderedDict()
        self._latest: dict[tuple[str, str], str] = {}  # (institution, post_id) -> newest identity key
        self._institutions: dict[str, set[str]] = {}  # post_id -> institutions with a decision for it
        self._in_flight: OrderedDict[str, float] = OrderedDict()  # identity key -> claimed at
        self._lock = threading.Lock()  # guards everything below and the maps above
        # Screen calls waiting for a decision, by identity key: a decision wakes only its own waiters
        # (a notify_all woke every waiting call per decision: W waiters x decisions/s thread switches).
        self._waiters: dict[str, list[threading.Event]] = {}
        self._streams: dict[int, tuple[frozenset[str] | None, queue.Queue[Decision]]] = {}
        self._next_stream = 0
        self.conflicts = 0
        self.duplicates = 0
        self.superseded = 0
        self.dropped_stream_items = 0

    # --- writers ---------------------------------------------------------------------------------

    def record(self, decision: Decision) -> bool:
        """Store ``decision``; True when it is new for its identity (then waiters and streams see it)."""
        key = key_of_decision(decision)
        with self._lock:
            existing = self._decisions.get(key)
            if existing is not None:
                if decision.version <= existing.version:
                    self.duplicates += 1
                    if decision.version == existing.version and existing.verdict != decision.verdict:
                        self.conflicts += 1
                    return False
                self.superseded += 1
            self._decisions[key] = decision
            self._decisions.move_to_end(key)
            self._latest[(decision.institution_id, decision.post_id)] = key
            self._institutions.setdefault(decision.post_id, set()).add(decision.institution_id)
            while len(self._decisions) > self._max_entries:
                old_key, old = self._decisions.popitem(last=False)
                if self._latest.get((old.institution_id, old.post_id)) == old_key:
                    del self._latest[(old.institution_id, old.post_id)]
                    held = self._institutions.get(old.post_id, set())
                    held.discard(old.institution_id)
                    if not held:
                        self._institutions.pop(old.post_id, None)
            claimed_at = self._in_flight.pop(key, None)
            if claimed_at is not None and self.admission is not None:
                now = time.monotonic()
                self.admission.observe(now - claimed_at, now)
            streams = list(self._streams.values())
            for waiter in self._waiters.pop(key, ()):
                waiter.set()
        for institutions, q in streams:
            if institutions is None or decision.institution_id in institutions:
                try:
                    q.put_nowait(decision)
                except queue.Full:  # a stalled client must not block the follower
                    self.dropped_stream_items += 1
        return True

    def claim(self, institution_id: str, post_id: str, text_sha256: str) -> Claim:
        """Mark this content in flight unless it is already decided or in flight (then ``new`` is False).

        A new claim beyond ``max_in_flight`` is refused with ``shed`` (nothing is marked).
        """
        key = post_key(institution_id, post_id, text_sha256)
        with self._lock:
            decision = self._decisions.get(key)
            if decision is not None:
                return Claim(new=False, decision=decision)
            self._expire_claims(time.monotonic())  # an expired claim of this very post is claimable again
            if key in self._in_flight:
                return Claim(new=False)
            if self.limit and len(self._in_flight) >= self.limit:
                return Claim(new=False, shed=True)
            self._in_flight[key] = time.monotonic()
            return Claim(new=True)

    def release(self, institution_id: str, post_id: str, text_sha256: str) -> None:
        """Forget an in-flight claim whose publish failed, so the client may retry."""
        with self._lock:
            self._in_flight.pop(post_key(institution_id, post_id, text_sha256), None)

    def _expire_claims(self, now: float) -> None:
        # A claim whose decision never reaches this replica (dead-lettered post, policy removed) must not
        # hold a slot forever.
        while self._in_flight:
            key, claimed_at = next(iter(self._in_flight.items()))
            if now - claimed_at < self._claim_ttl:
                break
            del self._in_flight[key]

    @property
    def limit(self) -> int:
        """The in-flight bound in force now (0: unbounded)."""
        return self.admission.limit if self.admission is not None else self._max_in_flight

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    # --- readers ---------------------------------------------------------------------------------

    def get(self, institution_id: str, post_id: str, text_sha256: str = "") -> Decision | None:
        """The newest decision for this post (for exactly ``text_sha256`` when given)."""
        with self._lock:
            if text_sha256:
                return self._decisions.get(post_key(institution_id, post_id, text_sha256))
            key = self._latest.get((institution_id, post_id))
            return self._decisions.get(key) if key is not None else None

    def institutions_of(self, post_id: str, among: Collection[str] | None = None) -> list[str]:
        """Institutions (of ``among`` when given) that have a decision for ``post_id``."""
        with self._lock:
            found = set(self._institutions.get(post_id, ()))
        return sorted(found if among is None else found & set(among))

    def wait(self, institution_id: str, post_id: str, text_sha256: str, timeout: float) -> Decision | None:
        """The decision for this content, waiting up to ``timeout`` seconds; None when it did not come."""
        key = post_key(institution_id, post_id, text_sha256)
        with self._lock:
            decision = self._decisions.get(key)
            if decision is not None or timeout <= 0:
                return decision
            waiter = threading.Event()
            self._waiters.setdefault(key, []).append(waiter)
        waiter.wait(timeout)
        with self._lock:
            waiting = self._waiters.get(key, [])
            if waiter in waiting:  # timed out: nobody popped it
                waiting.remove(waiter)
                if not waiting:
                    del self._waiters[key]
            return self._decisions.get(key)

    @property
    def waiting(self) -> int:
        """Screen calls waiting for a decision now."""
        with self._lock:
            return sum(len(w) for w in self._waiters.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._decisions)

    # --- live streams ----------------------------------------------------------------------------

    def subscribe(self, institutions: frozenset[str] | None = None) -> tuple[int, queue.Queue[Decision]]:
        """A queue receiving every new decision version of ``institutions`` (all when None)."""
        q: queue.Queue[Decision] = queue.Queue(maxsize=_STREAM_QUEUE_SIZE)
        with self._lock:
            token = self._next_stream
            self._next_stream += 1
            self._streams[token] = (institutions, q)
        return token, q

    def unsubscribe(self, token: int) -> None:
        with self._lock:
            self._streams.pop(token, None)

    @property
    def stream_count(self) -> int:
        with self._lock:
            return len(self._streams)
