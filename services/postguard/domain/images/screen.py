"""The image-screening stage: what is in a post's attached images, as findings, and a redacted copy.

For every attachment that carries bytes (``Attachment.content``) it decodes the image (``decode``),
reads the metadata in the bytes (``metadata``: EXIF, XMP, IPTC, DICOM header), reads the burned-in text
of every frame (``ocr``) and looks for faces (``faces``). The read text goes through the same identifier
recognizers and content rules as a post's text, read as a picture's labels (``picture_text``).
Findings carry the attachment's id and a ``field``:
``"ocr"`` (spans index the text read from frame 0; ``"ocr:frame<N>"`` for later frames), ``"pixels"``
for a face, ``"metadata:<FAMILY>:<tag>"`` for a tag; OCR and face findings carry the pixel ``box``
attribute ("left,top,width,height"). A picture whose read text names several kinds of identifier is
also a ``RECORD_IMAGE`` (a screenshot of a record, a whiteboard, a wristband).

For each attachment with a finding, the screener also makes a redacted copy: every identifying word and
face filled, all metadata dropped (fresh pixels only). Nothing here logs or raises with image content.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from postguard.domain.images.decode import (
    DecodedImage,
    ImageLimits,
    ImageRejected,
    decode_image,
    inspect_image,
)
from postguard.domain.images.faces import FaceDetector
from postguard.domain.images.geometry import Box, box_attr, union
from postguard.domain.images.metadata import free_text_entries, metadata_findings, read_metadata
from postguard.domain.images.ocr import OcrText, TesseractOcr
from postguard.domain.images.picture_text import as_picture_text, identifier, is_clinical
from postguard.domain.images.redact import encode_without_metadata, redact_image
from postguard.domain.types import (
    IMAGE_SCREENING_STAGE,
    Attachment,
    Category,
    ContentLabel,
    Finding,
    IdentifierLabel,
    Post,
)

TextDetector = Callable[[Sequence[str]], list[list[Finding]]]
"""Findings per plain text (the identifier recognizers, or the content rules)."""

OCR_FIELD = "ocr"
PIXELS_FIELD = "pixels"
FACE_DETECTOR = "image-faces"
RECORD_DETECTOR = "image-record"
FACE_CONFIDENCE = 0.9
RECORD_CONFIDENCE = 0.9
RECORD_MIN_LABELS = 3
"""A picture whose read text has this many kinds of identifier (name, date, record number...) at the
usual 0.5 bar is a picture of a record, whatever each finding's own fate under the policy."""
REDACT_MIN_CONFIDENCE = 0.35
"""Read words are covered in the redacted copy from this confidence: a copy covers more than the
policy acts on (an unneeded box costs little; a missed name is a breach)."""
_NOT_FROM_PICTURES = frozenset({ContentLabel.MISSING_DISCLAIMER})
"""Content labels about the post as a whole: a picture's text does not need its own disclaimer."""


@dataclass(frozen=True, slots=True)
class ImageReport:
    """What the stage found in one post's images, and the redacted copies of the images it flagged."""

    findings: tuple[Finding, ...] = ()
    redacted: tuple[tuple[str, bytes], ...] = ()
    """(attachment_id, image bytes without the flagged text, faces or any metadata)."""


@dataclass(slots=True)
class _Image:
    """One attachment being screened: its decoded frames and what was read from them."""

    post_index: int
    key: str
    attachment: Attachment
    decoded: DecodedImage
    texts: list[OcrText]
    faces: list[list[Box]]
    findings: list[Finding]


def attachment_key(attachment: Attachment, index: int) -> str:
    """The attachment's id, or its position when the platform sent none (as the text stage names it)."""
    return attachment.attachment_id or f"attachment[{index}]"


def ocr_field(frame: int) -> str:
    """The ``field`` of findings on the text read from ``frame``."""
    return OCR_FIELD if frame == 0 else f"{OCR_FIELD}:frame{frame}"


def pixels_field(frame: int) -> str:
    """The ``field`` of face findings on ``frame``."""
    return PIXELS_FIELD if frame == 0 else f"{PIXELS_FIELD}:frame{frame}"


