"""Phone and fax numbers: NANP-validated North American numbers, +country numbers, the national formats
of the regions phone.yaml lists (read with the ``phonenumbers`` library, Google's libphonenumber
metadata), and any dialable number after a cue. Each finding carries the number's ``region``."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumber, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.validators import digits_of, nanp_valid
from postguard.domain.spans import DisjointSpans
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("phone.yaml")
_NANP = _DATA.regex("nanp")
_INTERNATIONAL = _DATA.regex("international")
_GENERIC = _DATA.regex("generic")
"""Any dialable-looking number: used only next to a phone / fax cue."""
_PHONE_CUE = _DATA.regex("phone_cue")
_STRONG_CUE = _DATA.regex("strong_cue")
_OTHER_SHAPE = _DATA.regex("other_shape")
_NOT_PHONE = _DATA.regex("not_phone")
_NATIONAL_SHAPE = _DATA.regex("national_shape")
_FAX_CUE = _DATA.regex("fax_cue")
_CUE_AFTER = _DATA.regex("cue_after")
_EXTENSION_START = _DATA.regex("extension")
_TOLL_FREE = frozenset({"800", "888", "877", "866", "855", "844", "833"})
_REGIONS: tuple[str, ...] = _DATA.phrases("regions")
_NATIONAL_REGIONS = tuple(r for r in _REGIONS if phonenumbers.country_code_for_region(r) != 1)
"""Regions read with phonenumbers' national formats (North America has its own NANP regex)."""
_ORGANISATION_TYPES = frozenset(getattr(PhoneNumberType, t) for t in _DATA.phrases("organisation_types"))
_MIN_NATIONAL_DIGITS = int(_DATA.number("min_national_digits"))
_MIN_REGROUPED_DIGITS = int(_DATA.number("min_regrouped_digits"))
_UNVALIDATED_CONFIDENCE = _DATA.number("unvalidated_confidence")
_GROUPS = re.compile(r"\d+")


def phone_cued(analysis: Analysis, start: int, end: int) -> bool:
    """Is the number at ``[start, end)`` introduced or followed by a phone or fax word?"""
    before = analysis.before(start, 30)
    return bool(
        _PHONE_CUE.search(before) or _FAX_CUE.search(before) or _CUE_AFTER.match(analysis.after(end, 12))
    )


