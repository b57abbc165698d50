"""The ingest service's in-memory view of decisions: lookups, waiters, in-flight claims and live streams."""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from postguard.domain.types import Decision

_STREAM_QUEUE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Claim:
    """Result of :meth:`DecisionBook.claim`: whether the caller should publish, or what already exists."""

    new: bool
    decision: Decision | None = None
    text_sha256: str = ""


class DecisionBook:
    """Decisions by post_id, filled by the decisions-topic follower and read by the gRPC handlers.

    The first decision seen for a post_id wins; later ones for the same id are counted in ``conflicts``
    when they differ (the policy service must not produce them) and ignored. ``claim`` marks a post as
    in flight so a duplicate Submit/Screen does not publish it a second time.
    """

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._max_entries = max_entries
        self._decisions: OrderedDict[str, Decision] = OrderedDict()
        self._in_flight: dict[str, str] = {}  # post_id -> text sha256
        self._cond = threading.Condition()
        self._streams: dict[int, tuple[str, queue.Queue[Decision]]] = {}
        self._next_stream = 0
        self.conflicts = 0
        self.duplicates = 0
        self.dropped_stream_items = 0

    # --- writers ---------------------------------------------------------------------------------

    def record(self, decision: Decision) -> bool:
        """Store ``decision``; True when it is the first for its post_id (then waiters and streams see it)."""
        with self._cond:
            existing = self._decisions.get(decision.post_id)
            if existing is not None:
                self.duplicates += 1
                if existing.verdict != decision.verdict:
                    self.conflicts += 1
                return False
            self._decisions[decision.post_id] = decision
            if len(self._decisions) > self._max_entries:
                self._decisions.popitem(last=False)
            self._in_flight.pop(decision.post_id, None)
            streams = list(self._streams.values())
            self._cond.notify_all()
        for institution, q in streams:
            if not institution or institution == decision.institution_id:
                try:
                    q.put_nowait(decision)
                except queue.Full:  # a stalled client must not block the follower
                    self.dropped_stream_items += 1
        return True

    def claim(self, post_id: str, text_sha256: str) -> Claim:
        """Mark ``post_id`` in flight unless it is already decided or in flight (then ``new`` is False)."""
        with self._cond:
            decision = self._decisions.get(post_id)
            if decision is not None:
                return Claim(new=False, decision=decision, text_sha256=decision.text_sha256)
            if post_id in self._in_flight:
                return Claim(new=False, text_sha256=self._in_flight[post_id])
            self._in_flight[post_id] = text_sha256
            return Claim(new=True, text_sha256=text_sha256)

    def release(self, post_id: str) -> None:
        """Forget an in-flight claim whose publish failed, so the client may retry."""
        with self._cond:
            self._in_flight.pop(post_id, None)

    # --- readers ---------------------------------------------------------------------------------

    def get(self, post_id: str) -> Decision | None:
        with self._cond:
            return self._decisions.get(post_id)

    def wait(self, post_id: str, timeout: float) -> Decision | None:
        """The decision for ``post_id``, waiting up to ``timeout`` seconds; None when it did not come."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                decision = self._decisions.get(post_id)
                if decision is not None:
                    return decision
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def __len__(self) -> int:
        with self._cond:
            return len(self._decisions)

    # --- live streams ----------------------------------------------------------------------------

    def subscribe(self, institution_id: str = "") -> tuple[int, queue.Queue[Decision]]:
        """A queue receiving every new decision (of ``institution_id``; all when empty)."""
        q: queue.Queue[Decision] = queue.Queue(maxsize=_STREAM_QUEUE_SIZE)
        with self._cond:
            token = self._next_stream
            self._next_stream += 1
            self._streams[token] = (institution_id, q)
        return token, q

    def unsubscribe(self, token: int) -> None:
        with self._cond:
            self._streams.pop(token, None)

    @property
    def stream_count(self) -> int:
        with self._cond:
            return len(self._streams)
