"""Domain objects <-> protobuf messages, and the bytes on Kafka topics (values protobuf, keys post_id)."""

from __future__ import annotations

from typing import TypeVar

from google.protobuf.message import DecodeError as _ProtobufDecodeError
from google.protobuf.message import Message

from postguard.domain.types import (
    Attachment,
    Category,
    Decision,
    Finding,
    Post,
    ReviewAction,
    ReviewStamp,
    StageResult,
    Verdict,
)
from postguard.v1 import deadletter_pb2, decision_pb2, finding_pb2, post_pb2

_M = TypeVar("_M", bound=Message)


class DecodeError(ValueError):
    """Bytes that are not the expected message. The message says what and where, never post text."""

    def __init__(self, message_type: str, detail: str) -> None:
        super().__init__(f"cannot decode {message_type}: {detail}")
        self.message_type = message_type


# --- posts -------------------------------------------------------------------------------------------


def post_to_proto(post: Post) -> post_pb2.Post:
    """A domain ``Post`` as a ``postguard.v1.Post``."""
    return post_pb2.Post(
        post_id=post.post_id,
        institution_id=post.institution_id,
        author_id=post.author_id,
        platform=post.platform,
        text=post.text,
        attachments=[
            post_pb2.Attachment(
                attachment_id=a.attachment_id,
                media_type=a.media_type,
                uri=a.uri,
                alt_text=a.alt_text,
                metadata=dict(a.metadata),
                content=a.content,
            )
            for a in post.attachments
        ],
        created_at=post.created_at,
        consent_reference=post.consent_reference,
        metadata=dict(post.metadata),
        scheduled_publish_at=post.scheduled_publish_at,
    )


def post_from_proto(msg: post_pb2.Post) -> Post:
    """A ``postguard.v1.Post`` as a domain ``Post`` (not validated: see ``validate_post``).

    The platform is lower-cased, as ``post_from_mapping`` does for JSON input.
    """
    return Post(
        post_id=msg.post_id,
        institution_id=msg.institution_id,
        platform=msg.platform.lower(),
        text=msg.text,
        author_id=msg.author_id,
        attachments=tuple(
            Attachment(
                attachment_id=a.attachment_id,
                media_type=a.media_type,
                uri=a.uri,
                alt_text=a.alt_text,
                metadata=dict(a.metadata),
                content=bytes(a.content),
            )
            for a in msg.attachments
        ),
        created_at=msg.created_at,
        consent_reference=msg.consent_reference,
        metadata=dict(msg.metadata),
        scheduled_publish_at=msg.scheduled_publish_at,
    )


# --- findings and stage results ----------------------------------------------------------------------


def finding_to_proto(finding: Finding) -> finding_pb2.Finding:
    """A domain ``Finding`` as a ``postguard.v1.Finding``."""
    return finding_pb2.Finding(
        category=finding_pb2.Category.Value(str(finding.category)),
        label=finding.label,
        start=finding.start,
        end=finding.end,
        confidence=finding.confidence,
        detector=finding.detector,
        reason=finding.reason,
        suggestion=finding.suggestion,
        attachment_id=finding.attachment_id,
        field=finding.field,
        attributes=dict(finding.attributes),
    )


def finding_from_proto(msg: finding_pb2.Finding) -> Finding:
    """A ``postguard.v1.Finding`` as a domain ``Finding``; raises ``DecodeError`` on a missing category."""
    if msg.category == finding_pb2.CATEGORY_UNSPECIFIED:
        raise DecodeError("Finding", f"category is unspecified (label {msg.label[:64]!r})")
    if msg.start < 0 or msg.end < msg.start:
        raise DecodeError("Finding", f"bad span [{msg.start}, {msg.end})")
    return Finding(
        category=Category(finding_pb2.Category.Name(msg.category)),
        label=msg.label,
        start=msg.start,
        end=msg.end,
        confidence=msg.confidence,
        detector=msg.detector,
        reason=msg.reason,
        suggestion=msg.suggestion,
        attachment_id=msg.attachment_id,
        field=msg.field,
        attributes=tuple(sorted(msg.attributes.items())),
    )


