"""policy-decision with posts that carry image bytes: it waits for image-screening, fails closed without it,
copies the redacted-copy references, and dead-letters refused images with a reason naming sizes only."""

from __future__ import annotations

import os

import pytest
from image_support import chart_image, jpeg_bytes, png_bytes
from postguard.core import codec, topics
from postguard.core.records import Inbound
from postguard.domain import join
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import (
    IMAGE_SCREENING_STAGE,
    Attachment,
    Category,
    Finding,
    Post,
    StageResult,
    Verdict,
)
from postguard.domain.validation import MAX_ATTACHMENT_BYTES
from postguard.policy_decision.joiner import DecisionJoiner

pytestmark = pytest.mark.unit

ID, AD = join.EXPECTED_STAGES
TICKS = "test-deadlines"
REF = "sha256:" + "c" * 64 + ".png"
FACE = Finding(
    Category.IDENTIFIER,
    "FACE",
    0,
    0,
    0.9,
    "image-faces",
    "a face",
    attachment_id="img-1",
    field="pixels",
    attributes=(("box", "1,2,3,4"),),
)


class Clock:
    now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def joiner(clock: Clock) -> DecisionJoiner:
    return DecisionJoiner(
        PolicyRegistry.load(None),
        {},
        deadlines_topic=TICKS,
        deadline_seconds=5.0,
        retention_seconds=3600.0,
        clock=clock,
    )


def _post(content: bytes | None = None, post_id: str = "img-post") -> Post:
    image = Attachment(
        attachment_id="img-1", media_type="image/png", content=content or png_bytes(chart_image())
    )
    institution = PolicyRegistry.load(None).institutions[0]
    return Post(post_id, institution, "x", "Our new ward opens on Monday.", attachments=(image,))


def _result(post: Post, stage: str, *findings: Finding, ok: bool = True, refs=()) -> StageResult:
    return StageResult(
        post.post_id,
        stage,
        tuple(findings),
        ok=ok,
        error="" if ok else f"{stage} failed: OcrUnavailable",
        institution_id=post.institution_id,
        text_sha256=post.text_sha256,
        redacted_attachments=tuple(refs),
    )


_offset = iter(range(1, 1_000_000))


def _rec(topic: str, post_id: str, value: bytes) -> Inbound:
    return Inbound(topic=topic, partition=0, offset=next(_offset), key=post_id.encode(), value=value)


def _decisions(out) -> list:
    return [codec.decode_decision(o.value) for o in out if o.topic == topics.DECISIONS]


def test_stages_for_a_post_with_images_include_image_screening() -> None:
    post = _post()
    assert join.stages_for(post) == (ID, AD, IMAGE_SCREENING_STAGE)
    assert join.stages_for(Post("t", "i", "x", "text")) == (ID, AD)
    assert join.stages_for(None) == (ID, AD)


def test_a_post_with_images_waits_for_image_screening_and_copies_the_references(joiner) -> None:
    post = _post()
    assert joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post))) == []
    for stage in (ID, AD):
        assert joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(_result(post, stage)))) == []
    image = _result(post, IMAGE_SCREENING_STAGE, FACE, refs=[("img-1", REF)])
    [decision] = _decisions(joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(image))))
    assert decision.incomplete_stages == () and not decision.provisional
    assert decision.redacted_attachments == (("img-1", REF),)
    assert decision.verdict.severity >= Verdict.REVIEW.severity  # a face: review by default
    assert any(f.label == "FACE" for f in decision.findings)
    assert IMAGE_SCREENING_STAGE in decision.timings


def test_image_screening_result_before_the_post_is_kept(joiner) -> None:
    post = _post()
    image = _result(post, IMAGE_SCREENING_STAGE, FACE, refs=[("img-1", REF)])
    joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(image)))
    for stage in (ID, AD):
        joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(_result(post, stage))))
    [decision] = _decisions(joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post))))
    assert decision.incomplete_stages == ()
    assert decision.redacted_attachments == (("img-1", REF),)


def test_missing_image_screening_fails_closed_at_the_deadline(joiner, clock) -> None:
    post = _post()
    joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post)))
    for stage in (ID, AD):
        joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(_result(post, stage))))
    clock.now += 6.0
    [key] = joiner.due()
    tick = joiner.tick(key)
    [decision] = _decisions(joiner.handle(Inbound(TICKS, 0, 1, tick.key, tick.value)))
    assert decision.verdict == Verdict.REVIEW
    assert decision.incomplete_stages == (IMAGE_SCREENING_STAGE,)
    assert join.INCOMPLETE_REASON in decision.reasons
    assert decision.provisional and decision.redacted_text == "" and decision.redacted_attachments == ()
    # The late image result completes it as a new, final version.
    image = _result(post, IMAGE_SCREENING_STAGE, FACE, refs=[("img-1", REF)])
    [final] = _decisions(joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(image))))
    assert final.version == 2 and not final.provisional and final.incomplete_stages == ()
    assert final.redacted_attachments == (("img-1", REF),)


