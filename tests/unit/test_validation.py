"""Post validation: bad input is refused with the field named and never the text quoted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from postguard.domain.types import Attachment, Post
from postguard.domain.validation import (
    MAX_ATTACHMENTS,
    MAX_CREATED_AT_AHEAD,
    MAX_CREATED_AT_CHARS,
    MAX_ID_CHARS,
    MAX_MEDIA_TYPE_CHARS,
    MAX_METADATA_BYTES,
    MAX_POST_METADATA_BYTES,
    MAX_POST_METADATA_ENTRIES,
    MAX_POST_METADATA_KEY_CHARS,
    MAX_POST_METADATA_VALUE_CHARS,
    MAX_TEXT_CHARS,
    MAX_URI_CHARS,
    PostValidationError,
    decode_text,
    post_from_mapping,
    validate_post,
)

pytestmark = pytest.mark.unit

SECRET = "Patient Zebulon Quartermaine"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def raw(**overrides: Any) -> dict[str, Any]:
    return {"post_id": "p1", "institution_id": "demo-hospital", "platform": "x", "text": SECRET} | overrides


def refused(data: Any) -> PostValidationError:
    with pytest.raises(PostValidationError) as excinfo:
        post_from_mapping(data, now=NOW)
    assert "Zebulon" not in str(excinfo.value)
    return excinfo.value


def accepted(data: Any) -> Post:
    return post_from_mapping(data, now=NOW)


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
        ({"platform": "Zebulon"}, "platform", "unknown platform; expected one of facebook, instagram"),
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


# --- every field is bounded: each limit is refused one past it and accepted at it ---------------------


def test_platform_error_does_not_quote_the_value() -> None:
    assert "myspace" not in str(refused(raw(platform="myspace")))


@pytest.mark.parametrize("field", ["post_id", "institution_id", "author_id", "consent_reference"])
def test_id_fields_have_a_length_limit(field: str) -> None:
    assert getattr(accepted(raw(**{field: "a" * MAX_ID_CHARS})), field) == "a" * MAX_ID_CHARS
    error = refused(raw(**{field: "Zebulon" * 19}))  # 133 characters
    assert error.field == field
    assert str(error) == f"{field}: is 133 characters long; the limit is {MAX_ID_CHARS}"


@pytest.mark.parametrize("field", ["post_id", "institution_id", "author_id"])
@pytest.mark.parametrize(
    "value", ["Zebulon/1", "Zébulon", "Zebulon#1", "<Zebulon>", "Zebulon;drop", "a\u200bb"]
)
def test_id_fields_allow_only_a_safe_ascii_charset(field: str, value: str) -> None:
    error = refused(raw(**{field: value}))
    assert error.field == field
    assert "may only contain ASCII letters, digits and . _ : @ + -" in str(error) or "whitespace" in str(
        error
    )


@pytest.mark.parametrize(
    "value",
    ["550e8400-e29b-41d4-a716-446655440000", "01HV7Z3K9Q", "urn:li:share:7123", "dr.lee@demo", "a_b+c"],
)
def test_real_world_ids_are_accepted(value: str) -> None:
    post = accepted(raw(post_id=value, author_id=value, institution_id="demo-hospital"))
    assert post.post_id == post.author_id == value


def test_consent_reference_is_a_reference_not_free_text() -> None:
    assert accepted(raw(consent_reference="CR/2024/0017#2")).consent_reference == "CR/2024/0017#2"
    error = refused(raw(consent_reference="signed by Zebulon"))
    assert error.field == "consent_reference"
    assert str(error) == "consent_reference: must not contain whitespace or control characters"
    error = refused(raw(consent_reference="Zebulon<script>"))
    assert "may only contain ASCII letters, digits and . _ : @ + - / #" in str(error)


# created_at -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-01T12:00:00Z",
        "2026-03-01t12:00:00z",  # RFC 3339 allows lower case
        "2026-03-01T07:00:00-05:00",
        "2026-03-01 12:00:00+00:00",
        "2026-03-01T12:00:00.123456Z",
        "2000-01-01T00:00:00Z",
    ],
)
def test_created_at_accepts_rfc3339_with_an_offset(value: str) -> None:
    assert accepted(raw(created_at=value)).created_at == value


@pytest.mark.parametrize(
    "value",
    [
        "Zebulon",
        "yesterday",
        "1709294400",  # epoch seconds
        "2026-03-01",  # a date, no time
        "2026-03-01T12:00:00",  # no time zone
        "03/01/2026 12:00",
        "2026-02-30T12:00:00Z",  # no such day
        "2026-03-01T25:00:00Z",
        "2026-03-01T12:00:00+25:00",
        " 2026-03-01T12:00:00Z",
        "２０２６-03-01T12:00:00Z",  # full-width digits
    ],
)
def test_created_at_must_be_a_timestamp_with_a_time_zone(value: str) -> None:
    error = refused(raw(created_at=value))
    assert error.field == "created_at"
    assert "must be an RFC 3339 date and time with a UTC offset" in str(error)
    assert value.strip() not in str(error).replace("2024-05-01T09:30:00Z", "")


def test_created_at_has_a_length_limit() -> None:
    value = "2026-03-01T12:00:00." + "1" * MAX_CREATED_AT_CHARS + "Z"
    assert str(refused(raw(created_at=value))).startswith(
        f"created_at: is {len(value)} characters long; the limit is {MAX_CREATED_AT_CHARS}"
    )


def test_created_at_may_not_be_far_in_the_future() -> None:
    at_limit = (NOW + MAX_CREATED_AT_AHEAD).isoformat()
    assert accepted(raw(created_at=at_limit)).created_at == at_limit
    past_limit = (NOW + MAX_CREATED_AT_AHEAD + timedelta(hours=2)).isoformat()
    assert str(refused(raw(created_at=past_limit))) == (
        "created_at: is 26 hours in the future; the limit is 24 hours"
    )
    assert refused(raw(created_at="9999-12-31T23:59:59-05:00")).field == "created_at"  # past datetime.max


def test_created_at_future_check_uses_the_clock_by_default() -> None:
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert post_from_mapping(raw(created_at=soon)).created_at == soon
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    with pytest.raises(PostValidationError, match="in the future"):
        post_from_mapping(raw(created_at=later))


def test_created_at_placeholders_before_2000_are_refused() -> None:
    assert "before 2000-01-01" in str(refused(raw(created_at="0001-01-01T00:00:00Z")))
    assert "before 2000-01-01" in str(refused(raw(created_at="1999-12-31T23:59:59Z")))


def test_created_at_is_checked_for_posts_from_other_transports() -> None:
    with pytest.raises(PostValidationError, match="created_at"):
        validate_post(Post("p", "i", "x", "hello", created_at="not a time"))


# post-level metadata ----------------------------------------------------------------------------------


def test_post_metadata_entry_limit() -> None:
    full = {f"k{i}": "v" for i in range(MAX_POST_METADATA_ENTRIES)}
    assert accepted(raw(metadata=full)).metadata == full
    error = refused(raw(metadata=full | {"one-more": "v"}))
    assert str(error) == (
        f"metadata: has {MAX_POST_METADATA_ENTRIES + 1} entries; the limit is {MAX_POST_METADATA_ENTRIES}"
    )


def test_post_metadata_key_limits() -> None:
    assert accepted(raw(metadata={"k" * MAX_POST_METADATA_KEY_CHARS: "v"})).metadata
    error = refused(raw(metadata={"campaign": "flu", "Zebulon" * 19: "v"}))
    assert str(error) == (
        f"metadata: key #1 is 133 characters long; keys must have 1 to {MAX_POST_METADATA_KEY_CHARS}"
    )
    assert "key #0 is 0 characters long" in str(refused(raw(metadata={"  ": "v"})))


def test_post_metadata_value_limit_refuses_the_500k_value() -> None:
    assert accepted(raw(metadata={"note": "v" * MAX_POST_METADATA_VALUE_CHARS})).metadata
    error = refused(raw(metadata={"note": "Zebulon " * 62_500}))  # 500,000 characters
    assert str(error) == (
        f"metadata: value of key #0 is 500000 characters long; the limit is {MAX_POST_METADATA_VALUE_CHARS}"
    )


def test_post_metadata_total_size_limit_counts_utf8_bytes() -> None:
    # 8 entries of 2,000 characters: every value within its limit, together over 16 KiB
    value = "v" * MAX_POST_METADATA_VALUE_CHARS
    fits = {f"k{i}": value for i in range(8)}  # 8 * (2 + 2000) = 16,016 bytes
    assert accepted(raw(metadata=fits)).metadata == fits
    two_byte = {f"k{i}": "é" * 1_100 for i in range(8)}  # 8 * (2 + 2200) bytes, 1,100 characters each
    error = refused(raw(metadata=two_byte))
    assert str(error) == (
        f"metadata: is 17616 bytes (UTF-8, keys and values together); the limit is {MAX_POST_METADATA_BYTES}"
    )


def test_post_metadata_rejects_nul_and_surrogates() -> None:
    assert "NUL" in str(refused(raw(metadata={"k": "Zebulon\x00"})))
    assert "surrogates" in str(refused(raw(metadata={"k": "\ud800"})))


def test_post_metadata_limits_apply_to_posts_from_other_transports() -> None:
    big = Post("p", "i", "x", "hello", metadata={"k": "v" * 500_000})
    with pytest.raises(PostValidationError, match="metadata: value of key #0"):
        validate_post(big)


# attachments ------------------------------------------------------------------------------------------


def attachment_post(**fields: Any) -> dict[str, Any]:
    return raw(attachments=[{"attachment_id": "a1", **fields}])


def test_attachment_uri_limits() -> None:
    ok = "https://cdn.example.org/" + "a" * (MAX_URI_CHARS - 24)
    assert accepted(attachment_post(uri=ok)).attachments[0].uri == ok
    error = refused(attachment_post(uri=ok + "Z"))
    assert str(error) == (
        f"attachments[0].uri: is {MAX_URI_CHARS + 1} characters long; the limit is {MAX_URI_CHARS}"
    )
    error = refused(attachment_post(uri="s3://bucket/Zebulon scan.jpg"))
    assert (error.field, "whitespace" in str(error)) == ("attachments[0].uri", True)


@pytest.mark.parametrize("value", ["image/jpeg", "application/dicom", "image/svg+xml", "video/mp4"])
def test_attachment_media_types_are_accepted(value: str) -> None:
    assert accepted(attachment_post(media_type=value)).attachments[0].media_type == value


@pytest.mark.parametrize(
    "value",
    ["jpeg", "Zebulon's x-ray", "image/", "image/jpeg; charset=x", "image/" + "a" * MAX_MEDIA_TYPE_CHARS],
)
def test_attachment_media_type_must_be_type_slash_subtype(value: str) -> None:
    error = refused(attachment_post(media_type=value))
    assert error.field == "attachments[0].media_type"
    assert f"at most {MAX_MEDIA_TYPE_CHARS} characters" in str(error)


def test_attachment_metadata_total_size_limit() -> None:
    tags = {f"Tag{i:03d}": "v" * 1_000 for i in range(64)}  # 64 * 1,006 bytes = 64,384
    assert accepted(raw(attachments=[{"metadata": tags}])).attachments[0].metadata == tags
    more = tags | {f"Tag{i:03d}": "v" * 1_000 for i in range(64, 66)}  # 66,396 bytes
    error = refused(raw(attachments=[{"metadata": more}]))
    assert str(error) == (
        f"attachments[0].metadata: is 66396 bytes (UTF-8, keys and values together); the limit is "
        f"{MAX_METADATA_BYTES}"
    )


def test_attachment_ids_use_the_id_charset() -> None:
    error = refused(attachment_post(attachment_id="Zebulon/x-ray"))
    assert error.field == "attachments[0].attachment_id" and "may only contain" in str(error)


def test_attachment_count_limit_applies_to_other_transports() -> None:
    post = Post("p", "i", "x", "hello", attachments=(Attachment(),) * (MAX_ATTACHMENTS + 1))
    with pytest.raises(PostValidationError, match=f"limit is {MAX_ATTACHMENTS}"):
        validate_post(post)