def stage_result_to_proto(result: StageResult) -> finding_pb2.StageResult:
    """A domain ``StageResult`` as a ``postguard.v1.StageResult``."""
    return finding_pb2.StageResult(
        post_id=result.post_id,
        institution_id=result.institution_id,
        stage=result.stage,
        findings=[finding_to_proto(f) for f in result.findings],
        ok=result.ok,
        error=result.error,
        duration_seconds=result.duration_seconds,
        text_sha256=result.text_sha256,
        redacted_attachments=dict(result.redacted_attachments),
    )


def stage_result_from_proto(msg: finding_pb2.StageResult) -> StageResult:
    """A ``postguard.v1.StageResult`` as a domain ``StageResult``."""
    if not msg.post_id:
        raise DecodeError("StageResult", "post_id is empty")
    if not msg.stage:
        raise DecodeError("StageResult", "stage is empty")
    return StageResult(
        post_id=msg.post_id,
        stage=msg.stage,
        findings=tuple(finding_from_proto(f) for f in msg.findings),
        ok=msg.ok,
        error=msg.error,
        duration_seconds=msg.duration_seconds,
        institution_id=msg.institution_id,
        text_sha256=msg.text_sha256,
        redacted_attachments=tuple(sorted(msg.redacted_attachments.items())),
    )


# --- decisions ---------------------------------------------------------------------------------------


def decision_to_proto(decision: Decision) -> decision_pb2.Decision:
    """A domain ``Decision`` as a ``postguard.v1.Decision``."""
    return decision_pb2.Decision(
        post_id=decision.post_id,
        institution_id=decision.institution_id,
        verdict=decision_pb2.Verdict.Value(str(decision.verdict)),
        findings=[finding_to_proto(f) for f in decision.findings],
        reasons=list(decision.reasons),
        redacted_text=decision.redacted_text,
        policy_id=decision.policy_id,
        policy_version=decision.policy_version,
        timings=dict(decision.timings),
        text_sha256=decision.text_sha256,
        decided_at=decision.decided_at,
        incomplete_stages=list(decision.incomplete_stages),
        version=decision.version,
        provisional=decision.provisional,
        reidentification_risk=decision.reidentification_risk,
        risk_details=list(decision.risk_details),
        redacted_attachments=dict(decision.redacted_attachments),
        author_id=decision.author_id,
        review_deadline=decision.review_deadline,
        review=_review_to_proto(decision.review),
    )


def _review_to_proto(review: ReviewStamp | None) -> decision_pb2.ReviewStamp | None:
    if review is None:
        return None
    return decision_pb2.ReviewStamp(
        action=str(review.action),
        reviewer=review.reviewer,
        note=review.note,
        reviewed_at=review.reviewed_at,
        based_on_version=review.based_on_version,
    )


def _review_from_proto(msg: decision_pb2.Decision) -> ReviewStamp | None:
    if not msg.HasField("review"):
        return None
    try:
        action = ReviewAction(msg.review.action)
    except ValueError:
        raise DecodeError("Decision", f"unknown review action {msg.review.action[:64]!r}") from None
    return ReviewStamp(
        action=action,
        reviewer=msg.review.reviewer,
        reviewed_at=msg.review.reviewed_at,
        note=msg.review.note,
        based_on_version=msg.review.based_on_version or 1,
    )


def decision_from_proto(msg: decision_pb2.Decision) -> Decision:
    """A ``postguard.v1.Decision`` as a domain ``Decision``; raises ``DecodeError`` without a verdict."""
    if msg.verdict == decision_pb2.VERDICT_UNSPECIFIED:
        raise DecodeError("Decision", f"verdict is unspecified (post_id {msg.post_id[:128]!r})")
    return Decision(
        post_id=msg.post_id,
        institution_id=msg.institution_id,
        verdict=Verdict(decision_pb2.Verdict.Name(msg.verdict)),
        findings=tuple(finding_from_proto(f) for f in msg.findings),
        reasons=tuple(msg.reasons),
        redacted_text=msg.redacted_text,
        policy_id=msg.policy_id,
        policy_version=msg.policy_version,
        text_sha256=msg.text_sha256,
        timings=dict(msg.timings),
        incomplete_stages=tuple(msg.incomplete_stages),
        decided_at=msg.decided_at,
        version=msg.version or 1,
        provisional=msg.provisional,
        reidentification_risk=msg.reidentification_risk,
        risk_details=tuple(msg.risk_details),
        redacted_attachments=tuple(sorted(msg.redacted_attachments.items())),
        author_id=msg.author_id,
        review_deadline=msg.review_deadline,
        review=_review_from_proto(msg),
    )


