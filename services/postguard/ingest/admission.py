"""How many posts one ingest replica lets be in flight: an AIMD limit driven by decision latency.

A fixed queue bound either sheds too early on a fast cluster or lets a slow one build a queue longer
than the policy deadline, so every queued post ends "screening incomplete". This limit follows the
latency the replica actually sees from accepting a post to its decision (TCP's congestion control and
Netflix's concurrency-limits use the same idea): each decision faster than ``target_seconds`` adds
four slots per ``limit`` decisions (additive increase); one slower than the target cuts the limit by
``backoff`` at most once per ``target_seconds`` (multiplicative decrease). The limit stays within
``[floor, ceiling]``. Pure and clock-injected, so it is tested without threads or sleeps.
"""

from __future__ import annotations


class AdmissionLimit:
    """The current in-flight limit, adjusted from observed accept-to-decision latencies."""

    def __init__(
        self,
        *,
        ceiling: int,
        floor: int = 16,
        target_seconds: float = 2.0,
        initial: int | None = None,
        backoff: float = 0.75,
    ) -> None:
        if ceiling < 1 or floor < 1 or floor > ceiling:
            raise ValueError("admission limit needs 1 <= floor <= ceiling")
        self.ceiling = ceiling
        self.floor = floor
        self.target_seconds = target_seconds
        self.backoff = backoff
        self._limit = float(min(max(initial or ceiling, floor), ceiling))
        self._last_cut = float("-inf")

    @property
    def limit(self) -> int:
        return int(self._limit)

    def observe(self, latency_seconds: float, now: float) -> None:
        """Feed one accept-to-decision latency measured at ``now`` (monotonic seconds)."""
        if latency_seconds > self.target_seconds:
            if now - self._last_cut >= self.target_seconds:
                self._limit = max(self.floor, self._limit * self.backoff)
                self._last_cut = now
        else:
            self._limit = min(self.ceiling, self._limit + 1.0 / max(self._limit, 1.0) * 4)
