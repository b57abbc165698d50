"""National health and ID numbers: UK NHS, Scottish CHI and Northern Irish H&C numbers; the Canadian
provinces' health numbers; Australian Medicare and IHI; Indian ABHA (health plan numbers); Indian
Aadhaar and PAN, Canadian SIN and Irish PPSN (national ID numbers, reported as SSN). The checksums come from
python-stdnum where it has them (validators.py and here); our own code only where no library has them.

Not a recognizer of its own: the health plan and SSN recognizers call :func:`scheme_findings` for their
label. A number counts after its cue on its shape alone, or without a cue when its check digit holds and
it is written in its printed format (and no phone cue is next to it: a 3-3-4 NHS number is also a phone
shape); a scheme with no public check digit counts only after its cue. Each finding carries ``region``
and ``scheme``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from stdnum import luhn
from stdnum.ie import pps
from stdnum.in_ import pan

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.recognizers.phone import phone_cued
from postguard.domain.identifiers.validators import (
    aadhaar_valid,
    bc_phn_valid,
    digits_of,
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
_NEVER = re.compile(r"(?!)")
"""The display format of a scheme without a check digit: it never counts without its cue."""


def _always(_value: str) -> bool:
    return True


@dataclass(frozen=True)
class Scheme:
    """One numbering scheme: its shape, cue and printed format (national_id.yaml) and its checksum."""

    name: str
    label: str
    region: str
    valid: Callable[[str], bool] | None
    """The check digit; None where the issuer publishes none (the number counts only after its cue)."""
    shape: re.Pattern[str]
    cue: re.Pattern[str]
    display: re.Pattern[str]
    """The printed format that counts without a cue when the check digit holds (never, without one)."""
    fits: Callable[[str], bool] = _always
    """Structure beyond the shape (an embedded birth date, a number range): else not this scheme."""


def _scheme(
    name: str,
    label: str,
    region: str,
    valid: Callable[[str], bool] | None,
    entries: tuple[str, str, str | None],
    fits: Callable[[str], bool] = _always,
) -> Scheme:
    """A scheme from its shape, cue and display entries in national_id.yaml."""
    shape, cue, display = entries
    return Scheme(
        name,
        label,
        region,
        valid,
        _DATA.regex(shape),
        _DATA.regex(cue),
        _DATA.regex(display) if display else _NEVER,
        fits,
    )


def _real_date(day: int, month: int, year: int) -> bool:
    """Is day/month a calendar day in 19yy or 20yy (a birth date written without its century)?"""
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def chi_fits(number: str) -> bool:
    """A Scottish CHI number starts with its holder's birth date, DDMMYY."""
    digits = digits_of(number)
    return len(digits) == 10 and _real_date(int(digits[:2]), int(digits[2:4]), int(digits[4:6]))


def hc_ni_fits(number: str) -> bool:
    """Northern Ireland H&C numbers are issued from 320 000 0000 to 399 999 9999."""
    digits = digits_of(number)
    return len(digits) == 10 and 320 <= int(digits[:3]) <= 399


def ramq_fits(number: str) -> bool:
    """A Quebec NAM: four letters, the birth date YYMMDD (month + 50 for women), a digit 1-9, a digit."""
    digits = digits_of(number)
    month = int(digits[2:4])
    month = month - 50 if month > 50 else month
    return len(digits) == 8 and digits[6] != "0" and _real_date(int(digits[4:6]), month, int(digits[:2]))


def ihi_valid(number: str) -> bool:
    """Australian IHI: 16 digits, issuer prefix 800360, Luhn check digit (python-stdnum's stdnum.luhn)."""
    digits = digits_of(number)
    return len(digits) == 16 and digits.startswith("800360") and luhn.is_valid(digits)


def ppsn_valid(number: str) -> bool:
    """Irish PPS number: 7 digits and a mod-23 check letter (python-stdnum's stdnum.ie.pps)."""
    return pps.is_valid(number)


def pan_fits(number: str) -> bool:
    """An Indian PAN's structure: a known holder type, a serial from 0001 (python-stdnum's
    stdnum.in_.pan; its check letter's algorithm is not published, so nothing checks that)."""
    return pan.is_valid(number)


