"""Validation of incoming posts: turns raw mappings into ``Post`` or raises a precise error."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from postguard.domain.images.decode import ImageRejected, inspect_image
from postguard.domain.types import PLATFORMS, Attachment, Post

MAX_TEXT_CHARS = 10_000
"""Longest post text accepted (characters). Longer posts are refused, never truncated."""

MAX_ID_CHARS = 128
"""Longest ``post_id``, ``institution_id``, ``author_id``, ``attachment_id`` and ``consent_reference``."""
ID_CHARS = "ASCII letters, digits and . _ : @ + -"
_ID = re.compile(r"[A-Za-z0-9._:@+-]+")
"""What ids may contain: UUIDs, ULIDs, slugs, platform ids (``urn:li:share:1``), e-mail style authors."""
CONSENT_REFERENCE_CHARS = ID_CHARS + " / #"
_CONSENT_REFERENCE = re.compile(r"[A-Za-z0-9._:@+/#-]+")
"""A consent reference is a form or record number (``CR/2024/0017``), not free text: no spaces."""

MAX_CREATED_AT_CHARS = 40
MAX_CREATED_AT_AHEAD = timedelta(hours=24)
"""How far ``created_at`` may be ahead of this clock (clock skew, a local time labelled UTC)."""
EARLIEST_CREATED_AT = datetime(2000, 1, 1, tzinfo=UTC)
"""Earlier ``created_at`` values are placeholders (``0001-01-01T00:00:00Z`` is Go's zero time), not posts."""

MAX_POST_METADATA_ENTRIES = 64
"""Most entries in the post-level ``metadata`` (campaign, scheduling, tags from the comms platform)."""
MAX_POST_METADATA_KEY_CHARS = 128
MAX_POST_METADATA_VALUE_CHARS = 2_000
MAX_POST_METADATA_BYTES = 16_384
"""Largest post-level ``metadata`` in UTF-8 bytes, keys and values together."""

MAX_ATTACHMENTS = 20
MAX_ALT_TEXT_CHARS = 1_000
"""Longest attachment alt text (X's limit; other platforms allow less)."""
MAX_METADATA_ENTRIES = 200
"""Most metadata tags per attachment (a full DICOM header exported as text has ~150)."""
MAX_METADATA_KEY_CHARS = 128
MAX_METADATA_VALUE_CHARS = 2_000
MAX_METADATA_BYTES = 65_536
"""Largest metadata of one attachment in UTF-8 bytes, tag names and values together."""
MAX_ATTACHMENT_BYTES = 12 << 20
"""12 MiB: most image bytes (``Attachment.content``) all attachments of one post carry together. With the
text fields it keeps a post under ``POSTGUARD_MAX_MESSAGE_BYTES`` (16 MiB); see docs/images-transport.md.
Larger posts are refused, never truncated."""
MEDIA_TYPE_ALIASES: dict[str, str] = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/heif": "image/heic",
    "image/heic-sequence": "image/heic",
    "image/heif-sequence": "image/heic",
    "application/dicom+file": "application/dicom",
}
"""Declared media types taken as another name of a supported one (``decode.SUPPORTED_MEDIA_TYPES``)."""
MAX_URI_CHARS = 2_048
MAX_MEDIA_TYPE_CHARS = 127
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*")
"""``type/subtype`` (RFC 6838 names, no parameters): ``image/jpeg``, ``application/dicom``."""
REQUIRED_FIELDS = ("post_id", "institution_id", "platform", "text")


class PostValidationError(ValueError):
    """A post was refused. ``field`` names the offending field; the message never quotes post text."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


class ImageValidationError(PostValidationError):
    """A post was refused for its image bytes (too large, not a supported image, a type mismatch, a header
    over the limits). The message names sizes, types and limits only."""


_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone UTF-16 surrogate (searched in C, not character by character in Python)."""


