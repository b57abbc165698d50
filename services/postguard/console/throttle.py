"""Login throttling: after N failed logins of a username within a window, it is locked for that window."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_TRACKED_NAMES = 10_000
"""Usernames with recent failures kept in memory at most (the oldest forgotten first)."""


class LoginThrottle:
    """Counts failed logins per username (case-insensitive), in memory, per process."""

    def __init__(
        self, max_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window_seconds:
            times.popleft()
        return times

    def locked(self, username: str) -> bool:
        """True while ``username`` has had ``max_failures`` failures within the window."""
        key = username.strip().lower()
        with self._lock:
            return len(self._recent(key, self._clock())) >= self.max_failures

    def failed(self, username: str) -> None:
        """Count one failed login of ``username``."""
        key = username.strip().lower()
        now = self._clock()
        with self._lock:
            times = self._recent(key, now)
            times.append(now)
            self._failures.pop(key, None)
            self._failures[key] = times  # re-inserted: the dict's order is oldest failure first
            while len(self._failures) > MAX_TRACKED_NAMES:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, username: str) -> None:
        """Forget ``username``'s failures."""
        with self._lock:
            self._failures.pop(username.strip().lower(), None)