_HEALTH, _ID = IdentifierLabel.HEALTH_PLAN_NUMBER, IdentifierLabel.SSN
SCHEMES: tuple[Scheme, ...] = (
    _scheme("chi", _HEALTH, "GB", nhs_valid, ("chi", "chi_cue", "chi_display"), chi_fits),
    _scheme("hc_ni", _HEALTH, "GB", nhs_valid, ("hc_ni", "hc_ni_cue", "hc_ni_display"), hc_ni_fits),
    _scheme("nhs", _HEALTH, "GB", nhs_valid, ("nhs", "nhs_cue", "nhs_display")),
    _scheme("bc_phn", _HEALTH, "CA", bc_phn_valid, ("bc_phn", "bc_phn_cue", "bc_phn_display")),
    _scheme("ns_msi", _HEALTH, "CA", None, ("ns_msi", "ns_msi_cue", None)),
    _scheme("ohip", _HEALTH, "CA", ohip_valid, ("ohip", "ohip_cue", "ohip_display")),
    _scheme("ramq", _HEALTH, "CA", None, ("ramq", "ramq_cue", None), ramq_fits),
    _scheme("ab_phn", _HEALTH, "CA", None, ("ab_phn", "ab_phn_cue", None)),
    _scheme("sk_hsn", _HEALTH, "CA", None, ("sk_hsn", "sk_hsn_cue", None)),
    _scheme("mb_phin", _HEALTH, "CA", None, ("mb_phin", "mb_phin_cue", None)),
    _scheme("nb_medicare", _HEALTH, "CA", None, ("nb_medicare", "nb_medicare_cue", None)),
    _scheme("nl_mcp", _HEALTH, "CA", None, ("nl_mcp", "nl_mcp_cue", None)),
    _scheme("pe_health", _HEALTH, "CA", None, ("pe_health", "pe_health_cue", None)),
    _scheme(
        "medicare_au",
        _HEALTH,
        "AU",
        medicare_au_valid,
        ("medicare_au", "medicare_au_cue", "medicare_au_display"),
    ),
    _scheme("ihi", _HEALTH, "AU", ihi_valid, ("ihi", "ihi_cue", "ihi_display")),
    _scheme("abha", _HEALTH, "IN", None, ("abha", "abha_cue", None)),
    _scheme("aadhaar", _ID, "IN", aadhaar_valid, ("aadhaar", "aadhaar_cue", "aadhaar_display")),
    _scheme("sin", _ID, "CA", sin_valid, ("sin", "sin_cue", "sin_display")),
    _scheme("ppsn", _ID, "IE", ppsn_valid, ("ppsn", "ppsn_cue", "ppsn_display")),
    _scheme("pan", _ID, "IN", None, ("pan", "pan_cue", None), pan_fits),
)
"""In order of precedence where shapes overlap (a CHI or H&C number is also an NHS shape; a BC number
starts with 9; an Ontario one may too; a province named in the cue beats Ontario's generic one)."""
_CUED_VALID = _DATA.number("cued_valid_confidence")
_CUED_SHAPE = _DATA.number("cued_shape_confidence")
_CUED_UNCHECKED = _DATA.number("cued_unchecked_confidence")
_DISPLAY = _DATA.number("display_confidence")


def _confidence(scheme: Scheme, analysis: Analysis, start: int, end: int) -> float | None:
    """How sure a match of ``scheme`` at ``[start, end)`` is that scheme's number (None: it is not)."""
    value = analysis.text[start:end]
    if not scheme.fits(value):
        return None
    valid = scheme.valid is not None and scheme.valid(value)
    if scheme.cue.search(analysis.text[max(0, start - _CUE_WINDOW) : start]):
        if scheme.valid is None:
            return _CUED_UNCHECKED
        return _CUED_VALID if valid else _CUED_SHAPE
    if valid and scheme.display.fullmatch(value):
        return None if phone_cued(analysis, start, end) else _DISPLAY
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
