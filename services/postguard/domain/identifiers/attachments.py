"""Identifiers in what comes with a post's attachments: alt text and extracted EXIF / DICOM metadata.

Pure: no image decoding, no I/O. The comms platform has already extracted the metadata into
``Attachment.metadata`` (tag name -> value), or ``images/metadata.py`` has read it from the image bytes
("EXIF:GPSLatitude", "XMP:dc:creator", "IPTC:By-line", "DICOM:Seq[0].Keyword", "DICOM:(0009,1010)");
this module decides which tags carry an identifier (``classify_tag``, ``tag_finding``).
Findings carry ``attachment_id`` and ``field`` ("alt_text" or "metadata:<tag as given>"); their spans
index that field's value, never ``post.text``. Reasons name the tag, never its value.

DICOM private data elements (odd group, element above 00FF: "(0009,1010)") have no standard meaning:
vendors and PACS put patient names, IDs, ward and protocol notes there. Their meaning cannot be known
from the tag, so a textual value is flagged by tag as QUASI_IDENTIFIER (attribute ``kind`` =
``dicom_private``: a detail for review, not a claim of which identifier it is) and the value also goes
through the text recognizers as free text, which give a precise label when they recognise it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.messages import reason_for, suggestion_for
from postguard.domain.spans import FixedSpans
from postguard.domain.types import Attachment, Category, Finding, IdentifierLabel, Post

TextDetector = Callable[[Sequence[str]], list[list[Finding]]]
"""Runs the identifier text recognizers over many texts at once (one findings list per text)."""

METADATA_DETECTOR = "attachment-metadata"
METADATA_CONFIDENCE = 0.95
ALT_TEXT_FIELD = "alt_text"
METADATA_PREFIX = "metadata:"

_L = IdentifierLabel
_DICOM, _EXIF = "DICOM", "EXIF"
PRIVATE_KIND = ("kind", "dicom_private")
"""The attribute of a DICOM private-tag finding."""

_DATA = rule_file("attachments.yaml")


def _tag_table() -> dict[str, tuple[str, IdentifierLabel]]:
    """Standard tag name -> (family, label), from the ``<family>_<LABEL>`` lists of attachments.yaml."""
    table = {}
    for family in (_DICOM, _EXIF):
        for label in IdentifierLabel:
            entry = f"{family.lower()}_{label}"
            if entry in _DATA.phrases_by_name:
                table.update((name, (family, label)) for name in _DATA.phrases(entry))
    return table


_TAGS: dict[str, tuple[str, IdentifierLabel]] = _tag_table()
"""Identifier-carrying tags; lookup is by the normalised name (see ``classify_tag``)."""
_FREE_TEXT: dict[str, str] = {
    name: family for family in (_EXIF, _DICOM) for name in _DATA.phrases(f"{family.lower()}_free_text")
}
"""Free-text tags: their values go through the same text recognizers as the post."""
_DICOM_HEX: dict[str, str] = dict(item.split() for item in _DATA.phrases("dicom_numeric_tags"))
"""DICOM tags as (group,element) hex, for platforms that export numeric tags."""

_WHAT: dict[str, str] = {
    _L.PERSON: "names a person",
    _L.DATE: "gives a date that can identify the patient",
    _L.AGE: "gives the patient's age",
    _L.LOCATION: "gives a location (address or GPS position)",
    _L.FACILITY: "names the hospital or department",
    _L.PHONE: "gives a phone number",
    _L.MEDICAL_RECORD_NUMBER: "carries a patient or study identifier that links to the record",
    _L.ACCOUNT_NUMBER: "carries an admission or account number",
    _L.HEALTH_PLAN_NUMBER: "carries an insurance plan identifier",
    _L.DEVICE_ID: "carries a device serial number that can be traced",
    _L.EMAIL: "gives an email address",
}
_FIX = {
    _DICOM: (
        "Export a de-identified copy (DICOM de-identification profile) or a plain screenshot before posting"
    ),
    _EXIF: "Strip the photo's metadata before posting (export or save without metadata / location)",
}
_PLACEHOLDERS = _DATA.words("placeholders")
_FAMILIES = frozenset(name.upper() for name in _DATA.words("families"))
_NON_ALNUM = re.compile(r"[^0-9a-z]")
_HEX_TAG = _DATA.regex("hex_tag")
_SEQUENCE_ITEM = _DATA.regex("sequence_item")


@dataclass(frozen=True, slots=True)
class _Tag:
    """A recognised metadata tag: its family, standard name and what kind of field it is."""

    family: str
    name: str
    label: IdentifierLabel | None  # None: a free-text tag


_BY_KEY: dict[str, _Tag] = {
    **{_NON_ALNUM.sub("", n.lower()): _Tag(fam, n, label) for n, (fam, label) in _TAGS.items()},
    **{_NON_ALNUM.sub("", n.lower()): _Tag(fam, n, None) for n, fam in _FREE_TEXT.items()},
}


def _lookup(local: str) -> _Tag | None:
    """The tag a single name stands for: "PatientName", "Patient's Name", "(0010,0010)", "Seq[0]"."""
    item = _SEQUENCE_ITEM.match(local)
    if item:
        local = item.group("sequence")
    hex_match = _HEX_TAG.match(local)
    if hex_match:
        local = _DICOM_HEX.get((hex_match.group(1) + hex_match.group(2)).upper(), "")
    # exiftool prints "Patient's Name" / "GPS Latitude"; drop the possessive before squashing
    return _BY_KEY.get(_NON_ALNUM.sub("", local.lower().replace("'s ", " ")))


def classify_tag(key: str) -> tuple[str, str, IdentifierLabel | None] | None:
    """``(family, standard name, label)`` for a metadata key, label None for a free-text tag; None when
    the tag is not screened. Accepts "PatientName", "DICOM:PatientName", "Patient's Name", "(0010,0010)",
    XMP paths ("XMP:Iptc4xmpCore:CreatorContactInfo/Iptc4xmpCore:CiAdrCity": the last name counts) and
    DICOM sequence items ("DICOM:RequestAttributesSequence[0].RequestedProcedureID": the item's keyword,
    else the label of an enclosing identifier sequence such as PatientInsurancePlanCodeSequence)."""
    path = key.rsplit(":", 1)[-1].strip().split(".")
    tag = _lookup(path[-1].strip())
    if tag is None:
        enclosing = (_lookup(part.strip()) for part in reversed(path[:-1]))
        tag = next((t for t in enclosing if t is not None and t.label is not None), None)
    return None if tag is None else (tag.family, tag.name, tag.label)


def private_dicom_tag(key: str) -> str | None:
    """ "(gggg,eeee)" when the key (or the last item of its sequence path) is a DICOM private data
    element: odd group, element above 00FF (private creator elements (gggg,0010-00FF) only name the
    vendor and are not flagged). None otherwise."""
    local = key.rsplit(":", 1)[-1].strip().split(".")[-1].strip()
    hex_match = _HEX_TAG.match(local)
    if not hex_match:
        return None
    group, element = int(hex_match.group(1), 16), int(hex_match.group(2), 16)
    if group % 2 == 0 or element <= 0x00FF:
        return None
    return f"({group:04X},{element:04X})"


def key_family(key: str, default: str = _EXIF) -> str:
    """The family a key is prefixed with ("XMP" for "XMP:dc:creator"), else ``default``."""
    prefix = key.split(":", 1)[0].strip().upper() if ":" in key else ""
    return prefix if prefix in _FAMILIES else default


def is_free_text(key: str, value: str) -> bool:
    """True when the tag's value goes through the text recognizers: free-text tags and DICOM private
    tags, with a non-blank value."""
    if not value.strip():
        return False
    tag = classify_tag(key)
    return (tag is not None and tag[2] is None) or (tag is None and private_dicom_tag(key) is not None)


def is_placeholder(value: str, label: IdentifierLabel) -> bool:
    """Empty, de-identified ("ANONYMOUS", "^^") or unset ("0000:00:00 00:00:00") values carry nothing."""
    squashed = value.strip().lower()
    if not any(ch.isalnum() for ch in squashed) or squashed in _PLACEHOLDERS:
        return True
    digits = [ch for ch in squashed if ch.isdigit()]
    return label in (_L.DATE, _L.LOCATION) and bool(digits) and set(digits) == {"0"}


def _attachment_key(attachment: Attachment, index: int) -> str:
    """The attachment's id, or its position when the platform sent none."""
    return attachment.attachment_id or f"attachment[{index}]"


