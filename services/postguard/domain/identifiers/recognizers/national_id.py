"""National health and ID numbers with a documented check digit: UK NHS, Ontario and British Columbia
health numbers, Australian Medicare (health plan numbers); Indian Aadhaar and Canadian SIN (national ID
numbers, reported as SSN). The checksums come from python-stdnum where it has them (validators.py).

Not a recognizer of its own: the health plan and SSN recognizers call :func:`scheme_findings` for their
label. A number counts after its cue on its shape alone, or without a cue when its check digit holds and
it is written in its printed format (and no phone cue is next to it: a 3-3-4 NHS number is also a phone
shape). Each finding carries ``region`` and ``scheme``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.recognizers.phone import phone_cued
from postguard.domain.identifiers.validators import (
    aadhaar_valid,
    bc_phn_valid,
    medicare_au_valid,
    nhs_valid,
    ohip_valid,
    sin_valid,
)
from postguard.domain.spans import DisjointSpans
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("national_id.yaml")
_CUE_WINDOW = 40
"""Characters before a number searched for its cue."""


@dataclass(frozen=True)
class Scheme:
    """One numbering scheme: its shape, cue and printed format (national_id.yaml) and its checksum."""

    name: str
    label: str
    region: str
    valid: Callable[[str], bool]
    shape: re.Pattern[str]
    cue: re.Pattern[str]
    display: re.Pattern[str]


_HEALTH, _ID = IdentifierLabel.HEALTH_PLAN_NUMBER, IdentifierLabel.SSN
SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "nhs",
        _HEALTH,
        "GB",
        nhs_valid,
        _DATA.regex("nhs"),
        _DATA.regex("nhs_cue"),
        _DATA.regex("nhs_display"),
    ),
    Scheme(
        "bc_phn",
        _HEALTH,
        "CA",
        bc_phn_valid,
        _DATA.regex("bc_phn"),
        _DATA.regex("bc_phn_cue"),
        _DATA.regex("bc_phn_display"),
    ),
    Scheme(
        "ohip",
        _HEALTH,
        "CA",
        ohip_valid,
        _DATA.regex("ohip"),
        _DATA.regex("ohip_cue"),
        _DATA.regex("ohip_display"),
    ),
    Scheme(
        "medicare_au",
        _HEALTH,
        "AU",
        medicare_au_valid,
        _DATA.regex("medicare_au"),
        _DATA.regex("medicare_au_cue"),
        _DATA.regex("medicare_au_display"),
    ),
    Scheme(
        "aadhaar",
        _ID,
        "IN",
        aadhaar_valid,
        _DATA.regex("aadhaar"),
        _DATA.regex("aadhaar_cue"),
        _DATA.regex("aadhaar_display"),
    ),
    Scheme(
        "sin", _ID, "CA", sin_valid, _DATA.regex("sin"), _DATA.regex("sin_cue"), _DATA.regex("sin_display")
    ),
)
"""In order of precedence where shapes overlap (a BC number starts with 9; an Ontario one may too)."""
_CUED_VALID = _DATA.number("cued_valid_confidence")
_CUED_SHAPE = _DATA.number("cued_shape_confidence")
_DISPLAY = _DATA.number("display_confidence")


def _confidence(scheme: Scheme, analysis: Analysis, start: int, end: int) -> float | None:
    """How sure a match of ``scheme`` at ``[start, end)`` is that scheme's number (None: it is not)."""
    value = analysis.text[start:end]
    valid = scheme.valid(value)
    if scheme.cue.search(analysis.text[max(0, start - _CUE_WINDOW) : start]):
        return _CUED_VALID if valid else _CUED_SHAPE
    if valid and scheme.display.fullmatch(value) and not phone_cued(analysis, start, end):
        return _DISPLAY
    return None


def scheme_findings(recognizer: Recognizer, analysis: Analysis, label: str) -> list[Finding]:
    """Findings of every scheme reported as ``label``; where two schemes' matches overlap the first wins."""
    found: list[Finding] = []
    taken = DisjointSpans()
    for scheme in SCHEMES:
        if scheme.label != label:
            continue
        for m in scheme.shape.finditer(analysis.text):
            confidence = _confidence(scheme, analysis, m.start(), m.end())
            if confidence is None or not taken.add_if_free(m.start(), m.end()):
                continue
            attributes = (("region", scheme.region), ("scheme", scheme.name))
            found.append(recognizer.finding(label, m.start(), m.end(), confidence, attributes=attributes))
    return found
