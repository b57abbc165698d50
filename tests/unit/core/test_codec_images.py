"""Image bytes and redacted-copy references survive protobuf, the bytes on the topic and back."""

from __future__ import annotations

import os

import pytest
from postguard.core import codec
from postguard.domain.types import (
    IMAGE_SCREENING_STAGE,
    Attachment,
    Category,
    Decision,
    Finding,
    Post,
    StageResult,
    Verdict,
)
from postguard.v1 import decision_pb2, finding_pb2, post_pb2

pytestmark = pytest.mark.unit

# Not valid UTF-8 and with NULs: bytes, not text, must go through unchanged.
NOISE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + os.urandom(4096) + b"\x00\xff\xfe"
REFS = (("img-1", "sha256:" + "a" * 64 + ".png"), ("img-2", "sha256:" + "b" * 64 + ".png"))
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
    attributes=(("box", "1,2,30,40"),),
)


def _post(*contents: bytes) -> Post:
    return Post(
        post_id="p-1",
        institution_id="demo",
        platform="x",
        text="Our new ward",
        attachments=tuple(
            Attachment(attachment_id=f"img-{i}", media_type="image/png", content=c)
            for i, c in enumerate(contents, start=1)
        ),
    )


def test_field_numbers_are_the_contract() -> None:
    assert post_pb2.Attachment.DESCRIPTOR.fields_by_name["content"].number == 6
    assert finding_pb2.StageResult.DESCRIPTOR.fields_by_name["redacted_attachments"].number == 9
    assert decision_pb2.Decision.DESCRIPTOR.fields_by_name["redacted_attachments"].number == 17


def test_attachment_content_round_trips_byte_for_byte() -> None:
    post = _post(NOISE, b"\xff\xd8\xff" + NOISE[::-1])
    back = codec.decode_post(codec.encode(post))
    assert back == post
    assert [a.content for a in back.attachments] == [NOISE, b"\xff\xd8\xff" + NOISE[::-1]]
    assert all(a.has_content for a in back.attachments)


def test_an_attachment_without_content_stays_without_it() -> None:
    post = _post(b"")
    msg = codec.post_to_proto(post)
    assert "content" not in {f.name for f, _ in msg.attachments[0].ListFields()}
    assert not codec.decode_post(codec.encode(post)).attachments[0].has_content


def test_a_large_image_is_not_truncated() -> None:
    big = os.urandom(10 * 1024 * 1024)
    data = codec.encode(_post(big))
    assert len(data) > len(big)
    assert codec.decode_post(data).attachments[0].content == big


def test_stage_result_redacted_attachments_round_trip_sorted() -> None:
    result = StageResult(
        post_id="p-1",
        stage=IMAGE_SCREENING_STAGE,
        findings=(FACE,),
        institution_id="demo",
        text_sha256="0" * 64,
        redacted_attachments=REFS,
    )
    msg = codec.stage_result_to_proto(result)
    assert dict(msg.redacted_attachments) == dict(REFS)
    back = codec.decode_stage_result(codec.encode(result))
    assert back == result
    assert back.redacted_attachments == REFS
    # Deterministic bytes: the map is serialised in key order, whatever order it was given in.
    reversed_refs = StageResult(**{**_fields(result), "redacted_attachments": REFS[::-1]})
    assert codec.encode(reversed_refs) == codec.encode(result)


def test_decision_redacted_attachments_round_trip() -> None:
    decision = Decision(
        post_id="p-1",
        institution_id="demo",
        verdict=Verdict.ALLOW_WITH_CHANGES,
        findings=(FACE,),
        reasons=("a face",),
        redacted_text="Our new ward",
        policy_id="default",
        policy_version="1",
        text_sha256="0" * 64,
        redacted_attachments=REFS,
    )
    back = codec.decode_decision(codec.encode(decision))
    assert back.redacted_attachments == REFS
    assert back == decision


def test_text_only_results_carry_no_redacted_attachments() -> None:
    result = StageResult(post_id="p-1", stage="identifier-detection")
    msg = codec.stage_result_to_proto(result)
    assert "redacted_attachments" not in {f.name for f, _ in msg.ListFields()}
    assert codec.decode_stage_result(codec.encode(result)).redacted_attachments == ()


def _fields(result: StageResult) -> dict[str, object]:
    return {name: getattr(result, name) for name in result.__slots__}