class ImageScreener:
    """Screens attachment images; ``screen_batch`` is the image-screening stage function."""

    name = IMAGE_SCREENING_STAGE

    def __init__(
        self,
        detect_texts: TextDetector,
        classify_texts: TextDetector | None = None,
        *,
        ocr: TesseractOcr | None = None,
        faces: FaceDetector | None = None,
        limits: ImageLimits | None = None,
    ) -> None:
        self.detect_texts = detect_texts
        self.classify_texts = classify_texts
        self.ocr = ocr or TesseractOcr()
        self.faces = faces or FaceDetector()
        self.limits = limits or ImageLimits()

    @classmethod
    def default(cls, identifiers: object | None = None, advice: object | None = None) -> ImageScreener:
        """The shipped screener over the given (or rules-only) identifier detector and the content rules.

        Read text is screened by the content rules alone, whatever ``advice`` carries: the trained text
        model is calibrated on whole staff posts, and the words OCR reads off charts and photos (axis
        labels, stray letters) are another genre on which its probabilities mean nothing."""
        from postguard.domain.advice import AdviceClassifier
        from postguard.domain.identifiers import IdentifierDetector

        detector = identifiers if isinstance(identifiers, IdentifierDetector) else IdentifierDetector()
        rules = AdviceClassifier(text_model=None)  # ``advice``'s rules are this shared engine; no text model
        if isinstance(advice, AdviceClassifier) and advice.text_model is None:
            rules = advice
        return cls(detector.detect_texts, content_rules(rules))

    def refusal(self, stage: str, post: Post) -> str | None:
        """Why ``post``'s images cannot be screened (a header over the limits, an unknown format), else
        None: the budget check ``run_stage`` applies before any work. Names sizes and types only."""
        for index, attachment in enumerate(post.attachments):
            if not attachment.has_content:
                continue
            try:
                inspect_image(attachment.content, self.limits)
            except ImageRejected as exc:
                return f"{stage}: attachment {index}: {exc}"
        return None

    def screen_batch(self, posts: Sequence[Post]) -> list[list[Finding]]:
        """Findings per post, on its images only (a post without image bytes gets none)."""
        return [list(report.findings) for report in self.screen_posts(posts)]

    def screen_posts(self, posts: Sequence[Post]) -> list[ImageReport]:
        """Findings and redacted copies per post. Raises ``ImageRejected`` for an unreadable image and
        ``OcrUnavailable`` when OCR cannot run: the stage then fails closed."""
        images = [self._read(i, post) for i, post in enumerate(posts)]
        flat = [image for group in images for image in group]
        self._text_findings(flat)
        reports: list[ImageReport] = []
        for index in range(len(posts)):
            mine = [image for image in flat if image.post_index == index]
            findings = tuple(f for image in mine for f in image.findings)
            redacted = tuple((image.key, self._redacted(image)) for image in mine if image.findings)
            reports.append(ImageReport(findings, redacted))
        return reports

    # -- reading ---------------------------------------------------------------------------------

    def _read(self, post_index: int, post: Post) -> list[_Image]:
        """Decode, metadata, OCR and faces for each of ``post``'s attachments with bytes."""
        images = []
        for index, attachment in enumerate(post.attachments):
            if not attachment.has_content:
                continue
            key = attachment_key(attachment, index)
            decoded = decode_image(attachment.content, self.limits)
            entries = read_metadata(attachment.content, decoded)
            texts = [self.ocr.read(frame) for frame in decoded.frames]
            faces = [[face.box for face in self.faces.detect(frame)] for frame in decoded.frames]
            found = [*metadata_findings(entries, key), *_face_findings(key, faces)]
            image = _Image(post_index, key, attachment, decoded, texts, faces, found)
            image.findings.extend(self._metadata_text(image, free_text_entries(entries)))
            images.append(image)
        return images

    def _metadata_text(self, image: _Image, entries: Sequence[tuple[str, str]]) -> list[Finding]:
        """Identifiers in free-text metadata (comments, descriptions) of one image."""
        if not entries:
            return []
        found = self.detect_texts([text for _, text in entries])
        return [
            replace(
                f,
                attachment_id=image.key,
                field=field,
                reason=f"Image metadata ({field.removeprefix('metadata:')}) text: {f.reason}",
                suggestion="Strip the image's metadata before posting (PostGuard's redacted copy has none)",
            )
            for (field, _), findings in zip(entries, found, strict=True)
            for f in findings
        ]

    def _text_findings(self, images: Sequence[_Image]) -> None:
        """Identifier and content findings on every frame's read text, in one detector call each."""
        jobs = [
            (image, frame, text) for image in images for frame, text in enumerate(image.texts) if text.text
        ]
        if not jobs:
            return
        texts = [text.text for _, _, text in jobs]
        identifiers = self.detect_texts(texts)
        content = self.classify_texts(texts) if self.classify_texts else [[] for _ in texts]
        for (image, frame, text), ids, cues in zip(jobs, identifiers, content, strict=True):
            clinical = is_clinical(image.decoded.frames[frame], image.decoded.format)
            ids = as_picture_text(ids, text.text, clinical)
            read = [_located(f, image.key, frame, text) for f in ids]
            read += [_located(f, image.key, frame, text) for f in cues if f.label not in _NOT_FROM_PICTURES]
            image.findings.extend(read)
            record = _record_finding(image.key, frame, text, ids)
            if record is not None:
                image.findings.append(record)

    # -- redaction -------------------------------------------------------------------------------

    def _redacted(self, image: _Image) -> bytes:
        """Frame 0 with every identifying read word and face filled, re-encoded without metadata."""
        boxes = list(image.faces[0]) if image.faces else []
        text = image.texts[0] if image.texts else None
        if text is not None:
            for f in image.findings:
                if _covered(f):
                    boxes.extend(text.boxes_for(f.start, f.end))
        clean = redact_image(image.decoded.frames[0], boxes)
        return encode_without_metadata(clean, "JPEG" if image.decoded.format == "JPEG" else "PNG")