def test_copies_of_images_the_policy_does_not_act_on_are_not_passed_on(joiner) -> None:
    post = _post()
    joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post)))
    for stage in (ID, AD):
        joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(_result(post, stage))))
    clean = _result(post, IMAGE_SCREENING_STAGE, refs=[("img-1", REF)])
    [decision] = _decisions(joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(clean))))
    assert decision.verdict == Verdict.ALLOW and not decision.incomplete_stages
    assert decision.redacted_attachments == ()


def test_a_failed_image_screening_holds_the_post_without_copies(joiner) -> None:
    post = _post()
    joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post)))
    for stage in (ID, AD):
        joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(_result(post, stage))))
    failed = _result(post, IMAGE_SCREENING_STAGE, ok=False, refs=[("img-1", REF)])
    [decision] = _decisions(joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(failed))))
    assert decision.verdict == Verdict.REVIEW
    assert f"{IMAGE_SCREENING_STAGE} failed; a person must review this post" in decision.reasons
    assert decision.redacted_attachments == ()


def test_a_text_only_post_ignores_a_stray_image_result(joiner) -> None:
    post = Post("text-only", PolicyRegistry.load(None).institutions[0], "x", "Bake sale on Friday!")
    joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post)))
    stray = _result(post, IMAGE_SCREENING_STAGE, refs=[("img-1", REF)])
    assert joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(stray))) == []
    joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(_result(post, ID))))
    [decision] = _decisions(
        joiner.handle(_rec(topics.FINDINGS, post.post_id, codec.encode(_result(post, AD))))
    )
    assert decision.verdict == Verdict.ALLOW and decision.redacted_attachments == ()


def test_refused_images_are_dead_lettered_with_a_precise_reason(joiner) -> None:
    too_big = png_bytes(chart_image()) + os.urandom(MAX_ATTACHMENT_BYTES)
    post = _post(too_big)
    [out] = joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post)))
    assert out.topic == topics.DEADLETTER
    letter = codec.decode_deadletter(out.value)
    assert letter.reason == "image_rejected"
    assert f"carry {len(too_big)} bytes of image content; the limit is {MAX_ATTACHMENT_BYTES}" in letter.error
    mismatch = _post(jpeg_bytes(chart_image()), post_id="mismatch")
    [out] = joiner.handle(_rec(topics.POSTS, mismatch.post_id, codec.encode(mismatch)))
    letter = codec.decode_deadletter(out.value)
    assert letter.reason == "image_rejected"
    assert "declares image/png but the content is image/jpeg" in letter.error


def test_posts_with_images_may_get_a_longer_deadline(clock) -> None:
    joiner = DecisionJoiner(
        PolicyRegistry.load(None),
        {},
        deadlines_topic=TICKS,
        deadline_seconds=5.0,
        image_deadline_seconds=60.0,
        retention_seconds=3600.0,
        clock=clock,
    )
    with_image = _post()
    text_only = Post("text-only", with_image.institution_id, "x", "Bake sale on Friday!")
    for post in (with_image, text_only):
        joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post)))
    clock.now += 6.0
    assert joiner.due() == [join.key_of_post(text_only)]
    tick = joiner.tick(join.key_of_post(text_only))
    [held] = _decisions(joiner.handle(Inbound(TICKS, 0, 1, tick.key, tick.value)))
    assert held.post_id == "text-only" and held.provisional
    # A tick for the image post before its own deadline decides nothing.
    tick = joiner.tick(join.key_of_post(with_image))
    assert joiner.handle(Inbound(TICKS, 0, 2, tick.key, tick.value)) == []
    clock.now += 55.0
    assert join.key_of_post(with_image) in joiner.due()  # (the text post is due for its re-drive too)
    tick = joiner.tick(join.key_of_post(with_image))
    [decision] = _decisions(joiner.handle(Inbound(TICKS, 0, 3, tick.key, tick.value)))
    assert decision.verdict == Verdict.REVIEW and set(decision.incomplete_stages) == {
        ID,
        AD,
        IMAGE_SCREENING_STAGE,
    }


def test_without_an_image_deadline_every_post_has_the_same_one(joiner, clock) -> None:
    post = _post()
    joiner.handle(_rec(topics.POSTS, post.post_id, codec.encode(post)))
    clock.now += 5.0
    assert joiner.due() == [join.key_of_post(post)]
