"""``EmbeddedPublisher``: the ingest servicer's publisher that screens posts in-process instead of via Kafka.

``publish(post, timeout)`` first stores the post in the durable ``Inbox`` (committed and fsynced, see
``postguard.allinone.inbox``), then puts it on a bounded queue that worker threads drain, screening in
small batches with the embedded ``ScreeningPipeline``. Each decision is written to the audit store,
offered to the review desk (held verdicts enter the queue) and emitted (``DecisionBook.record`` plus
webhooks), in that order, so a platform that sees a held decision finds it in the queue; only then is
the post removed from the inbox. A pipeline error fails closed: the post gets a REVIEW decision saying
screening failed, never ALLOW.

Nothing accepted is dropped: the DecisionBook's in-flight claim refuses posts beyond its bound
(RESOURCE_EXHAUSTED with retry pushback) before ``publish`` is called, the queue here is sized to hold
every claimed post, and a crash loses nothing the inbox holds: ``recover()`` (at start) queues every
pending post again. Screening again is safe: the pipeline is deterministic, the audit store keeps one
row per (post, content, version) and ignores a repeat, and the desk's ``hold`` ignores a version it has
seen. A post whose audit, queue or emit step failed stays in the inbox for the next start. Only a
stopped publisher or a failed inbox write refuses (``PublisherStoppedError``, a ``KafkaError`` so the
servicer answers UNAVAILABLE and releases the claim).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kafka.errors import KafkaError

from postguard.allinone.failsafe import screening_failed_decision
from postguard.allinone.inbox import Identity, Inbox, InboxError
from postguard.core.audit import AuditStore
from postguard.core.metrics import AUDIT_WRITE_ERRORS, POSTS_SCREENED, observe_findings
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import Decision, Post

log = logging.getLogger(__name__)

ScreenBatch = Callable[[Sequence[Post]], Sequence[Decision]]
_STOP: Any = object()


class Desk(Protocol):
    """The part of ``postguard.review.desk.ReviewDesk`` the publisher uses."""

    def hold(self, decision: Decision, post: Post | None = None) -> object: ...


class PublisherStoppedError(KafkaError):
    """The all-in-one server is shutting down; the post was not accepted (the client retries)."""


class EmbeddedPublisher:
    """Screens published posts on ``workers`` threads; ``emit`` delivers each decision to the platform."""

    def __init__(
        self,
        screen_batch: ScreenBatch,
        *,
        audit: AuditStore,
        desk: Desk,
        emit: Callable[[Decision], object],
        inbox: Inbox | None = None,
        registry: PolicyRegistry | None = None,
        workers: int = 2,
        max_queue: int = 2000,
        batch_size: int = 16,
    ) -> None:
        self._screen_batch = screen_batch
        self._audit = audit
        self._desk = desk
        self._emit = emit
        self._inbox = inbox
        self._registry = registry
        self._batch_size = max(1, batch_size)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, max_queue))
        self._stopped = threading.Event()
        self._sequence = 0
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, name=f"allinone-screen-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def publish(self, post: Post, timeout: float) -> tuple[int, int]:
        """Store ``post`` in the inbox, then queue it for screening; returns (0, sequence number).

        Waits up to ``timeout`` for room on the queue. Returns only once the post is committed to the
        inbox (when there is one), so an accepted post survives a crash.
        """
        if self._stopped.is_set():
            raise PublisherStoppedError("the server is stopping")
        stored = False
        if self._inbox is not None:
            try:
                stored = self._inbox.put(post)
            except InboxError as exc:
                raise PublisherStoppedError(str(exc)) from None
        try:
            self._queue.put(post, timeout=timeout)
        except queue.Full:
            if stored:  # refused: the client retries, so it must not be screened behind its back
                self._inbox_done(post)
            raise PublisherStoppedError(f"screening queue full ({self._queue.maxsize} posts)") from None
        with self._lock:
            self._sequence += 1
            return 0, self._sequence

    def recover(self, claim: Callable[[Post], object] | None = None) -> int:
        """Queue every post the inbox still holds (accepted before a crash), oldest first; returns how many.

        ``claim`` is called for each first (the server marks it in flight in the DecisionBook, so a
        resubmission is answered as a duplicate). Waits for room on the queue while the workers run.
        """
        if self._inbox is None:
            return 0
        posts = self._inbox.pending()
        for post in posts:
            if claim is not None:
                claim(post)
            self._queue.put(post)
        if posts:
            log.warning(
                "posts accepted before the last stop were not screened; screening them now",
                extra={"posts": len(posts), "path": str(self._inbox.path)},
            )
        return len(posts)

    @property
    def queued(self) -> int:
        """Posts accepted and not yet taken by a worker."""
        return self._queue.qsize()

    @property
    def alive(self) -> bool:
        """Every worker thread runs (False once closed)."""
        return not self._stopped.is_set() and all(t.is_alive() for t in self._threads)

    def close(self, timeout: float = 120.0) -> None:
        """Refuse new posts, screen every queued one, then stop the workers.

        Waits up to ``timeout`` seconds for the queue to drain; posts still queued then are logged as a
        count. They stay in the inbox and are screened at the next start (without an inbox their
        platforms never get a decision, so they stay unpublished: fail closed).
        """
        self._stopped.set()
        for _ in self._threads:
            self._queue.put(_STOP)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        if any(t.is_alive() for t in self._threads):
            log.error(
                "screening workers did not drain the queue before stopping",
                extra={
                    "posts_left": max(self._queue.qsize() - len(self._threads), 0),
                    "timeout_seconds": timeout,
                },
            )

    # --- workers ---------------------------------------------------------------------------------

    def _take_batch(self) -> tuple[list[Post], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch, stop = [first], False
        while len(batch) < self._batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                stop = True
                break
            batch.append(item)
        return batch, stop

    def _work(self) -> None:
        while True:
            batch, stop = self._take_batch()
            if batch:
                self.process(batch)
            if stop:
                return

    def process(self, posts: Sequence[Post]) -> list[Decision]:
        """Screen ``posts`` (failing closed) and deliver every decision; returns them in order."""
        decisions = self._screen_closed(posts)
        for post, decision in zip(posts, decisions, strict=True):
            self._deliver(post, decision)
        return decisions

    def _screen_closed(self, posts: Sequence[Post]) -> list[Decision]:
        try:
            decisions = list(self._screen_batch(posts))
            if len(decisions) != len(posts):
                raise RuntimeError(f"the pipeline returned {len(decisions)} decisions for {len(posts)} posts")
            return decisions
        except Exception as exc:
            if len(posts) > 1:  # one bad post must not fail its batch-mates: screen them one by one
                return [d for post in posts for d in self._screen_closed([post])]
            error = type(exc).__name__
            log.error(
                "screening failed; the post is held for review",
                extra={
                    "post_id": posts[0].post_id,
                    "institution_id": posts[0].institution_id,
                    "error_type": error,
                },
            )
            return [screening_failed_decision(posts[0], error, self._registry)]

    def _deliver(self, post: Post, decision: Decision) -> None:
        POSTS_SCREENED.labels(verdict=str(decision.verdict)).inc()
        observe_findings(decision.findings)
        complete = True
        try:
            self._audit.record(decision)
        except Exception as exc:
            complete = False
            AUDIT_WRITE_ERRORS.inc()
            log.error(
                "audit write failed", extra={"post_id": decision.post_id, "error_type": type(exc).__name__}
            )
        try:
            self._desk.hold(decision, post)
        except Exception as exc:  # the decision still goes out: a held verdict keeps the post unpublished
            complete = False
            log.error(
                "review queue write failed",
                extra={"post_id": decision.post_id, "error_type": type(exc).__name__},
            )
        try:
            self._emit(decision)
        except Exception as exc:
            complete = False
            log.error(
                "decision delivery failed",
                extra={"post_id": decision.post_id, "error_type": type(exc).__name__},
            )
        if complete:
            self._inbox_done(post)
        elif self._inbox is not None:
            log.warning(
                "the post stays in the inbox and is screened again at the next start",
                extra={"post_id": post.post_id, "institution_id": post.institution_id},
            )

    def _inbox_done(self, post: Post) -> None:
        if self._inbox is None:
            return
        try:
            self._inbox.done(Identity.of(post))
        except Exception as exc:  # it is screened again at the next start, which is idempotent
            log.error(
                "inbox delete failed", extra={"post_id": post.post_id, "error_type": type(exc).__name__}
            )
