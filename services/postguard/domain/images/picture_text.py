"""What text read from a picture means: labels, not prose.

The text recognizers look for the words around a detail that tie it to a patient ("admitted on",
"my patient"). Text burned into an image has none: a radiograph says ``JANE DOE`` and ``2024-03-05``
on two lines, a wristband a name and a birth date, a monitor a name over the vitals. Two rules here
supply the context a picture gives:

- **Calendar dates.** Any complete date (day, month and year: ISO ``2024-03-05``, ``03/14/2024``,
  ``14.03.24``, ``14 Mar 2024``, ``March 14, 2024``) in a picture is a DATE: in an image a full date is
  a capture, study, birth or visit date. A lone year or a month and year is not.
- **Names on a bed board.** On a line that places a patient (a bed, room or bay: "Bed 4 - T. Okafor",
  "Rm 12: Reyes"), the capitalised words right after the place are a name (a ward whiteboard, a census
  list, a handover sheet).
- **Patient-name lines on clinical pictures.** Scanners and PACS print the patient as ``SURNAME, GIVEN``,
  ``SURNAME^GIVEN`` (DICOM's person-name form) or ``SURNAME GIVEN`` in capitals on a line of its own; on a
  clinical picture such a line whose given name is a listed given name (first_names.yaml) is a PERSON.
- **Form fields.** A field that names its person ("Name:", "PT:", "Patient Name", "Resident") followed
  by capitalised words on the same line is a name; an age as labels print it ("67 yrs", DICOM's "067Y",
  "M/67") is an AGE (``data/picture_text.yaml``).
- **A name line beside the details.** On a picture whose text carries another patient detail (a birth
  date, a record number, a bed), a line that is two or three capitalised words starting with a listed
  given name ("Ngozi Adeyemi" over "DOB: ...") is a PERSON: a wristband, a label, a banner.
- **Names on clinical pictures.** A name the recognizers found but could not tie to anyone (role
  ``unknown``, under the usual bar) is raised to ``LABEL_NAME_CONFIDENCE`` when the picture is clinical
  (a DICOM file, or a greyscale image: radiographs, scans, ultrasound) or when its text carries another
  patient detail (a date, a record number, a bed). A staff or public name keeps its role.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image

from postguard.domain.identifiers.lexicons import CARE_TERMS, CLINICIAN_TITLES, EVENT_TERMS, NOT_NAMES
from postguard.domain.identifiers.messages import reason_for, suggestion_for
from postguard.domain.rule_data import load_package_rule_data
from postguard.domain.types import Category, Finding, IdentifierLabel

LABEL_DATE_DETECTOR = "image-label-date"
BOARD_NAME_DETECTOR = "image-board-name"
NAME_LINE_DETECTOR = "image-name-line"
FIELD_NAME_DETECTOR = "image-name-field"
LABEL_AGE_DETECTOR = "image-label-age"
LABEL_AGE_CONFIDENCE = 0.8
_MAX_AGE = 125
LABEL_DATE_CONFIDENCE = 0.85
LABEL_NAME_CONFIDENCE = 0.7
_PATIENT_DETAILS = frozenset(
    {
        IdentifierLabel.DATE,
        IdentifierLabel.AGE,
        IdentifierLabel.MEDICAL_RECORD_NUMBER,
        IdentifierLabel.HEALTH_PLAN_NUMBER,
        IdentifierLabel.FACILITY,
    }
)
_GREY_TOLERANCE = 6.0
"""Mean absolute difference between colour channels (0-255) under which a picture counts as greyscale."""

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9  # the four-letter September abbreviation calendar does not list
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SEP = r"[-/.]"
_DATES = re.compile(
    rf"(?<![\d/.-])(?:(?P<iy>\d{{4}}){_SEP}(?P<im>\d{{1,2}}){_SEP}(?P<id>\d{{1,2}})"
    rf"|(?P<a>\d{{1,2}})(?P<s>{_SEP})(?P<b>\d{{1,2}})(?P=s)(?P<y>\d{{4}}|\d{{2}}))(?![\d/.-]?\d)"
    rf"|\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?[ -](?P<m1>{_MONTH})\.?[ -,]*(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH})\.?[ -](?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?[ -](?P<y2>\d{{4}}))\b",
    re.IGNORECASE,
)


def _valid(year: int, month: int, day: int) -> bool:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def _is_date(m: re.Match[str]) -> bool:
    """Whether a candidate is a real calendar date (numeric day/month in either order)."""
    if m.group("iy"):
        return _valid(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
    if m.group("a"):
        first, second, year = int(m.group("a")), int(m.group("b")), int(m.group("y"))
        return _valid(year, first, second) or _valid(year, second, first)
    day, month, year = (
        (m.group("d1"), m.group("m1"), m.group("y1")) if m.group("d1") else m.group("d2", "m2", "y2")
    )
    return _valid(int(year), _MONTHS[month.lower()], int(day))


def label_dates(text: str, found: Sequence[Finding]) -> list[Finding]:
    """DATE findings for the complete calendar dates in ``text`` that ``found`` does not cover yet."""
    taken = [(f.start, f.end) for f in found if f.label == IdentifierLabel.DATE]
    dates = []
    for m in _DATES.finditer(text):
        if not _is_date(m) or any(s < m.end() and m.start() < e for s, e in taken):
            continue
        dates.append(
            identifier(IdentifierLabel.DATE, m.start(), m.end(), LABEL_DATE_CONFIDENCE, LABEL_DATE_DETECTOR)
        )
    return dates


_BOARD_NAME = re.compile(
    r"[ \t]*[-\u2013\u2014:|,][ \t]*(?P<name>(?:[A-Z][a-z]{0,2}\.[ \t]?){0,2}[A-Z][A-Za-z'\u2019-]{1,30}"
    r"(?:[ \t][A-Z][A-Za-z'\u2019-]{1,30})?)"
)
_PLACING_KINDS = frozenset({"bed", "room", "unit", "ward"})
_ACRONYM_MAX = 4


def board_names(text: str, found: Sequence[Finding]) -> list[Finding]:
    """PERSON findings for the name written right after a bed or room on the same line."""
    names = []
    taken = [(f.start, f.end) for f in found]
    for place in found:
        if place.label != IdentifierLabel.FACILITY or place.attribute("kind") not in _PLACING_KINDS:
            continue
        m = _BOARD_NAME.match(text, place.end)
        if m is None or any(s < m.end("name") and m.start("name") < e for s, e in taken):
            continue
        if not _plausible_name(m.group("name")):  # NPO, DNR, ICU: not names
            continue
        names.append(_person(m.start("name"), m.end("name"), BOARD_NAME_DETECTOR))
    return names


_DATA = load_package_rule_data("postguard.domain.images.data", "picture_text.yaml")
_NAME_FIELD = _DATA.regex("name_field")
_LABEL_AGE = _DATA.regex("label_age")
_GIVEN_LINE = re.compile(
    r"^[ \t]*(?P<name>(?P<given>[A-Z][a-z'\u2019-]{1,30})(?:[ \t]+[A-Z][a-z'\u2019.-]{0,30}){1,2})[ \t]*$",
    re.MULTILINE,
)


def _free(start: int, end: int, found: Sequence[Finding]) -> bool:
    return not any(f.start < end and start < f.end for f in found)


@lru_cache(maxsize=1)
def _not_name_words() -> frozenset[str]:
    """Words that are not part of a name on a label: sentence and time words, care and event terms,
    clinician titles (identifiers/data/lexicons.yaml), the words of signs (data/picture_text.yaml)."""
    phrases = (*CARE_TERMS, *EVENT_TERMS, *CLINICIAN_TITLES)
    from_lexicons = frozenset(word for phrase in phrases for word in phrase.lower().split())
    return NOT_NAMES | from_lexicons | _DATA.words("sign_words")


def _plausible_name(name: str) -> bool:
    """Not an acronym (NPO, DNR) and no word a name would not hold ("Hospital Staff Only")."""
    if name.isupper() and len(name) <= _ACRONYM_MAX:
        return False
    words = {w.strip(",.'\u2019-").lower() for w in name.split()}
    return not words & _not_name_words()


def field_names(text: str, found: Sequence[Finding]) -> list[Finding]:
    """PERSON findings for the name after a form field that names its person ("Name: ...")."""
    return [
        _person(m.start("name"), m.end("name"), FIELD_NAME_DETECTOR)
        for m in _NAME_FIELD.finditer(text)
        if _free(m.start("name"), m.end("name"), found) and _plausible_name(m.group("name"))
    ]


def label_ages(text: str, found: Sequence[Finding]) -> list[Finding]:
    """AGE findings for ages written as labels write them ("67 yrs", "067Y", "M/67")."""
    ages = []
    for m in _LABEL_AGE.finditer(text):
        if not _free(m.start(), m.end(), found):
            continue
        years = m.group("years") or m.group("after") or m.group("before")
        if m.group("dicom"):
            value, unit = int(m.group("dicom")[:3]), m.group("dicom")[3]
            years = str(value) if unit == "Y" else "0"
        if int(years) > _MAX_AGE:
            continue
        ages.append(
            identifier(
                IdentifierLabel.AGE,
                m.start(),
                m.end(),
                LABEL_AGE_CONFIDENCE,
                LABEL_AGE_DETECTOR,
                attributes=(("years", years),),
            )
        )
    return ages


def given_name_lines(text: str, found: Sequence[Finding]) -> list[Finding]:
    """PERSON findings for lines that are a listed given name and a surname (used beside a detail)."""
    return [
        _person(m.start("name"), m.end("name"), NAME_LINE_DETECTOR)
        for m in _GIVEN_LINE.finditer(text)
        if m.group("given").lower() in _given_names() and _free(m.start("name"), m.end("name"), found)
    ]


_NAME_LINE = re.compile(
    r"^[ \t]*(?P<name>(?P<surname>[A-Z][A-Za-z'\u2019-]{1,30})(?P<sep>[ \t]*[,^][ \t]*|[ \t]+)"
    r"(?P<given>[A-Z][A-Za-z'\u2019-]{1,30})(?:[ \t^]+[A-Z][A-Za-z.]{0,30})?)(?=[ \t]{2,}|[ \t]*$)",
    re.MULTILINE,
)


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    """Listed given names, lower case (identifiers/data/first_names.yaml)."""
    data = load_package_rule_data("postguard.domain.identifiers.data", "first_names.yaml")
    return frozenset(data.words("first_names")) | frozenset(data.words("word_names"))


def name_lines(text: str, found: Sequence[Finding], *, spaced: bool) -> list[Finding]:
    """PERSON findings for ``SURNAME, GIVEN`` / ``SURNAME^GIVEN`` lines with a listed given name (and
    ``SURNAME GIVEN`` in capitals when ``spaced``: on clinical pictures)."""
    taken = [(f.start, f.end) for f in found]
    names = []
    for m in _NAME_LINE.finditer(text):
        if m.group("given").lower() not in _given_names():
            continue
        if not m.group("sep").strip() and not (spaced and m.group("name").isupper()):
            continue  # "SURNAME GIVEN" only in capitals on a clinical picture
        if any(s < m.end("name") and m.start("name") < e for s, e in taken):
            continue
        names.append(_person(m.start("name"), m.end("name"), NAME_LINE_DETECTOR))
    return names


def _person(start: int, end: int, detector: str) -> Finding:
    return identifier(
        IdentifierLabel.PERSON, start, end, LABEL_NAME_CONFIDENCE, detector, attributes=(("role", "patient"),)
    )


def identifier(
    label: IdentifierLabel,
    start: int,
    end: int,
    confidence: float,
    detector: str,
    **fields: Any,
) -> Finding:
    """An IDENTIFIER finding with the label's usual reason and fix (``fields``: attachment_id, field,
    attributes...)."""
    return Finding(
        category=Category.IDENTIFIER,
        label=label,
        start=start,
        end=end,
        confidence=confidence,
        detector=detector,
        reason=reason_for(label),
        suggestion=suggestion_for(label),
        **fields,
    )


def is_clinical(image: Image.Image, image_format: str) -> bool:
    """A DICOM file, or a picture whose colour channels agree (greyscale: radiographs, scans)."""
    if image_format == "DICOM" or image.mode in ("L", "LA", "I", "I;16", "F", "1"):
        return True
    small = np.asarray(image.convert("RGB").resize((64, 64)), dtype=np.float32)
    spread = np.abs(small[..., 0] - small[..., 1]) + np.abs(small[..., 1] - small[..., 2])
    return float(spread.mean()) / 2 < _GREY_TOLERANCE


def _label_findings(text: str, strong: Sequence[Finding], clinical: bool) -> list[Finding]:
    """What the picture rules add, each rule seeing the spans taken before it."""
    added: list[Finding] = []
    for rule in (board_names, field_names, label_ages):
        added += rule(text, [*strong, *added])
    added += name_lines(text, [*strong, *added], spaced=clinical)
    if any(f.label in _PATIENT_DETAILS for f in [*strong, *added]):
        added += given_name_lines(text, [*strong, *added])
    return added


def as_picture_text(found: Sequence[Finding], text: str, clinical: bool) -> list[Finding]:
    """``found`` (the text recognizers' findings on a picture's text) with label dates added and
    unattributed names raised on clinical pictures or next to another patient detail."""
    findings = [*found, *label_dates(text, found)]
    added = _label_findings(text, [f for f in findings if f.confidence >= 0.5], clinical)
    # a picture rule takes over the span of a weak guess (a name the model called a place at 0.4)
    findings = [f for f in findings if f.confidence >= 0.5 or _free(f.start, f.end, added)] + added
    has_detail = any(f.label in _PATIENT_DETAILS and f.confidence >= 0.5 for f in findings)
    if not (clinical or has_detail):
        return findings
    return [
        replace(f, confidence=LABEL_NAME_CONFIDENCE)
        if f.label == IdentifierLabel.PERSON
        and f.attribute("role", "unknown") == "unknown"
        and f.confidence < LABEL_NAME_CONFIDENCE
        else f
        for f in findings
    ]
