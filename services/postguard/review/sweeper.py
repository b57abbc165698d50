"""The review sweeper: a daemon thread that expires overdue review items, refreshes the queue gauges and
applies the retention settings. The all-in-one server and the distributed console service both run one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from postguard.core.audit import SearchableAuditStore
from postguard.review.settings import RetentionSettings
from postguard.review.store import ReviewStore

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600.0
"""How often the retention purge runs (the first pass runs it too)."""


class SweptDesk(Protocol):
    """The part of ``ReviewDesk`` the sweeper drives."""

    def expire_overdue(self) -> list[object]: ...

    def refresh_metrics(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Retention:
    """How long decisions and review records are kept (0 = forever).

    ``audit_days`` applies to the audit trail (redacted text, hashes, who decided): many institutions
    must keep it for years (HIPAA documentation: six). ``review_days`` applies to decided review items and
    to reviewers' feedback, which keeps the text the reviewer judged, so it should be short.
    """

    audit: SearchableAuditStore
    review: ReviewStore
    audit_days: float = 0.0
    review_days: float = 90.0
    redacted_dir: Path | None = None
    """Redacted image copies kept here are deleted ``review_days`` after they were written."""

    def purge(self, now: datetime) -> tuple[int, int]:
        """Delete what is past each retention; returns (audit rows, review rows and image copies) deleted."""
        audit_rows = self.audit.purge_before(_cutoff(now, self.audit_days)) if self.audit_days > 0 else 0
        review_rows = 0
        if self.review_days > 0:
            review_rows = self.review.purge_resolved(_cutoff(now, self.review_days))
            if self.redacted_dir is not None:
                review_rows += _purge_files(self.redacted_dir, now - timedelta(days=self.review_days))
        return audit_rows, review_rows


def retention_from(
    settings: RetentionSettings, audit: SearchableAuditStore, review: ReviewStore, redacted_dir: Path | None
) -> Retention:
    """The ``Retention`` a server's ``*_AUDIT_RETENTION_DAYS`` / ``*_REVIEW_RETENTION_DAYS`` ask for."""
    return Retention(
        audit,
        review,
        audit_days=settings.audit_retention_days,
        review_days=settings.review_retention_days,
        redacted_dir=redacted_dir,
    )


def _purge_files(directory: Path, before: datetime) -> int:
    """Delete the redacted copies (``*.png``, ``*.jpg``) last written before ``before``."""
    deleted, limit = 0, before.timestamp()
    for path in (*directory.glob("*.png"), *directory.glob("*.jpg")):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # deleted meanwhile
            continue
    return deleted


def _cutoff(now: datetime, days: float) -> str:
    moment = (now - timedelta(days=days)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ReviewSweeper:
    """Every ``interval`` seconds: expire overdue items, refresh the gauges, run ``after_pass``; and every
    hour the ``retention`` purge. A failing step is logged (its error type only) and tried again."""

    def __init__(
        self,
        desk: SweptDesk,
        interval: float,
        *,
        retention: Retention | None = None,
        after_pass: Callable[[], None] | None = None,
    ) -> None:
        self._desk = desk
        self._interval = interval
        self._retention = retention
        self._after_pass = after_pass
        self._last_purge: float | None = None
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
        """One pass."""
        try:
            expired = self._desk.expire_overdue()
            if expired:
                log.info(
                    "review deadlines missed; the posts stay unpublished", extra={"expired": len(expired)}
                )
            self._desk.refresh_metrics()
        except Exception as exc:
            log.warning("review sweep failed", extra={"error_type": type(exc).__name__})
        self._purge_when_due()
        if self._after_pass is not None:
            self._after_pass()
        self.passes += 1

    def _purge_when_due(self) -> None:
        if self._retention is None:
            return
        now = time.monotonic()
        if self._last_purge is not None and now - self._last_purge < PURGE_INTERVAL_SECONDS:
            return
        self._last_purge = now
        try:
            audit_rows, review_rows = self._retention.purge(datetime.now(UTC))
        except Exception as exc:
            log.warning("retention purge failed", extra={"error_type": type(exc).__name__})
            return
        if audit_rows or review_rows:
            log.info("retention purge", extra={"audit_rows": audit_rows, "review_rows": review_rows})

    def _run(self) -> None:
        self.sweep()
        while not self._stop.wait(self._interval):
            self.sweep()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
