"""Post validation: bad input is refused with the field named and never the text quoted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from postguard.domain.types import Post
from postguard.domain.validation import (
    MAX_TEXT_CHARS,
    PostValidationError,
    decode_text,
    post_from_mapping,
    validate_post,
)

pytestmark = pytest.mark.unit

SECRET = "Patient Zebulon Quartermaine"


def raw(**overrides: Any) -> dict[str, Any]:
    return {"post_id": "p1", "institution_id": "demo-hospital", "platform": "x", "text": SECRET} | overrides


def refused(data: Any) -> PostValidationError:
    with pytest.raises(PostValidationError) as excinfo:
        post_from_mapping(data)
    assert "Zebulon" not in str(excinfo.value)
    return excinfo.value


def test_valid_post_round_trips_with_optional_fields() -> None:
    post = post_from_mapping(
        raw(platform="LinkedIn", author_id="dr-lee", consent_reference="c-1", metadata={"k": "v"},
            attachments=[{"attachment_id": "a1", "media_type": "image/png", "alt_text": "x-ray"}])
    )  # fmt: skip
    assert post.platform == "linkedin" and post.consent_reference == "c-1"
    assert post.attachments[0].alt_text == "x-ray" and post.metadata == {"k": "v"}


@pytest.mark.parametrize("field", ["post_id", "institution_id", "platform", "text"])
def test_required_fields(field: str) -> None:
    data = raw()
    del data[field]
    assert refused(data).field == field
    assert refused(raw(**{field: ""})).field == field


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"text": "   \n\t "}, "text", "empty"),
        ({"text": "a" * (MAX_TEXT_CHARS + 1)}, "text", f"limit is {MAX_TEXT_CHARS}"),
        ({"text": 42}, "text", "must be a string, got int"),
        ({"text": ["a"]}, "text", "must be a string, got list"),
        ({"post_id": 7}, "post_id", "must be a string"),
        ({"post_id": True}, "post_id", "must be a string"),
        ({"post_id": "has space"}, "post_id", "whitespace"),
        ({"post_id": "x" * 129}, "post_id", "limit is 128"),
        ({"institution_id": "tab\there"}, "institution_id", "whitespace"),
        ({"platform": "myspace"}, "platform", "unknown platform 'myspace'"),
        ({"text": "bad \ud800 surrogate"}, "text", "surrogates"),
        ({"text": "nul \x00 char"}, "text", "NUL"),
        ({"metadata": {"k": 1}}, "metadata", "string keys to string values"),
        ({"attachments": "x"}, "attachments", "must be a list"),
        ({"attachments": [1]}, "attachments[0]", "must be an object"),
        ({"attachments": [{}] * 21}, "attachments", "limit is 20"),
    ],
)
def test_bad_input_is_refused(overrides: dict[str, Any], field: str, fragment: str) -> None:
    error = refused(raw(**overrides))
    assert error.field == field
    assert fragment in str(error)


def test_surrogate_from_json_escape_is_refused() -> None:
    data = json.loads('{"post_id": "p", "institution_id": "i", "platform": "x", "text": "hi \\udc80"}')
    assert refused(data).field == "text"


@pytest.mark.parametrize("data", [None, "text", 3, ["post"]])
def test_non_objects_are_refused(data: Any) -> None:
    assert refused(data).field == "post"


def test_text_at_the_limit_is_accepted_and_a_custom_limit_applies() -> None:
    assert post_from_mapping(raw(text="a" * MAX_TEXT_CHARS)).text == "a" * MAX_TEXT_CHARS
    with pytest.raises(PostValidationError, match="limit is 5"):
        post_from_mapping(raw(text="abcdef"), max_text_chars=5)


def test_validate_post_checks_posts_from_other_transports() -> None:
    with pytest.raises(PostValidationError, match="platform"):
        validate_post(Post("p", "i", "fax-machine", "hello"))
    with pytest.raises(PostValidationError, match="post_id"):
        validate_post(Post("", "i", "x", "hello"))


def test_decode_text_reports_the_bad_byte_offset() -> None:
    assert decode_text("héllo".encode()) == "héllo"
    with pytest.raises(PostValidationError, match="offset 3"):
        decode_text(b"abc\xff")
