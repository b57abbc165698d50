"""The public Screening API's request handling through the running stack: errors, lookups, streams."""

from __future__ import annotations

import queue
import threading

import grpc
import pytest
from postguard.devtools.stack import LocalStack
from postguard.v1 import decision_pb2, post_pb2, screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, INSTITUTION, make_post, metric_sum, new_id, scrape

pytestmark = pytest.mark.integration


def _error(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(request, timeout=10)
    return info.value


@pytest.mark.parametrize(
    ("post", "fragment"),
    [
        (make_post("   \n\t "), "text: is empty"),
        (make_post("a" * 10_001), "text: is 10001 characters long; the limit is 10000"),
        (make_post(CLEAN_TEXT, platform="myspace"), "platform: unknown platform; expected one of"),
        (post_pb2.Post(institution_id=INSTITUTION, platform="x", text=CLEAN_TEXT), "post_id: is required"),
        (post_pb2.Post(post_id="it-no-inst", platform="x", text=CLEAN_TEXT), "institution_id: is required"),
        (make_post(CLEAN_TEXT, post_id="has space"), "post_id: must not contain whitespace"),
    ],
    ids=[
        "empty-text",
        "text-too-long",
        "unknown-platform",
        "missing-post-id",
        "missing-institution",
        "bad-id",
    ],
)
def test_bad_posts_get_invalid_argument(
    screening: screening_pb2_grpc.ScreeningStub, post: post_pb2.Post, fragment: str
) -> None:
    for call, request in (
        (screening.Submit, post),
        (screening.Screen, screening_pb2.ScreenRequest(post=post)),
    ):
        err = _error(call, request)
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert fragment in err.details()
        assert CLEAN_TEXT not in err.details()  # never echo post text


def _raw_post(text: bytes) -> bytes:
    """A Post on the wire with a ``text`` of arbitrary bytes (protobuf clients refuse to build one)."""
    fields = [(1, b"it-raw-utf8"), (2, INSTITUTION.encode()), (4, b"x"), (5, text)]
    out = b""
    for number, value in fields:
        out += bytes([(number << 3) | 2, len(value)]) + value
    return out


def test_bad_utf8_gets_invalid_argument_naming_the_offset(channel: grpc.Channel) -> None:
    submit = channel.unary_unary("/postguard.v1.Screening/Submit")
    assert b"\xff" in _raw_post(b"caf\xc3 \xff")
    err = _error(submit, _raw_post(b"fine text \xffthen more"))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.details() == "text: is not valid UTF-8 (bad byte at offset 10)"
    screen = channel.unary_unary("/postguard.v1.Screening/Screen")
    nested = _raw_post(b"\xc3(")
    err = _error(screen, bytes([0x0A, len(nested)]) + nested)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "text: is not valid UTF-8 (bad byte at offset 0)" in err.details()


def test_undecodable_request_gets_invalid_argument(channel: grpc.Channel) -> None:
    err = _error(channel.unary_unary("/postguard.v1.Screening/Submit"), b"\xff\xff\xff\xff")
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid Post message" in err.details()


def test_unknown_institution_is_refused(screening: screening_pb2_grpc.ScreeningStub) -> None:
    err = _error(screening.Submit, make_post(CLEAN_TEXT, institution_id="no-such-hospital"))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "unknown institution 'no-such-hospital'" in err.details()


def test_screen_without_post_and_get_without_id(screening: screening_pb2_grpc.ScreeningStub) -> None:
    assert _error(screening.Screen, screening_pb2.ScreenRequest()).details() == "post: is required"
    err = _error(screening.GetDecision, screening_pb2.GetDecisionRequest())
    assert (err.code(), err.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "post_id: is required")


def test_get_decision_unknown_is_not_found(screening: screening_pb2_grpc.ScreeningStub) -> None:
    err = _error(screening.GetDecision, screening_pb2.GetDecisionRequest(post_id="it-never-submitted"))
    assert err.code() == grpc.StatusCode.NOT_FOUND


def test_invalid_requests_are_counted(stack: LocalStack, screening: screening_pb2_grpc.ScreeningStub) -> None:
    before = metric_sum(
        scrape(stack.metrics_url("ingest")), "postguard_grpc_requests_total", code="INVALID_ARGUMENT"
    )
    _error(screening.Submit, make_post(""))
    after = metric_sum(
        scrape(stack.metrics_url("ingest")), "postguard_grpc_requests_total", code="INVALID_ARGUMENT"
    )
    assert after == before + 1


def test_stream_decisions_filters_by_institution(screening: screening_pb2_grpc.ScreeningStub) -> None:
    received: queue.Queue[decision_pb2.Decision] = queue.Queue()
    stream = screening.StreamDecisions(
        screening_pb2.StreamDecisionsRequest(institution_id=INSTITUTION), timeout=60
    )

    def follow() -> None:
        try:
            for decision in stream:
                received.put(decision)
        except grpc.RpcError:
            pass  # cancelled at the end of the test

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    try:
        other = make_post(CLEAN_TEXT, post_id=new_id("it-stream-other"), institution_id="riverside-clinic")
        post = make_post(CLEAN_TEXT, post_id=new_id("it-stream"))
        # The subscription is registered when the first message is requested; give it a moment.
        threading.Event().wait(0.5)
        screening.Screen(screening_pb2.ScreenRequest(post=other, timeout_seconds=30), timeout=40)
        decided = screening.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)
        while True:
            decision = received.get(timeout=30)
            assert decision.institution_id == INSTITUTION and decision.post_id != other.post_id
            if decision.post_id == post.post_id:
                assert decision.verdict == decided.verdict
                break
    finally:
        stream.cancel()


def test_oversized_request_is_refused_before_parsing(screening: screening_pb2_grpc.ScreeningStub) -> None:
    err = _error(screening.Submit, make_post("a" * (2 << 20)))
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "the limit is 1048576" in err.details()
