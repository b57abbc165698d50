"""Re-reads records faust skipped while a rebalance finished, so none is lost to a commit past it.

faust-streaming can drop a record fetched in the short window where a rebalance resumes partitions but
has not resumed the flow yet: the record is marked read but never reaches the agent, and once a later
offset of that partition is acked the commit moves past it (seen here ~1 restart in 10; cf.
faust-streaming issues #216 / #221). Two checks:

- ``check`` (every event): the first offset seen per partition in a consumer generation must be the
  committed one and later ones must follow each other; on a gap the partition is sought back once.
- ``sweep`` (a timer): a partition whose high watermark is past the next expected offset, with no
  progress for ``stall_seconds``, is sought back to that offset (a dropped last record leaves no gap).

Re-read records are processed again, which the services handle idempotently.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class GapGuard:
    """Per-partition check that consumed offsets have no holes; seeks back to the first missing one."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._generation: object = None
        self._next: dict[Any, int] = {}
        self._sought: set[tuple[Any, int]] = set()
        self._waiting: dict[Any, tuple[int, float]] = {}  # tp -> (expected offset, since)

    def expected(self, tp: Any) -> int | None:
        """The offset the next record of ``tp`` should have (None: unknown, e.g. a new consumer group)."""
        if tp in self._next:
            return self._next[tp]
        committed = getattr(self.app.consumer, "_committed_offset", {}).get(tp)
        return int(committed) if committed is not None else None

    def observe(self, tp: Any, offset: int) -> int | None:
        """Record ``offset`` of ``tp``; returns the offset to seek back to when records were skipped."""
        generation = self.app.consumer_generation_id
        if generation != self._generation:
            self._generation = generation
            self._next.clear()
        expected = self.expected(tp)
        self._next[tp] = max(offset + 1, self._next.get(tp, 0))
        if expected is None or offset <= expected or (tp, expected) in self._sought:
            return None
        self._sought.add((tp, expected))
        return expected

    async def sweep(self, topics: frozenset[str], stall_seconds: float, now: float) -> list[Any]:
        """Seek back partitions of ``topics`` that have records past the expected offset but made no
        progress for ``stall_seconds``; returns the partitions sought."""
        if not self.app.flow_control.is_active() or getattr(self.app, "rebalancing", False):
            self._waiting.clear()
            return []
        consumer = self.app.consumer
        tps = [tp for tp in consumer.assignment() if tp.topic in topics]
        if not tps:
            return []
        highwaters = await consumer.highwaters(*tps)
        sought = []
        for tp in tps:
            expected, high = self.expected(tp), highwaters.get(tp)
            if expected is None or high is None or high <= expected:
                self._waiting.pop(tp, None)
                continue
            waiting = self._waiting.get(tp)
            if waiting is None or waiting[0] != expected:
                self._waiting[tp] = (expected, now)
                continue
            if now - waiting[1] < stall_seconds:
                continue
            log.warning(
                "partition made no progress; reading it again",
                extra={"topic": tp.topic, "partition": tp.partition, "from_offset": expected, "high": high},
            )
            self._waiting[tp] = (expected, now)
            await self._seek(tp, expected)
            sought.append(tp)
        return sought

    async def _seek(self, tp: Any, offset: int) -> None:
        try:
            await self.app.consumer.seek(tp, offset)
        except Exception as exc:
            log.warning("seek back failed", extra={"error_type": type(exc).__name__})

    async def check(self, event: Any) -> None:
        """Call with each event an agent receives (before processing it)."""
        message = event.message
        missing = self.observe(message.tp, int(message.offset))
        if missing is None:
            return
        log.warning(
            "records skipped by the consumer; reading them again",
            extra={
                "topic": message.tp.topic,
                "partition": message.tp.partition,
                "from_offset": missing,
                "seen_offset": int(message.offset),
            },
        )
        self._next[message.tp] = missing
        await self._seek(message.tp, missing)
