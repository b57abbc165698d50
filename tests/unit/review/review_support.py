"""Shared pieces of the review tests: a held decision, a settable clock, a desk on SQLite files."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from postguard.core.audit import SqliteAuditStore
from postguard.domain.types import Category, Decision, Finding, Post, Verdict
from postguard.review.desk import ReviewDesk
from postguard.review.store import SqliteReviewStore

RAW = "Lovely to see Mrs Jane Example walking again after her hip surgery."
EDITED = "Lovely to see our patients walking again after hip surgery."
NAME = Finding(Category.IDENTIFIER, "PERSON", 18, 30, 0.95, "rules", "a patient's name", "remove it")
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def held(post_id: str = "p-1", institution: str = "demo-hospital", **changes: object) -> Decision:
    """An automatic REVIEW decision on RAW."""
    base = Decision(
        post_id=post_id,
        institution_id=institution,
        verdict=Verdict.REVIEW,
        findings=(NAME,),
        reasons=("names a patient",),
        redacted_text="Lovely to see Mrs [PERSON] walking again after her hip surgery.",
        policy_id="default",
        policy_version="3",
        text_sha256=sha(RAW),
        decided_at="2026-12-01T09:00:00.000Z",
        author_id="nurse-7",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def post(post_id: str = "p-1", institution: str = "demo-hospital", **changes: object) -> Post:
    base = Post(post_id=post_id, institution_id=institution, platform="x", text=RAW, author_id="nurse-7")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Rescreen:
    """Screens edited text: REVIEW while it still contains 'Jane', else ALLOW."""

    def __init__(self) -> None:
        self.posts: list[Post] = []

    def __call__(self, p: Post) -> Decision:
        self.posts.append(p)
        still = "Jane" in p.text
        return held(
            p.post_id,
            p.institution_id,
            verdict=Verdict.REVIEW if still else Verdict.ALLOW,
            findings=(NAME,) if still else (),
            reasons=("names a patient",) if still else (),
            redacted_text=p.text if not still else "[redacted]",
            text_sha256=sha(p.text),
            author_id="",
        )


@dataclasses.dataclass
class Bench:
    desk: ReviewDesk
    store: SqliteReviewStore
    audit: SqliteAuditStore
    clock: Clock
    published: list[Decision]
    rescreen: Rescreen


def make_bench(tmp_path: Path) -> Bench:
    store = SqliteReviewStore(tmp_path / "review.db")
    audit = SqliteAuditStore(tmp_path / "audit.db")
    clock, published, rescreen = Clock(), [], Rescreen()
    desk = ReviewDesk(store, audit, rescreen=rescreen, publish=published.append, clock=clock)
    return Bench(desk, store, audit, clock, published, rescreen)
