"""Domain types shared by every stage: posts, findings, verdicts and decisions."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field


class Category(enum.StrEnum):
    """What kind of problem a finding is."""

    IDENTIFIER = "IDENTIFIER"
    CONTENT = "CONTENT"


class Verdict(enum.StrEnum):
    """Screening outcome; ``severity`` orders them BLOCK > REVIEW > ALLOW_WITH_CHANGES > ALLOW."""

    ALLOW = "ALLOW"
    ALLOW_WITH_CHANGES = "ALLOW_WITH_CHANGES"
    REVIEW = "REVIEW"
    BLOCK = "BLOCK"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @classmethod
    def most_severe(cls, verdicts: list[Verdict] | tuple[Verdict, ...]) -> Verdict:
        """The strictest of ``verdicts`` (ALLOW when empty)."""
        return max(verdicts, key=lambda v: v.severity, default=cls.ALLOW)


_SEVERITY = {Verdict.ALLOW: 0, Verdict.ALLOW_WITH_CHANGES: 1, Verdict.REVIEW: 2, Verdict.BLOCK: 3}


class IdentifierLabel(enum.StrEnum):
    """Labels of IDENTIFIER findings (HIPAA Safe Harbor identifiers and more)."""

    PERSON = "PERSON"
    DATE = "DATE"
    AGE = "AGE"
    LOCATION = "LOCATION"
    FACILITY = "FACILITY"
    PHONE = "PHONE"
    FAX = "FAX"
    EMAIL = "EMAIL"
    URL = "URL"
    IP_ADDRESS = "IP_ADDRESS"
    SSN = "SSN"
    MEDICAL_RECORD_NUMBER = "MEDICAL_RECORD_NUMBER"
    HEALTH_PLAN_NUMBER = "HEALTH_PLAN_NUMBER"
    ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
    LICENSE_NUMBER = "LICENSE_NUMBER"
    VEHICLE_ID = "VEHICLE_ID"
    DEVICE_ID = "DEVICE_ID"
    QUASI_IDENTIFIER = "QUASI_IDENTIFIER"
    FACE = "FACE"  # a full-face photograph (HIPAA Safe Harbor identifier (Q)), found in an image's pixels
    RECORD_IMAGE = "RECORD_IMAGE"  # a picture of a record or screen: its read text is dense with identifiers


class ContentLabel(enum.StrEnum):
    """Labels of CONTENT findings (conduct and advice)."""

    PERSONAL_ADVICE = "PERSONAL_ADVICE"
    PATIENT_SOLICITATION = "PATIENT_SOLICITATION"
    UNSUPPORTED_CLAIM = "UNSUPPORTED_CLAIM"
    UNPROFESSIONAL = "UNPROFESSIONAL"
    UNDISCLOSED_PROMOTION = "UNDISCLOSED_PROMOTION"
    MISSING_DISCLAIMER = "MISSING_DISCLAIMER"
    CARE_CONFIRMATION = "CARE_CONFIRMATION"  # confirms or implies that an identifiable person was a patient
    POLITICS_OR_RANT = "POLITICS_OR_RANT"  # partisan politics or a personal rant: lower severity than conduct


PLATFORMS: frozenset[str] = frozenset(
    {"x", "linkedin", "instagram", "tiktok", "youtube", "facebook", "other"}
)
"""Platforms a post may target (lower case)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A media item carried by a post: its alt text, the metadata the platform extracted and, when the
    platform sends them, the image's bytes (``content``: JPEG, PNG, WebP, TIFF, HEIC or DICOM), which the
    image-screening stage reads (burned-in text, metadata in the bytes, faces)."""

    attachment_id: str = ""
    media_type: str = ""
    uri: str = ""
    alt_text: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def has_content(self) -> bool:
        """True when the attachment carries image bytes for the image-screening stage."""
        return bool(self.content)


@dataclass(frozen=True, slots=True)
class Post:
    """A staff post submitted for screening."""

    post_id: str
    institution_id: str
    platform: str
    text: str
    author_id: str = ""
    attachments: tuple[Attachment, ...] = ()
    created_at: str = ""
    consent_reference: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    scheduled_publish_at: str = ""
    """RFC 3339: when the platform means to publish; a held post's review deadline is this minus a margin."""

    @property
    def text_sha256(self) -> str:
        """Hex SHA-256 of the text: lets the audit trail prove what was screened without keeping it."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a post: ``text[start:end]`` is the span it covers.

    When ``attachment_id`` is set the finding is about that attachment and ``start``/``end`` index the
    value of ``field`` ("alt_text" or "metadata:<tag>"), not ``post.text``. ``attributes`` are named
    facts about the finding that are not text of the post: a name's ``role`` (patient, staff, public),
    the calendar ``resolved_date`` a relative date points to, a link's ``link_kind``, a number's
    ``region``. Sorted (name, value) pairs, so a finding stays hashable.
    """

    category: Category
    label: str
    start: int
    end: int
    confidence: float
    detector: str
    reason: str
    suggestion: str = ""
    attachment_id: str = ""
    field: str = ""
    attributes: tuple[tuple[str, str], ...] = ()

    def attribute(self, name: str, default: str = "") -> str:
        """The value of attribute ``name`` (``default`` when the finding has none)."""
        return dict(self.attributes).get(name, default)

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def in_text(self) -> bool:
        """True when the span indexes ``post.text`` (not an attachment's alt text or metadata)."""
        return not self.attachment_id and not self.field

    def overlaps(self, other: Finding) -> bool:
        """Spans overlap within the same text (post text, or the same attachment field)."""
        return (
            self.attachment_id == other.attachment_id
            and self.field == other.field
            and self.start < other.end
            and other.start < self.end
        )


