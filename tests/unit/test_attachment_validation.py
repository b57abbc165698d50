"""Size limits on attachment alt text and metadata, with precise errors that never quote the values."""

from __future__ import annotations

from typing import Any

import pytest
from postguard.domain.types import Attachment, Post
from postguard.domain.validation import (
    MAX_ALT_TEXT_CHARS,
    MAX_METADATA_ENTRIES,
    MAX_METADATA_KEY_CHARS,
    MAX_METADATA_VALUE_CHARS,
    PostValidationError,
    post_from_mapping,
    validate_post,
)

pytestmark = pytest.mark.unit

SECRET = "Mrs Lopez "


def raw(attachment: dict[str, Any]) -> dict[str, Any]:
    return {
        "post_id": "p1",
        "institution_id": "i1",
        "platform": "x",
        "text": "hello",
        "attachments": [attachment],
    }


@pytest.mark.parametrize(
    ("attachment", "field", "message"),
    [
        (
            {"alt_text": SECRET * 101},
            "attachments[0].alt_text",
            f"is 1010 characters long; the limit is {MAX_ALT_TEXT_CHARS}",
        ),
        ({"alt_text": "x-ray\x00"}, "attachments[0].alt_text", "contains NUL characters"),
        (
            {"metadata": {f"Tag{i}": "v" for i in range(MAX_METADATA_ENTRIES + 1)}},
            "attachments[0].metadata",
            f"has {MAX_METADATA_ENTRIES + 1} entries; the limit is {MAX_METADATA_ENTRIES}",
        ),
        (
            {"metadata": {"Make": "Canon", "K" * 129: "v"}},
            "attachments[0].metadata",
            f"key #1 is 129 characters long; keys must have 1 to {MAX_METADATA_KEY_CHARS}",
        ),
        ({"metadata": {" ": "v"}}, "attachments[0].metadata", "key #0 is 0 characters long"),
        (
            {"metadata": {"UserComment": SECRET * 201}},
            "attachments[0].metadata",
            f"value of key #0 is 2010 characters long; the limit is {MAX_METADATA_VALUE_CHARS}",
        ),
        ({"attachment_id": "img 1"}, "attachments[0].attachment_id", "must not contain whitespace"),
    ],
)
def test_attachment_limits_name_the_field_and_never_quote_values(
    attachment: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(PostValidationError) as info:
        post_from_mapping(raw(attachment))
    assert info.value.field == field
    assert message in str(info.value)
    assert "Lopez" not in str(info.value)


def test_limits_are_inclusive_and_apply_to_posts_from_any_transport() -> None:
    ok = Attachment(
        "img-1",
        alt_text="a" * MAX_ALT_TEXT_CHARS,
        metadata={"K" * MAX_METADATA_KEY_CHARS: "v" * MAX_METADATA_VALUE_CHARS},
    )
    post = Post("p1", "i1", "x", "hello", attachments=(ok,))
    assert validate_post(post) is post
    too_many = Post("p1", "i1", "x", "hello", attachments=(Attachment(),) * 21)
    with pytest.raises(PostValidationError, match="attachments: has 21 items; the limit is 20"):
        validate_post(too_many)
