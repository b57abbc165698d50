"""The console service's parts without Kafka: the bounded post buffer, what the held-decisions follower does
with each decision, edits refused without the original text, and /healthz following the threads."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from postguard.core.audit import SqliteAuditStore
from postguard.domain.identity import key_of_post
from postguard.domain.types import Attachment, Decision, Post, ReviewAction, ReviewStamp, Verdict
from postguard.review.store import open_review_store
from postguard.review_console.decisions_follower import HeldDecisionFollower
from postguard.review_console.desk import OriginalTextUnknownError, ServiceDesk
from postguard.review_console.post_buffer import PostBuffer, post_size
from postguard.review_console.service import with_health

pytestmark = pytest.mark.unit

RAW = "Lovely to see Mrs Jane Example walking again after her hip surgery."


def make_post(post_id: str = "p-1", text: str = RAW, **changes: object) -> Post:
    base = Post(post_id=post_id, institution_id="demo-hospital", platform="x", text=text)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def make_decision(post: Post, verdict: Verdict = Verdict.REVIEW, **changes: object) -> Decision:
    base = Decision(
        post_id=post.post_id,
        institution_id=post.institution_id,
        verdict=verdict,
        findings=(),
        reasons=("names a patient",),
        redacted_text="Lovely to see Mrs [PERSON] walking again after her hip surgery.",
        policy_id="default",
        policy_version="1",
        text_sha256=hashlib.sha256(post.text.encode()).hexdigest(),
        decided_at="2026-12-01T09:00:00.000Z",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# --- the post buffer ----------------------------------------------------------------------------------


def test_the_buffer_drops_the_oldest_posts_beyond_its_count() -> None:
    buffer = PostBuffer(max_posts=2)
    posts = [make_post(f"p-{i}") for i in range(3)]
    for p in posts:
        buffer.add(p)
    assert len(buffer) == 2 and buffer.evicted == 1
    assert buffer.get(key_of_post(posts[0])) is None
    assert buffer.get(key_of_post(posts[2])) == posts[2]


def test_the_buffer_counts_image_bytes_and_drops_by_size() -> None:
    image = make_post("img", attachments=(Attachment("a-1", "image/png", content=b"x" * 3_000_000),))
    assert post_size(image) > 3_000_000
    buffer = PostBuffer(max_posts=100, max_bytes=4_000_000)
    buffer.add(image)
    buffer.add(dataclasses.replace(image, post_id="img-2"))
    assert len(buffer) == 1 and buffer.evicted == 1 and buffer.bytes <= 4_000_000
    buffer.discard(key_of_post(dataclasses.replace(image, post_id="img-2")))
    assert len(buffer) == 0 and buffer.bytes == 0


def test_the_buffer_drops_posts_older_than_its_age() -> None:
    clock = FakeClock()
    buffer = PostBuffer(max_age_seconds=60, clock=clock)
    old = make_post("old")
    buffer.add(old)
    clock.now += 61
    buffer.add(make_post("new"))
    assert buffer.get(key_of_post(old)) is None and buffer.evicted == 1


def test_wait_for_returns_at_once_when_the_follower_is_past_the_decision() -> None:
    buffer = PostBuffer()
    buffer.advance(2_000)
    started = time.monotonic()
    assert buffer.wait_for(key_of_post(make_post()), produced_before_ms=1_000, timeout=30) is None
    assert time.monotonic() - started < 5  # not the 30 s timeout: the post cannot come any more


def test_wait_for_gets_a_post_that_arrives_while_waiting() -> None:
    buffer = PostBuffer()
    post = make_post()
    threading.Timer(0.2, buffer.add, args=(post,)).start()
    assert buffer.wait_for(key_of_post(post), produced_before_ms=10**15, timeout=30) == post


# --- the held-decisions follower's choices ------------------------------------------------------------


class Holds:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[Decision, Post | None]] = []
        self.fail = fail

    def __call__(self, decision: Decision, post: Post | None) -> None:
        if self.fail:
            raise ConnectionError("review store down")
        self.calls.append((decision, post))


def follower(holds: Holds, buffer: PostBuffer) -> HeldDecisionFollower:
    return HeldDecisionFollower("127.0.0.1:1", holds, buffer, group_id="g", post_wait_seconds=0.2)


def test_a_held_decision_is_queued_with_its_buffered_post_and_frees_it() -> None:
    holds, buffer = Holds(), PostBuffer()
    post = make_post()
    buffer.add(post)
    assert follower(holds, buffer).handle(make_decision(post), produced_ms=0) == "held"
    assert holds.calls == [(make_decision(post), post)]
    assert len(buffer) == 0


def test_a_provisional_held_decision_keeps_the_post_for_the_complete_one() -> None:
    holds, buffer = Holds(), PostBuffer()
    post = make_post()
    buffer.add(post)
    f = follower(holds, buffer)
    f.handle(make_decision(post, provisional=True), produced_ms=0)
    f.handle(make_decision(post, version=2), produced_ms=0)
    assert [p for _, p in holds.calls] == [post, post]
    assert len(buffer) == 0


def test_a_held_decision_whose_post_is_gone_is_queued_without_it() -> None:
    holds, buffer = Holds(), PostBuffer()
    buffer.advance(10**15)
    post = make_post()
    assert follower(holds, buffer).handle(make_decision(post), produced_ms=1) == "held"
    assert holds.calls == [(make_decision(post), None)]


def test_the_wait_budget_of_a_poll_is_shared_by_its_records() -> None:
    holds, buffer = Holds(), PostBuffer()  # the posts follower reports no progress: the post might come
    post = make_post()
    f = follower(holds, buffer)
    f._wait_until = time.monotonic() - 1  # this poll's budget is spent by earlier records
    timer = threading.Timer(0.5, buffer.add, args=(post,))
    timer.start()
    f.handle(make_decision(post), produced_ms=10**15)
    timer.join()
    assert holds.calls == [(make_decision(post), None)], "queued without waiting for the post"


def test_an_allowed_decision_is_not_queued_and_frees_its_post() -> None:
    holds, buffer = Holds(), PostBuffer()
    post = make_post()
    buffer.add(post)
    assert follower(holds, buffer).handle(make_decision(post, Verdict.ALLOW), produced_ms=0) == "not_held"
    assert holds.calls == [] and len(buffer) == 0


def test_reviewer_versions_coming_back_are_ignored() -> None:
    holds, buffer = Holds(), PostBuffer()
    stamp = ReviewStamp(ReviewAction.REJECT, "rita", "2026-12-01T10:00:00Z", note="no")
    post = make_post()
    blocked = make_decision(post, Verdict.BLOCK, version=2, review=stamp)
    assert follower(holds, buffer).handle(blocked, produced_ms=0) == "reviewer_version"
    assert holds.calls == []


def test_a_failing_hold_raises_so_the_offset_is_not_committed() -> None:
    buffer = PostBuffer()
    buffer.advance(10**15)
    with pytest.raises(ConnectionError):
        follower(Holds(fail=True), buffer).handle(make_decision(make_post()), produced_ms=0)


# --- edits need the original text -------------------------------------------------------------------


def _desk(tmp_path: Path, rescreened: list[Post]) -> ServiceDesk:
    def rescreen(p: Post) -> Decision:
        rescreened.append(p)
        return make_decision(p, Verdict.ALLOW, redacted_text=p.text, reasons=())

    return ServiceDesk(
        open_review_store(str(tmp_path / "review.sqlite3")),
        SqliteAuditStore(tmp_path / "audit.sqlite3"),
        rescreen=rescreen,
        publish=lambda d: None,
    )


def test_an_item_queued_without_its_text_cannot_be_edited(tmp_path: Path) -> None:
    rescreened: list[Post] = []
    desk = _desk(tmp_path, rescreened)
    desk.hold(make_decision(make_post()), None)
    with pytest.raises(OriginalTextUnknownError) as refused:
        desk.approve_with_edits("demo-hospital", "p-1", "rita", "Lovely to see our patients walking again.")
    assert "original text is not known" in str(refused.value)
    assert "Jane" not in str(refused.value) and "patients walking" not in str(refused.value)
    assert rescreened == []
    approved = desk.approve("demo-hospital", "p-1", "rita")  # deciding on the redacted text still works
    assert approved.version == 2 and approved.verdict is Verdict.ALLOW


def test_an_item_queued_with_its_text_can_be_edited(tmp_path: Path) -> None:
    rescreened: list[Post] = []
    desk = _desk(tmp_path, rescreened)
    desk.hold(make_decision(make_post()), make_post())
    edited = "Lovely to see our patients walking again."
    decision = desk.approve_with_edits("demo-hospital", "p-1", "rita", edited)
    assert [p.text for p in rescreened] == [edited]
    assert decision.review is not None and decision.review.action is ReviewAction.APPROVE_WITH_EDITS


# --- /healthz -----------------------------------------------------------------------------------------


class FakeService:
    def __init__(self) -> None:
        self.ok = True

    def healthy(self) -> bool:
        return self.ok


def test_healthz_follows_the_service_threads_not_only_the_web_app() -> None:
    app = FastAPI()

    @app.get("/healthz")
    def always_ok() -> dict[str, str]:
        return {"status": "ok"}

    service = FakeService()
    client = TestClient(with_health(app, service))  # type: ignore[arg-type]
    assert client.get("/healthz").status_code == 200
    service.ok = False
    reply = client.get("/healthz")
    assert reply.status_code == 503 and reply.json() == {"status": "failing"}