class ReviewAction(enum.StrEnum):
    """What a person (or the review deadline) did with a held post."""

    APPROVE = "approve"
    APPROVE_WITH_EDITS = "approve_with_edits"
    REJECT = "reject"
    ESCALATE = "escalate"
    DEADLINE_MISSED = "deadline_missed"


@dataclass(frozen=True, slots=True)
class ReviewStamp:
    """Who decided a held post, how and why; carried by the decision version that person made."""

    action: ReviewAction
    reviewer: str
    reviewed_at: str
    note: str = ""
    based_on_version: int = 1


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of screening one post under one policy."""

    post_id: str
    institution_id: str
    verdict: Verdict
    findings: tuple[Finding, ...]
    reasons: tuple[str, ...]
    redacted_text: str
    policy_id: str
    policy_version: str
    text_sha256: str
    timings: dict[str, float] = field(default_factory=dict)
    incomplete_stages: tuple[str, ...] = ()
    decided_at: str = ""
    version: int = 1
    provisional: bool = False
    reidentification_risk: float = 0.0
    """0-1: how easily a reader could tell who the patient is from the post's details combined."""
    risk_details: tuple[str, ...] = ()
    """The details behind ``reidentification_risk``, strongest first ("place: postcode (0.40)"); no text."""
    redacted_attachments: tuple[tuple[str, str], ...] = ()
    """(attachment_id, reference) of each image's redacted copy (identifying text and faces filled, all
    metadata stripped), made by image-screening; the platform posts these instead of the originals."""
    author_id: str = ""
    review_deadline: str = ""
    """RFC 3339: by when a reviewer must decide this held post; past it the post is not published."""
    review: ReviewStamp | None = None
    """Set on a version made by a reviewer (or by a missed deadline); None on automatic decisions."""

    @property
    def identity(self) -> tuple[str, str, str]:
        """(institution_id, post_id, text_sha256): what a decision belongs to."""
        return (self.institution_id, self.post_id, self.text_sha256)


class StageName(enum.StrEnum):
    """The two detection stages whose findings the policy joins."""

    IDENTIFIER_DETECTION = "identifier-detection"
    ADVICE_CLASSIFICATION = "advice-classification"


IMAGE_SCREENING_STAGE = "image-screening"
"""The third stage: it screens attachment bytes and reports only for posts that carry some."""


def expected_stages(post: Post) -> tuple[str, ...]:
    """The stages whose results a decision on ``post`` needs: both text stages, and image-screening when
    an attachment carries bytes (a decision without it fails closed as incomplete)."""
    text_stages = tuple(s.value for s in StageName)
    if any(a.has_content for a in post.attachments):
        return (*text_stages, IMAGE_SCREENING_STAGE)
    return text_stages


@dataclass(frozen=True, slots=True)
class StageResult:
    """What one detection stage reported for one post; ``ok=False`` makes the policy fail closed."""

    post_id: str
    stage: str
    findings: tuple[Finding, ...] = ()
    ok: bool = True
    error: str = ""
    duration_seconds: float = 0.0
    institution_id: str = ""
    text_sha256: str = ""
    redacted_attachments: tuple[tuple[str, str], ...] = ()
    """image-screening only: (attachment_id, reference of its redacted copy) pairs, sorted."""