def _require_str(raw: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise PostValidationError(name, "is required and must be a non-empty string")
        return ""
    if not isinstance(value, str):
        raise PostValidationError(name, f"must be a string, got {type(value).__name__}")
    return value


def _check_id(name: str, value: str, pattern: re.Pattern[str] = _ID, allowed: str = ID_CHARS) -> None:
    if len(value) > MAX_ID_CHARS:
        raise PostValidationError(name, f"is {len(value)} characters long; the limit is {MAX_ID_CHARS}")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise PostValidationError(name, "must not contain whitespace or control characters")
    if not pattern.fullmatch(value):
        raise PostValidationError(name, f"may only contain {allowed}")


def parse_timestamp(name: str, value: str) -> datetime:
    """An RFC 3339 date and time with a UTC offset, in UTC; ``PostValidationError`` names ``name``."""
    if len(value) > MAX_CREATED_AT_CHARS:
        raise PostValidationError(
            name, f"is {len(value)} characters long; the limit is {MAX_CREATED_AT_CHARS}"
        )
    expected = "must be an RFC 3339 date and time with a UTC offset, like 2024-05-01T09:30:00Z"
    try:
        stamp = datetime.fromisoformat(value.upper())  # RFC 3339 allows a lower-case t and z
    except ValueError:
        raise PostValidationError(name, expected) from None
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise PostValidationError(name, expected + " (the time zone is missing)")
    try:
        return stamp.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-05:00 is past datetime.max in UTC
        raise PostValidationError(name, "is out of range") from None


def _check_scheduled_publish_at(value: str) -> None:
    """RFC 3339 with an offset, after 2000; a time in the past is allowed (publish as soon as decided)."""
    if parse_timestamp("scheduled_publish_at", value) < EARLIEST_CREATED_AT:
        raise PostValidationError("scheduled_publish_at", "is before 2000-01-01T00:00:00Z (a placeholder)")


def _check_created_at(value: str, now: datetime | None) -> None:
    """RFC 3339 / ISO 8601 date and time with a UTC offset, not before 2000 nor far in the future."""
    name = "created_at"
    stamp = parse_timestamp(name, value)
    if stamp < EARLIEST_CREATED_AT:
        raise PostValidationError(name, "is before 2000-01-01T00:00:00Z (a placeholder, not a real time)")
    ahead = stamp - (now or datetime.now(UTC))
    if ahead > MAX_CREATED_AT_AHEAD:
        hours = int(MAX_CREATED_AT_AHEAD.total_seconds() // 3600)
        raise PostValidationError(
            name, f"is {ahead.total_seconds() / 3600:.0f} hours in the future; the limit is {hours} hours"
        )


def _check_string_map(
    name: str, meta: Mapping[str, str], *, entries: int, key_chars: int, value_chars: int, total_bytes: int
) -> None:
    """Limits on a string -> string map; keys are named by position, keys and values never quoted."""
    if len(meta) > entries:
        raise PostValidationError(name, f"has {len(meta)} entries; the limit is {entries}")
    size = 0
    for position, (key, value) in enumerate(meta.items()):
        if not key.strip() or len(key) > key_chars:
            raise PostValidationError(
                name,
                f"key #{position} is {len(key.strip())} characters long; keys must have 1 to {key_chars}",
            )
        if len(value) > value_chars:
            raise PostValidationError(
                name,
                f"value of key #{position} is {len(value)} characters long; the limit is {value_chars}",
            )
        _check_clean(name, key + value)
        size += len(key.encode("utf-8")) + len(value.encode("utf-8"))  # no surrogates: checked above
    if size > total_bytes:
        raise PostValidationError(
            name, f"is {size} bytes (UTF-8, keys and values together); the limit is {total_bytes}"
        )


def _check_text(text: str, *, max_chars: int) -> None:
    if not text.strip():
        raise PostValidationError("text", "is empty (only whitespace)")
    if len(text) > max_chars:
        raise PostValidationError("text", f"is {len(text)} characters long; the limit is {max_chars}")
    if _SURROGATE.search(text):
        raise PostValidationError("text", "contains lone UTF-16 surrogates (not valid UTF-8 text)")
    if "\x00" in text:
        raise PostValidationError("text", "contains NUL characters")


def _check_clean(name: str, value: str) -> None:
    if _SURROGATE.search(value):
        raise PostValidationError(name, "contains lone UTF-16 surrogates (not valid UTF-8 text)")
    if "\x00" in value:
        raise PostValidationError(name, "contains NUL characters")


def _check_attachment(index: int, attachment: Attachment) -> None:
    """Size limits on what is screened with an attachment; messages name keys by position, not value."""
    name = f"attachments[{index}]"
    if attachment.attachment_id:
        _check_id(f"{name}.attachment_id", attachment.attachment_id)
    if attachment.media_type and (
        len(attachment.media_type) > MAX_MEDIA_TYPE_CHARS or not _MEDIA_TYPE.fullmatch(attachment.media_type)
    ):
        raise PostValidationError(
            f"{name}.media_type",
            f"must be a media type like image/jpeg (type/subtype, at most {MAX_MEDIA_TYPE_CHARS} characters)",
        )
    if len(attachment.uri) > MAX_URI_CHARS:
        raise PostValidationError(
            f"{name}.uri", f"is {len(attachment.uri)} characters long; the limit is {MAX_URI_CHARS}"
        )
    if any(ch.isspace() or not ch.isprintable() for ch in attachment.uri):
        raise PostValidationError(f"{name}.uri", "must not contain whitespace or control characters")
    if len(attachment.alt_text) > MAX_ALT_TEXT_CHARS:
        raise PostValidationError(
            f"{name}.alt_text",
            f"is {len(attachment.alt_text)} characters long; the limit is {MAX_ALT_TEXT_CHARS}",
        )
    _check_clean(f"{name}.alt_text", attachment.alt_text)
    _check_string_map(
        f"{name}.metadata",
        attachment.metadata,
        entries=MAX_METADATA_ENTRIES,
        key_chars=MAX_METADATA_KEY_CHARS,
        value_chars=MAX_METADATA_VALUE_CHARS,
        total_bytes=MAX_METADATA_BYTES,
    )


def _check_image(index: int, attachment: Attachment) -> None:
    """An attachment's bytes are a supported image, within the header limits (``inspect_image``: bytes,
    pixels per frame, frames; no pixel decoded), of the media type it declares."""
    name = f"attachments[{index}]"
    try:
        info = inspect_image(attachment.content)
    except ImageRejected as exc:  # names sizes, types and limits only
        raise ImageValidationError(f"{name}.content", str(exc)) from None
    declared = attachment.media_type.lower()
    declared = MEDIA_TYPE_ALIASES.get(declared, declared)
    if declared and declared != info.media_type:
        raise ImageValidationError(
            f"{name}.media_type",
            f"declares {declared} but the content is {info.media_type} ({len(attachment.content)} bytes)",
        )


def _check_images(attachments: tuple[Attachment, ...]) -> None:
    """Image bytes: at most ``MAX_ATTACHMENT_BYTES`` per post, distinct ids, each a supported image."""
    total = sum(len(a.content) for a in attachments)
    if total > MAX_ATTACHMENT_BYTES:
        raise ImageValidationError(
            "attachments",
            f"carry {total} bytes of image content; the limit is {MAX_ATTACHMENT_BYTES} bytes "
            f"({MAX_ATTACHMENT_BYTES >> 20} MiB) per post",
        )
    seen: dict[str, int] = {}
    for index, attachment in enumerate(attachments):
        if not attachment.has_content:
            continue
        if attachment.attachment_id in seen:
            raise ImageValidationError(
                f"attachments[{index}].attachment_id",
                f"is also the id of attachments[{seen[attachment.attachment_id]}]; attachments with content "
                "need distinct ids (their redacted copies are named by id)",
            )
        if attachment.attachment_id:
            seen[attachment.attachment_id] = index
        _check_image(index, attachment)


def decode_text(data: bytes) -> str:
    """Decode UTF-8 bytes or raise ``PostValidationError`` naming the first bad byte offset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PostValidationError("text", f"is not valid UTF-8 (bad byte at offset {exc.start})") from None


def _str_map(raw: Any, name: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise PostValidationError(name, "must be an object of string keys to string values")
    return dict(raw)


def _attachments(raw: Any) -> tuple[Attachment, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise PostValidationError("attachments", "must be a list")
    if len(raw) > MAX_ATTACHMENTS:
        raise PostValidationError("attachments", f"has {len(raw)} items; the limit is {MAX_ATTACHMENTS}")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise PostValidationError(f"attachments[{i}]", "must be an object")
        out.append(
            Attachment(
                attachment_id=_require_str(item, "attachment_id", required=False),
                media_type=_require_str(item, "media_type", required=False),
                uri=_require_str(item, "uri", required=False),
                alt_text=_require_str(item, "alt_text", required=False),
                metadata=_str_map(item.get("metadata"), f"attachments[{i}].metadata"),
                content=_content(item, f"attachments[{i}]"),
            )
        )
    return tuple(out)


def _content(item: Mapping[str, Any], name: str) -> bytes:
    """An attachment's image bytes: ``content`` as bytes (the CLI read its ``path``) or ``content_base64``
    (JSON payloads); b"" when neither is given."""
    raw = item.get("content")
    if raw is not None and not isinstance(raw, bytes | bytearray):
        raise PostValidationError(f"{name}.content", "must be bytes (in JSON use content_base64 or path)")
    encoded = item.get("content_base64")
    if encoded is None:
        return bytes(raw or b"")
    if raw is not None:
        raise PostValidationError(name, "give content or content_base64, not both")
    if not isinstance(encoded, str):
        raise PostValidationError(f"{name}.content_base64", "must be a string")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise PostValidationError(f"{name}.content_base64", "is not valid base64") from None


def post_from_mapping(raw: Any, *, max_text_chars: int = MAX_TEXT_CHARS, now: datetime | None = None) -> Post:
    """Build a validated ``Post`` from a JSON-like mapping (the CLI's JSONL lines, API payloads)."""
    if not isinstance(raw, Mapping):
        raise PostValidationError("post", f"must be a JSON object, got {type(raw).__name__}")
    post = Post(
        post_id=_require_str(raw, "post_id", required=True),
        institution_id=_require_str(raw, "institution_id", required=True),
        platform=_require_str(raw, "platform", required=True).lower(),
        text=_require_str(raw, "text", required=True),
        author_id=_require_str(raw, "author_id", required=False),
        attachments=_attachments(raw.get("attachments")),
        created_at=_require_str(raw, "created_at", required=False),
        consent_reference=_require_str(raw, "consent_reference", required=False),
        metadata=_str_map(raw.get("metadata"), "metadata"),
        scheduled_publish_at=_require_str(raw, "scheduled_publish_at", required=False),
    )
    return validate_post(post, max_text_chars=max_text_chars, now=now)


def validate_post(post: Post, *, max_text_chars: int = MAX_TEXT_CHARS, now: datetime | None = None) -> Post:
    """Check a ``Post`` (from any transport) and return it unchanged, or raise ``PostValidationError``.

    Every field is bounded; messages name the field and the limit and never quote a value. ``now``
    (default: the clock) is what ``created_at`` may not be far ahead of.
    """
    for name in REQUIRED_FIELDS:
        if not getattr(post, name):
            raise PostValidationError(name, "is required and must be a non-empty string")
    _check_id("post_id", post.post_id)
    _check_id("institution_id", post.institution_id)
    if post.author_id:
        _check_id("author_id", post.author_id)
    if post.consent_reference:
        _check_id("consent_reference", post.consent_reference, _CONSENT_REFERENCE, CONSENT_REFERENCE_CHARS)
    if post.platform not in PLATFORMS:
        raise PostValidationError(
            "platform", f"unknown platform; expected one of {', '.join(sorted(PLATFORMS))}"
        )
    _check_text(post.text, max_chars=max_text_chars)
    if post.created_at:
        _check_created_at(post.created_at, now)
    if post.scheduled_publish_at:
        _check_scheduled_publish_at(post.scheduled_publish_at)
    _check_string_map(
        "metadata",
        post.metadata,
        entries=MAX_POST_METADATA_ENTRIES,
        key_chars=MAX_POST_METADATA_KEY_CHARS,
        value_chars=MAX_POST_METADATA_VALUE_CHARS,
        total_bytes=MAX_POST_METADATA_BYTES,
    )
    if len(post.attachments) > MAX_ATTACHMENTS:
        raise PostValidationError(
            "attachments", f"has {len(post.attachments)} items; the limit is {MAX_ATTACHMENTS}"
        )
    for index, attachment in enumerate(post.attachments):
        _check_attachment(index, attachment)
    _check_images(post.attachments)
    return post