def region_of(value: str, region: str | None = None) -> str:
    """The ISO region of ``value`` read as a number of ``region`` ('+44 ...' needs none); '' unless valid."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return ""
    return (phonenumbers.region_code_for_number(number) or "") if phonenumbers.is_valid_number(number) else ""


def _guess_region(value: str) -> str:
    """The first region of phone.yaml in which ``value`` is a valid number ('' when none)."""
    return next((r for r in map(lambda region: region_of(value, region), _REGIONS) if r), "")


def _grouping(text: str) -> list[int]:
    return [len(g) for g in _GROUPS.findall(text)]


def _national_score(raw: str, number: PhoneNumber) -> tuple[bool, bool, bool] | None:
    """(written in the region's own grouping, valid, a person's kind of number: not freephone, premium...)
    for a national-format candidate (the best reading wins across regions), or None when it is
    no phone number of the region: valid with the trunk prefix 0, or in the region's grouping and either
    valid or dialled with the trunk 0 (possible but unallocated, such as ranges kept for drama). A valid
    number grouped otherwise needs ``min_regrouped_digits`` ('0207 946 0321', not the ZIP+4 '02139-4307');
    a bare run of digits counts only with a phone cue (``_finding``)."""
    valid = phonenumbers.is_valid_number(number)
    trunk = raw.lstrip("(").startswith("0")
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if not trunk:
        national = national.lstrip("(").removeprefix("0")
    as_written = _grouping(raw) == _grouping(national)
    regrouped = valid and (trunk or raw.isdigit()) and len(digits_of(raw)) >= _MIN_REGROUPED_DIGITS
    if (as_written and (valid or trunk)) or regrouped:
        return as_written, valid, phonenumbers.number_type(number) not in _ORGANISATION_TYPES
    return None


class PhoneRecognizer(Recognizer):
    """``(617) 555-0123``, ``617.555.0123 x12``, ``+44 20 7946 0958``, ``020 7946 0321``, ``(02) 5550 4321``;
    FAX when a fax cue is nearest.

    Bare digit runs, or formats of no listed region ("0490 75 40 81"), count only next to a phone or fax
    cue. Toll-free and other organisation numbers: 0.4, under the usual 0.5 policy threshold.
    """

    name = "PhoneRecognizer"
    labels = (IdentifierLabel.PHONE, IdentifierLabel.FAX)
    triggers = (_DATA.regex("trigger"),)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found: list[Finding] = []
        taken = DisjointSpans()  # the numbers found so far never overlap: bisection, not a scan
        for m in _NANP.finditer(analysis.text):
            number = _EXTENSION_START.split(m.group(), maxsplit=1)[0]
            if not nanp_valid(number.removeprefix("001")):
                continue
            toll_free = digits_of(number)[-10:-7] in _TOLL_FREE
            region = region_of(number.removeprefix("001"), "US") or _guess_region(number)
            found.extend(
                self._finding(
                    analysis, m.start(), m.end(), bare=m.group().isdigit(), toll_free=toll_free, region=region
                )
            )
            taken.add(*m.span())
        for m in _INTERNATIONAL.finditer(analysis.text):
            if 8 <= len(digits_of(m.group())) <= 15 and not taken.overlaps(*m.span()):
                found.extend(
                    self._finding(analysis, m.start(), m.end(), bare=False, region=region_of(m.group()))
                )
                taken.add(*m.span())
        found.extend(self._national(analysis, taken))
        found.extend(self._cued(analysis, taken))
        return found

    def _national(self, analysis: Analysis, taken: DisjointSpans) -> list[Finding]:
        """Numbers in the national formats of phone.yaml's regions; the region whose grouping the number is
        written in wins, then a region where it is valid, then the file's order."""
        candidates = []
        for shape in _NATIONAL_SHAPE.finditer(analysis.text):  # the matcher only reads these stretches
            if len(digits_of(shape.group())) < _MIN_NATIONAL_DIGITS or taken.overlaps(*shape.span()):
                continue  # too short for any number it may hold, or a North American / +country one
            for rank, region in enumerate(_NATIONAL_REGIONS):
                for match in PhoneNumberMatcher(shape.group(), region, leniency=Leniency.POSSIBLE):
                    raw = match.raw_string
                    if len(digits_of(raw)) < _MIN_NATIONAL_DIGITS or _NOT_PHONE.fullmatch(raw):
                        continue
                    score = _national_score(raw, match.number)
                    if score is not None:
                        at = shape.start() + match.start
                        candidates.append((score, -rank, at, at + len(raw), region, match.number))
        found = []
        for (_, valid, personal), _, start, end, region, number in sorted(
            candidates, key=lambda c: (c[0], c[1]), reverse=True
        ):
            if not taken.add_if_free(start, end):
                continue
            found += self._finding(
                analysis,
                start,
                end,
                bare=analysis.text[start:end].isdigit(),
                toll_free=not personal,
                confidence=None if valid else _UNVALIDATED_CONFIDENCE,
                region=(phonenumbers.region_code_for_number(number) or region) if valid else region,
            )
        return found

    def _cued(self, analysis: Analysis, taken: DisjointSpans) -> list[Finding]:
        """Any dialable number after a strong phone cue, or before a phone kind ('... office')."""
        found = []
        for m in _GENERIC.finditer(analysis.text):
            start, end = m.start(), m.end() - (len(m.group()) - len(m.group().rstrip(" .-(")))
            value = analysis.text[start:end]
            if not 7 <= len(digits_of(value)) <= 15 or taken.overlaps(start, end):
                continue
            # a "Phone:" label vouches for any format; a trailing "office" only for unambiguous shapes
            strong = bool(_STRONG_CUE.search(analysis.before(start, 20)))
            if strong or (_CUE_AFTER.match(analysis.after(end, 12)) and not _OTHER_SHAPE.fullmatch(value)):
                region = _guess_region(value)
                found.extend(self._finding(analysis, start, end, bare=False, confidence=0.8, region=region))
        return found

    def _finding(
        self,
        analysis: Analysis,
        start: int,
        end: int,
        *,
        bare: bool,
        toll_free: bool = False,
        confidence: float | None = None,
        region: str = "",
    ) -> list[Finding]:
        before = analysis.before(start, 30)
        after = _CUE_AFTER.match(analysis.after(end, 12))
        fax = _FAX_CUE.search(before)
        phone = _PHONE_CUE.search(before)
        attributes = (("region", region),) if region else ()
        # the nearer cue decides between phone and fax ("call 555-... or fax 555-...")
        if (after and "fax" in after.group().lower()) or (fax and (not phone or fax.start() > phone.start())):
            return [self.finding(IdentifierLabel.FAX, start, end, confidence or 0.95, attributes=attributes)]
        if bare and not phone:
            return []
        if toll_free:
            return [self.finding(IdentifierLabel.PHONE, start, end, 0.4, attributes=attributes)]
        confidence = confidence or (0.95 if phone else 0.85)
        return [self.finding(IdentifierLabel.PHONE, start, end, confidence, attributes=attributes)]