def _private_finding(key: str, value: str, attachment_id: str, detector: str) -> Finding | None:
    """The QUASI_IDENTIFIER finding of a DICOM private tag with a textual value (see the module doc)."""
    private = private_dicom_tag(key)
    if private is None or is_placeholder(value, _L.QUASI_IDENTIFIER):
        return None
    return Finding(
        category=Category.IDENTIFIER,
        label=_L.QUASI_IDENTIFIER,
        start=0,
        end=len(value),
        confidence=METADATA_CONFIDENCE,
        detector=detector,
        reason=(
            f"Attachment metadata (DICOM private tag {private}) holds vendor text that may identify the "
            "patient: strip the metadata before posting"
        ),
        suggestion=_FIX[_DICOM],
        attachment_id=attachment_id,
        field=METADATA_PREFIX + key,
        attributes=(PRIVATE_KIND,),
    )


def tag_finding(
    key: str, value: str, attachment_id: str, detector: str = METADATA_DETECTOR
) -> Finding | None:
    """The finding for one metadata tag: identifier-carrying tags and DICOM private tags with a value;
    None for free-text tags (see ``is_free_text``), unscreened tags and placeholder values. The span is
    the whole value; the reason names the key's family and the tag, never the value."""
    tag = classify_tag(key)
    if tag is None:
        return _private_finding(key, value, attachment_id, detector)
    family, name, label = tag
    if label is None or is_placeholder(value, label):
        return None
    family = key_family(key, family)
    return Finding(
        category=Category.IDENTIFIER,
        label=label,
        start=0,
        end=len(value),
        confidence=METADATA_CONFIDENCE,
        detector=detector,
        reason=f"Attachment metadata ({family} {name}) {_WHAT[label]}: strip the metadata before posting",
        suggestion=_FIX.get(family, _FIX[_EXIF]),
        attachment_id=attachment_id,
        field=METADATA_PREFIX + key,
    )


