"""Round trips domain <-> protobuf <-> bytes, and precise decode errors that never quote post text."""

from __future__ import annotations

import pytest
from postguard.core import codec
from postguard.domain.types import (
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

SECRET = "Mrs Jane Example, 93, bed 4 on ward 7"

POST = Post(
    post_id="p-1",
    institution_id="demo-hospital",
    platform="linkedin",
    text=SECRET + " — ünïcode ✓",
    author_id="dr-a",
    attachments=(Attachment("a1", "image/jpeg", "s3://x/y", "an x-ray", {"DateTime": "2024:01:02"}),),
    created_at="2026-01-01T00:00:00Z",
    consent_reference="consent-9",
    metadata={"campaign": "flu"},
)
FINDING = Finding(Category.IDENTIFIER, "PERSON", 0, 16, 0.97, "ner", "a patient's name", "remove the name")
CONTENT = Finding(Category.CONTENT, "PERSONAL_ADVICE", 3, 9, 0.5, "rules", "advice", "")


def test_post_round_trip_through_bytes() -> None:
    assert codec.decode_post(codec.encode(POST)) == POST
    assert codec.post_from_proto(codec.post_to_proto(POST)) == POST


def test_platform_is_lower_cased_like_json_input() -> None:
    msg = codec.post_to_proto(POST)
    msg.platform = "LinkedIn"
    assert codec.post_from_proto(msg).platform == "linkedin"


def test_stage_result_round_trip() -> None:
    result = StageResult("p-1", "identifier-detection", (FINDING, CONTENT), True, "", 0.012, "demo-hospital")
    assert codec.decode_stage_result(codec.encode(result)) == result
    failed = StageResult("p-2", "advice-classification", (), False, "advice failed: RuntimeError", 0.0, "h")
    assert codec.decode_stage_result(codec.encode(failed)) == failed


def test_decision_round_trip() -> None:
    decision = Decision(
        post_id="p-1",
        institution_id="demo-hospital",
        verdict=Verdict.REVIEW,
        findings=(FINDING,),
        reasons=("screening incomplete",),
        redacted_text="[PERSON], 93",
        policy_id="default",
        policy_version="3",
        text_sha256=POST.text_sha256,
        timings={"identifier-detection": 0.01},
        incomplete_stages=("advice-classification",),
        decided_at="2026-01-01T00:00:01Z",
    )
    assert codec.decode_decision(codec.encode(decision)) == decision


@pytest.mark.parametrize("verdict", list(Verdict))
def test_every_verdict_maps_to_the_proto_enum(verdict: Verdict) -> None:
    assert decision_pb2.Verdict.Name(decision_pb2.Verdict.Value(str(verdict))) == str(verdict)


def test_garbage_bytes_raise_decode_error_naming_the_type() -> None:
    with pytest.raises(codec.DecodeError, match=r"cannot decode Post: 3 bytes are not a valid Post"):
        codec.decode_post(b"\x0a\xff\xff")


def test_bad_utf8_text_is_a_decode_error_without_the_text() -> None:
    good = post_pb2.Post(post_id="p", text="Xx" + "Jane").SerializeToString()
    bad = good.replace(b"XxJane", b"\xff\xfeJane\xc3")
    with pytest.raises(codec.DecodeError) as info:
        codec.decode_post(bad)
    assert "UTF-8" in str(info.value)
    assert "Jane" not in str(info.value)


def test_tombstone_and_wrong_type() -> None:
    with pytest.raises(codec.DecodeError, match="tombstone"):
        codec.decode_post(None)
    with pytest.raises(codec.DecodeError, match="expected bytes, got str"):
        codec.decode_post(SECRET)  # type: ignore[arg-type]


def test_unspecified_enums_are_rejected() -> None:
    with pytest.raises(codec.DecodeError, match="verdict is unspecified"):
        codec.decode_decision(decision_pb2.Decision(post_id="p").SerializeToString())
    msg = finding_pb2.StageResult(post_id="p", stage="s", findings=[finding_pb2.Finding(label="PERSON")])
    with pytest.raises(codec.DecodeError, match="category is unspecified"):
        codec.decode_stage_result(msg.SerializeToString())


def test_stage_result_needs_ids_and_sane_spans() -> None:
    with pytest.raises(codec.DecodeError, match="post_id is empty"):
        codec.decode_stage_result(finding_pb2.StageResult(stage="s").SerializeToString())
    bad_span = finding_pb2.StageResult(
        post_id="p", stage="s", findings=[finding_pb2.Finding(category=1, label="AGE", start=5, end=2)]
    )
    with pytest.raises(codec.DecodeError, match=r"bad span \[5, 2\)"):
        codec.decode_stage_result(bad_span.SerializeToString())


def test_deadletter_envelope_round_trip() -> None:
    env = codec.deadletter(
        source_topic="postguard.posts.v1",
        service="policy-decision",
        reason="decode_error",
        error="cannot decode Post: ...",
        payload=b"\x0a\xff",
        key=b"p-9",
        partition=2,
        offset=41,
    )
    back = codec.decode_deadletter(codec.encode(env))
    assert (back.key, back.partition, back.offset, back.payload) == ("p-9", 2, 41, b"\x0a\xff")


def test_keys() -> None:
    assert codec.decode_key(codec.encode_key("p-ü")) == "p-ü"
    assert codec.decode_key(None) == ""
    assert codec.decode_key(b"\xff") == ""


def test_encoding_is_deterministic_for_maps() -> None:
    timings = {f"stage-{i}": i / 10 for i in range(20)}
    one = Decision("p", "h", Verdict.ALLOW, (), (), "", "d", "1", "", timings=timings)
    backwards = dict(reversed(timings.items()))
    other = Decision("p", "h", Verdict.ALLOW, (), (), "", "d", "1", "", timings=backwards)
    assert codec.encode(one) == codec.encode(other)
