"""Posts waiting for their decision, by identity, bounded in count, bytes and age (memory only).

The posts follower adds every post it reads; the held-decisions follower takes the post of a held
decision to give the queue its original text. ``progress`` says up to when (producer timestamps) the
posts follower has seen every partition, so a decision knows whether its post can still come.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from postguard.domain.identity import key_of_post
from postguard.domain.types import Post


def post_size(post: Post) -> int:
    """Approximate bytes a post holds: its text and its attachments' bytes and alt text."""
    size = len(post.text.encode("utf-8", "surrogatepass")) + 512
    for attachment in post.attachments:
        size += len(attachment.content) + len(attachment.alt_text.encode("utf-8", "surrogatepass")) + 256
    return size


class PostBuffer:
    """Identity key -> post, oldest dropped first beyond ``max_posts`` / ``max_bytes`` / ``max_age``."""

    def __init__(
        self,
        max_posts: int = 10_000,
        max_bytes: int = 256 << 20,
        max_age_seconds: float = 3600.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_posts = max_posts
        self._max_bytes = max_bytes
        self._max_age = max_age_seconds
        self._clock = clock
        self._posts: OrderedDict[str, tuple[Post, int, float]] = OrderedDict()
        self._bytes = 0
        self._progress_ms = 0
        self._cond = threading.Condition()
        self.evicted = 0
        """Posts dropped before their decision came (overflow or age): their items get redacted text only."""

    def add(self, post: Post) -> None:
        """Keep ``post`` (a re-read of the same identity replaces it), dropping the oldest beyond bounds."""
        key = key_of_post(post)
        size = post_size(post)
        with self._cond:
            old = self._posts.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._posts[key] = (post, size, self._clock())
            self._bytes += size
            self._evict()
            self._cond.notify_all()

    def _evict(self) -> None:
        now = self._clock()
        while self._posts:
            _key, (_post, size, added) = next(iter(self._posts.items()))
            over = len(self._posts) > self._max_posts or self._bytes > self._max_bytes
            if not over and now - added < self._max_age:
                return
            self._posts.popitem(last=False)
            self._bytes -= size
            self.evicted += 1

    def get(self, key: str) -> Post | None:
        with self._cond:
            entry = self._posts.get(key)
            return entry[0] if entry is not None else None

    def discard(self, key: str) -> None:
        """Forget the post of ``key`` (its decision came and needs no text)."""
        with self._cond:
            entry = self._posts.pop(key, None)
            if entry is not None:
                self._bytes -= entry[1]

    def advance(self, progress_ms: int) -> None:
        """The posts follower has seen every post produced before ``progress_ms`` (epoch milliseconds)."""
        with self._cond:
            if progress_ms > self._progress_ms:
                self._progress_ms = progress_ms
                self._cond.notify_all()

    @property
    def progress_ms(self) -> int:
        with self._cond:
            return self._progress_ms

    def wait_for(self, key: str, produced_before_ms: int, timeout: float) -> Post | None:
        """The post of ``key``; waits up to ``timeout`` while the follower has not reached
        ``produced_before_ms`` (the decision's timestamp: its post was produced before it)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                entry = self._posts.get(key)
                if entry is not None:
                    return entry[0]
                remaining = deadline - time.monotonic()
                if self._progress_ms >= produced_before_ms or remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def __len__(self) -> int:
        with self._cond:
            return len(self._posts)

    @property
    def bytes(self) -> int:
        with self._cond:
            return self._bytes