def metadata_findings(attachment: Attachment, index: int = 0) -> list[Finding]:
    """Findings for the identifier-carrying metadata tags of one attachment (free-text tags excluded)."""
    key = _attachment_key(attachment, index)
    found = (tag_finding(tag, value, key) for tag, value in attachment.metadata.items())
    return [f for f in found if f is not None]


def attachment_texts(post: Post) -> list[tuple[str, str, str]]:
    """``(attachment_id, field, text)`` for every alt text and free-text metadata value of a post."""
    texts = []
    for index, attachment in enumerate(post.attachments):
        key = _attachment_key(attachment, index)
        if attachment.alt_text.strip():
            texts.append((key, ALT_TEXT_FIELD, attachment.alt_text))
        for tag_key, value in attachment.metadata.items():
            if is_free_text(tag_key, value):
                texts.append((key, METADATA_PREFIX + tag_key, value))
    return texts


_CAPTION_DATE = _DATA.regex("caption_date")
_NOT_DATE_AFTER = _DATA.regex("not_date_after")
_NOT_DATE_BEFORE = _DATA.regex("not_date_before")
CAPTION_DATE_CONFIDENCE = 0.7
CAPTION_DATE_DETECTOR = "AttachmentCaptionDate"


def caption_dates(text: str, found: Sequence[Finding]) -> list[Finding]:
    """Slash dates ("3/4", "3/4/24") in an image's alt text or description that the post-text rules left
    alone: in a post "3/4" may be a fraction, but a caption of a patient image dating it ("X-ray of the
    hip, 3/4") dates the image. Fractions with a unit after ("3/4 tablet") or a score before are skipped."""
    dates = []
    taken = FixedSpans((f.start, f.end) for f in found)  # bisection, not a scan per date
    for m in _CAPTION_DATE.finditer(text):
        month, day = int(m.group("m")), int(m.group("d"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        if _NOT_DATE_AFTER.match(text, m.end()) or _NOT_DATE_BEFORE.search(
            text[max(0, m.start() - 20) : m.start()]
        ):
            continue
        if taken.overlaps(m.start(), m.end()):
            continue
        dates.append(
            Finding(
                category=Category.IDENTIFIER,
                label=_L.DATE,
                start=m.start(),
                end=m.end(),
                confidence=CAPTION_DATE_CONFIDENCE,
                detector=CAPTION_DATE_DETECTOR,
                reason=reason_for(_L.DATE),
                suggestion=suggestion_for(_L.DATE),
            )
        )
    return dates


def text_finding(finding: Finding, attachment_id: str, field: str) -> Finding:
    """A text-recognizer finding re-targeted at an attachment field, with attachment-specific advice."""
    if field == ALT_TEXT_FIELD:
        reason, fix = (
            f"Attachment alt text: {finding.reason}",
            f"Edit the attachment's alt text: {finding.suggestion}",
        )
    else:
        tag = field.removeprefix(METADATA_PREFIX)
        private = private_dicom_tag(tag)
        family, name, _ = classify_tag(tag) or (_DICOM if private else "", private or tag, None)
        family = key_family(tag, family)
        if private:
            name = f"private tag {private}"
        reason = f"Attachment metadata ({family} {name}) text: {finding.reason}".replace("( ", "(")
        fix = _FIX.get(family, _FIX[_EXIF])
    return replace(finding, attachment_id=attachment_id, field=field, reason=reason, suggestion=fix)


def attachment_findings(posts: Sequence[Post], detect_texts: TextDetector) -> list[list[Finding]]:
    """Findings on each post's attachments: ``detect_texts`` runs once over every alt text and
    free-text tag of the batch; identifier-carrying tags are flagged by name. Ordered by attachment,
    then field, then span."""
    per_post: list[list[Finding]] = [[] for _ in posts]
    jobs: list[tuple[int, str, str, str]] = []
    for i, post in enumerate(posts):
        for index, attachment in enumerate(post.attachments):
            per_post[i].extend(metadata_findings(attachment, index))
        jobs.extend((i, aid, field, text) for aid, field, text in attachment_texts(post))
    if jobs:
        found = detect_texts([text for *_, text in jobs])
        if len(found) != len(jobs):
            raise ValueError(f"text detector returned {len(found)} results for {len(jobs)} texts")
        for (i, aid, field, text), findings in zip(jobs, found, strict=True):
            findings = [*findings, *caption_dates(text, findings)]
            per_post[i].extend(text_finding(f, aid, field) for f in findings)
    for post, findings in zip(posts, per_post, strict=True):
        order = {_attachment_key(a, k): k for k, a in enumerate(post.attachments)}
        findings.sort(key=lambda f: (order.get(f.attachment_id, 0), f.field, f.start, f.end, f.label))
    return per_post


_is_placeholder = is_placeholder  # the name other modules used before it was public
