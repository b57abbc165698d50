"""The image-screening stream stage (a stand-in screener: the real one is exercised through the stack):
posts without image bytes get no result, failures and timeouts fail closed, copies go to the store."""

from __future__ import annotations

import hashlib
import threading
from types import SimpleNamespace

import pytest
from image_support import chart_image, png_bytes
from postguard.core import codec, topics
from postguard.core.records import Inbound
from postguard.domain.images.store import DirectoryStore
from postguard.domain.types import IMAGE_SCREENING_STAGE, Attachment, Category, Finding, Post
from postguard.image_screening.agents import ImageScreeningStage, reason_class

pytestmark = pytest.mark.unit

PNG = png_bytes(chart_image())
COPY = b"\x89PNG\r\n\x1a\n redacted copy"


def _finding(attachment_id: str) -> Finding:
    return Finding(
        Category.IDENTIFIER,
        "FACE",
        0,
        0,
        0.9,
        "image-faces",
        "a face",
        attachment_id=attachment_id,
        field="pixels",
    )


class FakeScreener:
    """Reports one FACE and a redacted copy per attachment with bytes; can raise or hang."""

    def __init__(self, *, fail: bool = False, hang: threading.Event | None = None, refuse: str | None = None):
        self.fail, self.hang, self.refuse = fail, hang, refuse
        self.seen: list[list[str]] = []

    def refusal(self, stage: str, post: Post) -> str | None:
        return self.refuse

    def screen_batch(self, posts):
        return [list(r.findings) for r in self.screen_posts(posts)]

    def screen_posts(self, posts):
        self.seen.append([p.post_id for p in posts])
        if self.hang is not None:
            self.hang.wait(10)
        if self.fail:
            raise RuntimeError("Jane Doe's scan")  # a message with content: must not reach the result
        return [
            SimpleNamespace(
                findings=tuple(_finding(a.attachment_id) for a in p.attachments if a.has_content),
                redacted=tuple((a.attachment_id, COPY) for a in p.attachments if a.has_content),
            )
            for p in posts
        ]


def _post(post_id: str, *, image: bool = True) -> Post:
    attachments = (Attachment(attachment_id="img-1", media_type="image/png", content=PNG),) if image else ()
    return Post(post_id, "demo", "x", "Our new ward", attachments=attachments)


def _record(post: Post, offset: int) -> Inbound:
    return Inbound(topics.POSTS, 0, offset, codec.encode_key(post.post_id), codec.encode(post))


def test_only_posts_with_image_bytes_are_screened_and_copies_are_stored(tmp_path) -> None:
    screener = FakeScreener()
    stage = ImageScreeningStage(screener, DirectoryStore(tmp_path))
    posts = [_post("with"), _post("without", image=False)]
    out = stage.process([_record(p, i) for i, p in enumerate(posts)])
    assert [codec.decode_key(o.key) for o in out] == ["with"]
    assert screener.seen == [["with"]]
    result = codec.decode_stage_result(out[0].value)
    assert result.stage == IMAGE_SCREENING_STAGE and result.ok
    assert result.text_sha256 == posts[0].text_sha256 and result.institution_id == "demo"
    digest = hashlib.sha256(COPY).hexdigest()
    assert result.redacted_attachments == (("img-1", f"sha256:{digest}.png"),)
    assert (tmp_path / f"{digest}.png").read_bytes() == COPY
    assert [f.label for f in result.findings] == ["FACE"]


def test_a_crash_fails_closed_without_the_exception_message(tmp_path) -> None:
    stage = ImageScreeningStage(FakeScreener(fail=True), DirectoryStore(tmp_path))
    [result] = stage.detect([_post("p")])
    assert not result.ok and result.error == f"{IMAGE_SCREENING_STAGE} failed: RuntimeError"
    assert "Jane" not in result.error and result.redacted_attachments == ()
    assert list(tmp_path.iterdir()) == []


def test_a_refused_image_fails_closed_with_the_refusal(tmp_path) -> None:
    refusal = "image-screening: attachment 0: image has 900000000 pixels (30000x30000), limit 40000000"
    stage = ImageScreeningStage(FakeScreener(refuse=refusal), DirectoryStore(tmp_path))
    [result] = stage.detect([_post("p")])
    assert not result.ok and result.error == refusal
    assert reason_class(result.error) == "too_many_pixels"


def test_a_post_over_its_time_bound_fails_closed(tmp_path) -> None:
    release = threading.Event()
    stage = ImageScreeningStage(FakeScreener(hang=release), DirectoryStore(tmp_path), timeout_seconds=0.2)
    try:
        [result] = stage.detect([_post("slow")])
    finally:
        release.set()
    assert not result.ok and "timed out after 0.2 s" in result.error
    assert reason_class(result.error) == "timeout"


def test_one_failing_post_does_not_fail_the_others(tmp_path) -> None:
    class Picky(FakeScreener):
        def screen_posts(self, posts):
            if any(p.post_id == "bad" for p in posts):
                raise ValueError("corrupt")
            return super().screen_posts(posts)

    stage = ImageScreeningStage(Picky(), DirectoryStore(tmp_path))
    results = stage.detect([_post("good"), _post("bad"), _post("good-2")])
    assert [(r.post_id, r.ok) for r in results] == [("good", True), ("bad", False), ("good-2", True)]


def test_a_store_that_cannot_write_fails_closed(tmp_path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    stage = ImageScreeningStage(FakeScreener(), DirectoryStore(blocked / "redacted"))
    [result] = stage.detect([_post("p")])
    assert not result.ok and "redacted copy store" in result.error
    assert reason_class(result.error) == "store_failed"


def test_invalid_posts_are_skipped_not_screened(tmp_path) -> None:
    screener = FakeScreener()
    stage = ImageScreeningStage(screener, DirectoryStore(tmp_path))
    bad = Post("bad", "demo", "x", "text", attachments=(Attachment("a", "image/jpeg", content=PNG),))
    assert stage.process([_record(bad, 1)]) == []
    assert screener.seen == []


def test_a_post_seen_again_is_answered_without_screening_it_again(tmp_path) -> None:
    screener = FakeScreener()
    stage = ImageScreeningStage(screener, DirectoryStore(tmp_path))
    first = stage.detect([_post("again")])
    second = stage.detect([_post("again")])
    assert screener.seen == [["again"]]
    assert first == second and second[0].redacted_attachments
    other = Post("again", "demo", "x", "Other text", attachments=_post("again").attachments)
    stage.detect([other])  # other text: other content, screened afresh
    assert screener.seen == [["again"], ["again"]]


def test_failures_are_not_remembered(tmp_path) -> None:
    screener = FakeScreener(fail=True)
    stage = ImageScreeningStage(screener, DirectoryStore(tmp_path))
    stage.detect([_post("retry")])
    screener.fail = False
    [result] = stage.detect([_post("retry")])
    assert result.ok and len(screener.seen) == 2