def content_rules(classifier: object) -> TextDetector:
    """The content classifier as a plain-text detector (each text screened as a post of its own)."""

    def classify(texts: Sequence[str]) -> list[list[Finding]]:
        posts = [
            Post(post_id=f"ocr-{i}", institution_id="", platform="other", text=t) for i, t in enumerate(texts)
        ]
        return classifier.classify_batch(posts)  # type: ignore[attr-defined]

    return classify


def _covered(finding: Finding) -> bool:
    """Whether the redacted copy covers ``finding``: identifiers read from frame 0 over the copy's bar."""
    return (
        finding.field == OCR_FIELD
        and finding.category == Category.IDENTIFIER
        and finding.confidence >= REDACT_MIN_CONFIDENCE
    )


def _located(finding: Finding, key: str, frame: int, text: OcrText) -> Finding:
    """A text finding moved onto an image's read text, with the pixel box of the words it covers."""
    boxes = text.boxes_for(finding.start, finding.end)
    attributes = dict(finding.attributes)
    if boxes:
        attributes["box"] = box_attr(union(boxes))
    return replace(
        finding,
        attachment_id=key,
        field=ocr_field(frame),
        attributes=tuple(sorted(attributes.items())),
        reason=f"Text in the image: {finding.reason}",
        suggestion="Cover or crop that text in the image (PostGuard's redacted copy covers it)",
    )


def _face_findings(key: str, faces: Sequence[Sequence[Box]]) -> list[Finding]:
    """One FACE finding per face on each frame."""
    return [
        identifier(
            IdentifierLabel.FACE,
            0,
            0,
            FACE_CONFIDENCE,
            FACE_DETECTOR,
            attachment_id=key,
            field=pixels_field(frame),
            attributes=(("box", box_attr(box)),),
        )
        for frame, boxes in enumerate(faces)
        for box in boxes
    ]


def _record_finding(key: str, frame: int, text: OcrText, found: Sequence[Finding]) -> Finding | None:
    """RECORD_IMAGE over the whole read text when it names ``RECORD_MIN_LABELS`` kinds of identifier."""
    labels = {f.label for f in found if f.category == Category.IDENTIFIER and f.confidence >= 0.5}
    if len(labels) < RECORD_MIN_LABELS or not text.words:
        return None
    return identifier(
        IdentifierLabel.RECORD_IMAGE,
        0,
        len(text.text),
        RECORD_CONFIDENCE,
        RECORD_DETECTOR,
        attachment_id=key,
        field=ocr_field(frame),
        attributes=(("box", box_attr(union([w.box for w in text.words]))), ("kinds", str(len(labels)))),
    )
