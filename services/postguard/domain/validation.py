"""Validation of incoming posts: turns raw mappings into ``Post`` or raises a precise error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from postguard.domain.types import PLATFORMS, Attachment, Post

MAX_TEXT_CHARS = 10_000
"""Longest post text accepted (characters). Longer posts are refused, never truncated."""

MAX_ID_CHARS = 128
MAX_ATTACHMENTS = 20
MAX_ALT_TEXT_CHARS = 1_000
"""Longest attachment alt text (X's limit; other platforms allow less)."""
MAX_METADATA_ENTRIES = 200
"""Most metadata tags per attachment (a full DICOM header exported as text has ~150)."""
MAX_METADATA_KEY_CHARS = 128
MAX_METADATA_VALUE_CHARS = 2_000
REQUIRED_FIELDS = ("post_id", "institution_id", "platform", "text")


class PostValidationError(ValueError):
    """A post was refused. ``field`` names the offending field; the message never quotes post text."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


def _require_str(raw: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise PostValidationError(name, "is required and must be a non-empty string")
        return ""
    if not isinstance(value, str):
        raise PostValidationError(name, f"must be a string, got {type(value).__name__}")
    return value


def _check_id(name: str, value: str) -> None:
    if len(value) > MAX_ID_CHARS:
        raise PostValidationError(name, f"is {len(value)} characters long; the limit is {MAX_ID_CHARS}")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise PostValidationError(name, "must not contain whitespace or control characters")


def _check_text(text: str, *, max_chars: int) -> None:
    if not text.strip():
        raise PostValidationError("text", "is empty (only whitespace)")
    if len(text) > max_chars:
        raise PostValidationError("text", f"is {len(text)} characters long; the limit is {max_chars}")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise PostValidationError("text", "contains lone UTF-16 surrogates (not valid UTF-8 text)")
    if "\x00" in text:
        raise PostValidationError("text", "contains NUL characters")


def _check_clean(name: str, value: str) -> None:
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise PostValidationError(name, "contains lone UTF-16 surrogates (not valid UTF-8 text)")
    if "\x00" in value:
        raise PostValidationError(name, "contains NUL characters")


def _check_attachment(index: int, attachment: Attachment) -> None:
    """Size limits on what is screened with an attachment; messages name keys by position, not value."""
    name = f"attachments[{index}]"
    if attachment.attachment_id:
        _check_id(f"{name}.attachment_id", attachment.attachment_id)
    if len(attachment.alt_text) > MAX_ALT_TEXT_CHARS:
        raise PostValidationError(
            f"{name}.alt_text",
            f"is {len(attachment.alt_text)} characters long; the limit is {MAX_ALT_TEXT_CHARS}",
        )
    _check_clean(f"{name}.alt_text", attachment.alt_text)
    meta = attachment.metadata
    if len(meta) > MAX_METADATA_ENTRIES:
        raise PostValidationError(
            f"{name}.metadata", f"has {len(meta)} entries; the limit is {MAX_METADATA_ENTRIES}"
        )
    for position, (key, value) in enumerate(meta.items()):
        if not key.strip() or len(key) > MAX_METADATA_KEY_CHARS:
            raise PostValidationError(
                f"{name}.metadata",
                f"key #{position} is {len(key.strip())} characters long; keys must have 1 to "
                f"{MAX_METADATA_KEY_CHARS}",
            )
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise PostValidationError(
                f"{name}.metadata",
                f"value of key #{position} is {len(value)} characters long; the limit is "
                f"{MAX_METADATA_VALUE_CHARS}",
            )
        _check_clean(f"{name}.metadata", key + value)


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
            )
        )
    return tuple(out)


def post_from_mapping(raw: Any, *, max_text_chars: int = MAX_TEXT_CHARS) -> Post:
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
    )
    return validate_post(post, max_text_chars=max_text_chars)


def validate_post(post: Post, *, max_text_chars: int = MAX_TEXT_CHARS) -> Post:
    """Check a ``Post`` (from any transport) and return it unchanged, or raise ``PostValidationError``."""
    for name in REQUIRED_FIELDS:
        if not getattr(post, name):
            raise PostValidationError(name, "is required and must be a non-empty string")
    _check_id("post_id", post.post_id)
    _check_id("institution_id", post.institution_id)
    if post.author_id:
        _check_id("author_id", post.author_id)
    if post.platform not in PLATFORMS:
        raise PostValidationError(
            "platform", f"unknown platform {post.platform[:32]!r}; expected one of {sorted(PLATFORMS)}"
        )
    _check_text(post.text, max_chars=max_text_chars)
    if len(post.attachments) > MAX_ATTACHMENTS:
        raise PostValidationError(
            "attachments", f"has {len(post.attachments)} items; the limit is {MAX_ATTACHMENTS}"
        )
    for index, attachment in enumerate(post.attachments):
        _check_attachment(index, attachment)
    return post
