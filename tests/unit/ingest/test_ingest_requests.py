"""Request parsing: bad UTF-8 in any string field is named precisely instead of failing as INTERNAL."""

from __future__ import annotations

import pytest
from postguard.ingest.requests import BadRequest, _lenient_class, safe_deserializer
from postguard.v1 import post_pb2, screening_pb2

pytestmark = pytest.mark.unit


def _lenient_screen_request() -> object:
    return _lenient_class(screening_pb2.ScreenRequest.DESCRIPTOR)()


def test_good_request_parses_normally() -> None:
    data = screening_pb2.ScreenRequest(post=post_pb2.Post(post_id="p1", text="héllo")).SerializeToString()
    parsed = safe_deserializer(screening_pb2.ScreenRequest)(data)
    assert isinstance(parsed, screening_pb2.ScreenRequest) and parsed.post.text == "héllo"


@pytest.mark.parametrize(
    ("fill", "expected"),
    [
        (lambda m: setattr(m.post, "text", b"ok \xff"), "text: is not valid UTF-8 (bad byte at offset 3)"),
        (lambda m: setattr(m.post, "post_id", b"\xc3"), "post_id: is not valid UTF-8 (bad byte at offset 0)"),
        (
            lambda m: m.post.metadata.__setitem__("k", b"a\xe2\x82"),
            "metadata['k']: is not valid UTF-8 (bad byte at offset 1)",
        ),
        (
            lambda m: setattr(m.post.attachments.add(), "alt_text", b"\x80"),
            "attachments[0].alt_text: is not valid UTF-8 (bad byte at offset 0)",
        ),
    ],
    ids=["text", "post_id", "metadata", "attachment"],
)
def test_bad_utf8_is_located(fill, expected: str) -> None:
    message = _lenient_screen_request()
    fill(message)
    parsed = safe_deserializer(screening_pb2.ScreenRequest)(message.SerializeToString())
    assert parsed == BadRequest(expected)


def test_garbage_and_oversized_requests() -> None:
    assert safe_deserializer(post_pb2.Post)(b"\xff\xff\xff") == BadRequest(
        "the request is not a valid Post message (3 bytes)"
    )
    big = post_pb2.Post(text="x" * 5000).SerializeToString()
    refused = safe_deserializer(post_pb2.Post, max_bytes=4096)(big)
    assert isinstance(refused, BadRequest) and refused.too_large and "limit is 4096" in refused.error
