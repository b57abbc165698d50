"""Vehicle identifiers: licence plates after a cue, current UK, Indian and Irish plates on their own, and
VINs with a valid check digit. Every plate carries ``region`` when its format or a state, province or
country word near its cue says which (a plate after a bare "plate number" in no known format has none)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import US_STATES, rule_file
from postguard.domain.identifiers.recognizer import inherit_attributes
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import vin_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("vehicle.yaml")


def _alternation(items: Iterable[str]) -> str:
    """A regex alternation of literal items, longest first (so "CE" is tried before "C")."""
    return "|".join(sorted(map(re.escape, items), key=len, reverse=True))


_VIN = _DATA.regex("vin")
_UK_PLATE = _DATA.regex("uk_plate")
_INDIA_PLATE = _DATA.template("india_plate", states=_alternation(_DATA.phrases("india_states")))
_IE_PLATE = _DATA.template("ie_plate", counties=_alternation(_DATA.phrases("ie_counties")))
_CUED_PLATE = _DATA.regex("cued_plate")
_PLATE_CUE = _DATA.regex("plate_cue")
_IE_CUE = _DATA.regex("ie_cue")
_WEAK_PLATE_CUE = _DATA.regex("weak_plate_cue")
_VEHICLE_WORD = _DATA.regex("vehicle_word")
_NOT_PLATE_VALUE = _DATA.regex("not_plate_value")
_NOT_PLATE_BEFORE = _DATA.regex("not_plate_before")
_NOT_PLATE_PREFIXES = frozenset(_DATA.phrases("not_plate_prefixes"))
_NOT_PLATE_SUFFIXES = frozenset(_DATA.phrases("not_plate_suffixes"))
_PLATE_CONFIDENCE = _DATA.number("plate_confidence")
_SENTENCE_CUE_CONFIDENCE = _DATA.number("sentence_cue_confidence")
_CUE_WINDOW = int(_DATA.number("cue_window"))
_SENTENCE_END = re.compile(r"[.!?\n](?=\s|$)")
_REGION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AU", _DATA.phrases("au_jurisdictions")),
    ("CA", _DATA.phrases("ca_jurisdictions")),
    ("US", US_STATES),
)
_REGION_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (region, re.compile(rf"(?<![\w-])(?:{_alternation(w for w in words if len(w) > 2)})(?![\w-])"))
    for region, words in _REGION_WORDS
)
"""Region names of three letters or more ("NSW", "Ontario", "Texas"), searched in the plate's sentence in
this order (Australians write "rego", which is in the AU list)."""
_REGION_CODES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (
        region,
        _DATA.template(
            "region_code",
            check_example=region == "CA",  # the example is a Canadian plate
            codes=_alternation(w for w in words if len(w) == 2),
        ),
    )
    for region, words in _REGION_WORDS
)
"""Two-letter codes ("NT", "BC", "WA"), only right before a plate word or the plate (region_code)."""
_ANY_REGION_NAME = re.compile("|".join(f"(?:{p.pattern})" for _, p in _REGION_NAMES))
"""Any region name: with a weak cue close before a plate it makes a vehicle cue ("plate NSW AB12CD")."""
_WEAK_CUE_WINDOW = 25
"""Characters before a plate searched for a weak cue ("the plate, I think, ABC 123")."""
_AFTER_WINDOW = 30
"""Characters after a cued plate searched for a region word ("ABC 123 (Ontario)")."""


def ie_year_valid(year: str) -> bool:
    """The year part of an Irish plate: two digits for 1987-2012, three since 2013 (year + half 1 or 2)."""
    if len(year) == 2:
        return int(year) >= 87 or int(year) <= 12
    return 13 <= int(year[:2]) <= 39 and year[2] in "12"


def _compact(value: str) -> str:
    return value.replace("-", "").replace(" ", "")


class VehicleRecognizer(ContextualNumberRecognizer):
    """``license plate 7ABC123``, ``rego ABC 123``, UK ``AB12 CDE``, India ``KA 01 AB 1234``, Ireland
    ``191-D-12345``, VIN ``1HGCM82633A004352`` (checksum)."""

    name = "VehicleRecognizer"
    labels = (IdentifierLabel.VEHICLE_ID,)
    triggers = (_DATA.regex("trigger"),)
    cased_triggers = (_DATA.regex("cased_trigger"),)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    value_pattern = _DATA.regex("value").pattern
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")

    def validate(self, value: str) -> bool:
        compact = _compact(value)
        if compact.isdigit() and len(compact) == 4 and 1900 <= int(compact) <= 2099:
            return False  # "registration number 2024" is a year
        if _NOT_PLATE_VALUE.fullmatch(value):
            return False  # "plate at L4-L5", "reg B12"
        return 4 <= len(compact) <= 8 and any(c.isdigit() for c in compact) and compact.upper() == compact

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _VIN.finditer(analysis.text):
            if vin_valid(m.group()):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("vin_confidence"))
        for m in _UK_PLATE.finditer(analysis.text):
            if m.group("tag") not in _NOT_PLATE_PREFIXES and m.group("letters") not in _NOT_PLATE_SUFFIXES:
                yield self._plate(m.start(), m.end(), "GB", _PLATE_CONFIDENCE)
        for m in _INDIA_PLATE.finditer(analysis.text):
            yield self._plate(m.start(), m.end(), "IN", _PLATE_CONFIDENCE)
        yield from self._irish(analysis)
        yield from self._sentence_cued(analysis)

    def _irish(self, analysis: Analysis) -> Iterable[Finding]:
        """Irish plates: alone when hyphenated ("191-D-12345") or spaced with a three-digit year
        ("191 D 12345"), with a sequence of two digits or more and no ward or document word right before;
        otherwise only after a vehicle cue, or "reg" or "plate", in the sentence."""
        for m in _IE_PLATE.finditer(analysis.text):
            if not ie_year_valid(m.group("year")):
                continue
            before = self._sentence_before(analysis, m.start())
            alone = m.group("sep") == "-" or (m.group("sep") == " " and len(m.group("year")) == 3)
            alone = alone and len(m.group("seq")) >= 2 and not _NOT_PLATE_BEFORE.search(before)
            if alone or _IE_CUE.search(before):
                confidence = _PLATE_CONFIDENCE if alone else _SENTENCE_CUE_CONFIDENCE
                yield self._plate(m.start(), m.end(), "IE", confidence)

    def _sentence_cued(self, analysis: Analysis) -> Iterable[Finding]:
        """A plate-shaped token (a letter and a digit, 5-8 characters) after a vehicle cue earlier in its
        sentence: "her rego in NSW was AB12CD"."""
        if _PLATE_CUE.search(analysis.text) is None and _WEAK_PLATE_CUE.search(analysis.text) is None:
            return  # no cue anywhere: no plate-shaped token to check
        for m in _CUED_PLATE.finditer(analysis.text):
            value = m.group()
            compact = _compact(value)
            if not (5 <= len(compact) <= 8) or compact.isdigit() or compact.isalpha():
                continue
            if _NOT_PLATE_VALUE.fullmatch(value) or not self._cue_before(analysis, m.start(), m.end()):
                continue
            if _NOT_PLATE_BEFORE.search(self._sentence_before(analysis, m.start())):
                continue  # "licence plate cameras, model LPR-500X"
            region = self._region(analysis, m.start(), m.end())
            yield self._plate(m.start(), m.end(), region, _SENTENCE_CUE_CONFIDENCE)

    @staticmethod
    def _sentence_before(analysis: Analysis, start: int) -> str:
        """Up to ``cue_window`` characters before ``start``, from the start of its sentence."""
        window = analysis.text[max(0, start - _CUE_WINDOW) : start]
        ends = [m.end() for m in _SENTENCE_END.finditer(window)]
        return window[ends[-1] :] if ends else window

    def _cue_before(self, analysis: Analysis, start: int, end: int) -> bool:
        """A vehicle cue in the sentence before the plate, or a weak one ("plate") close before it with a
        vehicle word or a state or province name in the sentence or just after the plate."""
        before = self._sentence_before(analysis, start)
        if _PLATE_CUE.search(before):
            return True
        if not _WEAK_PLATE_CUE.search(before[-_WEAK_CUE_WINDOW:]):
            return False
        around = before + " " + self._after(analysis, end)
        return _VEHICLE_WORD.search(around) is not None or _ANY_REGION_NAME.search(around) is not None

    @staticmethod
    def _after(analysis: Analysis, end: int) -> str:
        """Up to ``_AFTER_WINDOW`` characters after ``end``, to the end of its sentence."""
        window = analysis.text[end : end + _AFTER_WINDOW]
        stop = _SENTENCE_END.search(window)
        return window[: stop.start()] if stop else window

    def _region(self, analysis: Analysis, start: int, end: int) -> str | None:
        """The plate's region: its Irish format, else a state, province or country word in its sentence
        before it or just after it."""
        value = analysis.text[start:end]
        irish = _IE_PLATE.fullmatch(value)
        if irish and ie_year_valid(irish.group("year")):
            return "IE"
        before = self._sentence_before(analysis, start)
        around = before + " " + self._after(analysis, end)
        for region, names in _REGION_NAMES:
            if names.search(around):
                return region
        for region, codes in _REGION_CODES:
            if codes.search(before):
                return region
        return None

    def _plate(self, start: int, end: int, region: str | None, confidence: float) -> Finding:
        attributes = (("region", region),) if region else ()
        return self.finding(self.labels[0], start, end, confidence, attributes=attributes)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for f in inherit_attributes(super().analyze(analysis)):
            if not f.attributes and not _VIN.fullmatch(analysis.text[f.start : f.end]):  # a VIN has none
                region = self._region(analysis, f.start, f.end)
                f = replace(f, attributes=(("region", region),)) if region else f
            found.append(f)
        return found
