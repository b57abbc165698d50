"""The review sweeper: a daemon thread that expires overdue review items and refreshes the queue gauges."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

log = logging.getLogger(__name__)


class SweptDesk(Protocol):
    """The part of ``ReviewDesk`` the sweeper drives."""

    def expire_overdue(self) -> list[object]: ...

    def refresh_metrics(self) -> None: ...


class ReviewSweeper:
    """Every ``interval`` seconds: ``desk.expire_overdue()`` then ``desk.refresh_metrics()``."""

    def __init__(self, desk: SweptDesk, interval: float) -> None:
        self._desk = desk
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="review-sweeper", daemon=True)
        self.passes = 0

    def start(self) -> ReviewSweeper:
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def sweep(self) -> None:
        """One pass; a failure is logged (its type only) and the next pass tries again."""
        try:
            expired = self._desk.expire_overdue()
            if expired:
                log.info(
                    "review deadlines missed; the posts stay unpublished", extra={"expired": len(expired)}
                )
            self._desk.refresh_metrics()
        except Exception as exc:
            log.warning("review sweep failed", extra={"error_type": type(exc).__name__})
        self.passes += 1

    def _run(self) -> None:
        self.sweep()
        while not self._stop.wait(self._interval):
            self.sweep()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