# --- bytes on the wire -------------------------------------------------------------------------------


def encode(msg: Message | Post | Finding | StageResult | Decision) -> bytes:
    """Serialize a protobuf message (or a domain object, converted first) to deterministic bytes."""
    if isinstance(msg, Post):
        msg = post_to_proto(msg)
    elif isinstance(msg, StageResult):
        msg = stage_result_to_proto(msg)
    elif isinstance(msg, Decision):
        msg = decision_to_proto(msg)
    elif isinstance(msg, Finding):
        msg = finding_to_proto(msg)
    # Deterministic: map fields (timings, metadata) in a fixed order, so a re-emitted decision is
    # byte-identical to the first one.
    return msg.SerializeToString(deterministic=True)


def encode_key(post_id: str) -> bytes:
    """The Kafka key of every message about a post: its id, UTF-8."""
    return post_id.encode("utf-8")


def decode_key(key: bytes | None) -> str:
    """A Kafka key back to a post id ('' when absent or not UTF-8)."""
    if not key:
        return ""
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _parse(cls: type[_M], data: bytes | None) -> _M:
    name = cls.DESCRIPTOR.name
    if data is None:
        raise DecodeError(name, "the message has no value (tombstone)")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(name, f"expected bytes, got {type(data).__name__}")
    msg = cls()
    try:
        msg.ParseFromString(bytes(data))
    except _ProtobufDecodeError as exc:
        # protobuf's messages name the field and the problem (e.g. invalid UTF-8), not the content.
        raise DecodeError(name, f"{len(data)} bytes are not a valid {name} ({exc})") from None
    return msg


def decode_post_proto(data: bytes | None) -> post_pb2.Post:
    """Bytes -> ``postguard.v1.Post`` or ``DecodeError``."""
    return _parse(post_pb2.Post, data)


def decode_post(data: bytes | None) -> Post:
    """Bytes from postguard.posts.v1 -> domain ``Post`` (not yet validated) or ``DecodeError``."""
    return post_from_proto(decode_post_proto(data))


def decode_stage_result(data: bytes | None) -> StageResult:
    """Bytes from postguard.findings.v1 -> domain ``StageResult`` or ``DecodeError``."""
    return stage_result_from_proto(_parse(finding_pb2.StageResult, data))


def decode_decision(data: bytes | None) -> Decision:
    """Bytes from postguard.decisions.v1 -> domain ``Decision`` or ``DecodeError``."""
    return decision_from_proto(_parse(decision_pb2.Decision, data))


def decode_deadletter(data: bytes | None) -> deadletter_pb2.DeadLetter:
    """Bytes from postguard.deadletter.v1 -> ``postguard.v1.DeadLetter`` or ``DecodeError``."""
    return _parse(deadletter_pb2.DeadLetter, data)


def deadletter(
    *,
    source_topic: str,
    service: str,
    reason: str,
    error: str,
    payload: bytes | None,
    key: bytes | str | None = None,
    partition: int = -1,
    offset: int = -1,
) -> deadletter_pb2.DeadLetter:
    """Build the dead-letter envelope for a message that could not be processed."""
    key_str = key if isinstance(key, str) else decode_key(key)
    return deadletter_pb2.DeadLetter(
        source_topic=source_topic,
        partition=partition,
        offset=offset,
        service=service,
        reason=reason,
        error=error,
        payload=bytes(payload or b""),
        key=key_str,
    )
