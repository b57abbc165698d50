"""Re-reads records faust skipped while a rebalance finished, so none is lost to a commit past it.

faust-streaming can drop a record fetched in the short window where a rebalance resumes partitions but
has not resumed the flow yet: the record is marked read but never reaches the agent, and once a later
offset of that partition is acked the commit moves past it (seen here ~1 restart in 10; cf.
faust-streaming issues #216 / #221). Agents call ``GapGuard.check`` on every event: the first offset
seen per partition in a consumer generation must be the committed one, and later ones must follow each
other; on a gap the guard seeks the partition back once, and the skipped record is read again (records
after it are re-read too, which the services handle idempotently).
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
        try:
            await self.app.consumer.seek(message.tp, missing)
        except Exception as exc:
            log.warning("seek back failed", extra={"error_type": type(exc).__name__})
