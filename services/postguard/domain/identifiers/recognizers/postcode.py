"""Postcodes as LOCATION findings: full UK and Canadian postcodes alone; US ZIPs, Indian PINs and
Australian postcodes only with context (a cue word, a state, a city just before them). Cities come from
the shipped GeoNames gazetteer (CC BY 4.0, ``lexicons.place_gazetteer``). Each finding carries
``granularity`` = postcode and ``region``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from spacy.lang.en.stop_words import STOP_WORDS

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import NOT_NAMES, US_CITIES, US_STATES, place_gazetteer, rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.spans import DisjointSpans
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("postcode.yaml")
_UK = _DATA.template("uk", areas="|".join(sorted(_DATA.phrases("uk_areas"), key=len, reverse=True)))
_CANADA = _DATA.regex("canada")
_ZIP_PLUS4 = _DATA.regex("zip_plus4")
_ZIP_CUE = _DATA.regex("zip_cue")
_ZIP_AREA = _DATA.regex("zip_area")
_PIN_CUE = _DATA.regex("pin_cue")
_AU_STATE = _DATA.regex("australia_state")
_SUBURB_BEFORE = _DATA.regex("suburb_before")
_CODE = _DATA.regex("code")
_PLACE_BEFORE = _DATA.regex("place_before")
_PLACE_WORDS = 4
"""Words of a place name looked up before a code ('Salt Lake City')."""
_DISTINCT = _DATA.number("distinct_confidence")
_ZIP_PLUS4_CONFIDENCE = _DATA.number("zip_plus4_confidence")
_CITY_ONLY = _DATA.number("city_only_confidence")
_YEARS = range(1900, 2100)
_US_STATE_CODES = frozenset(s for s in US_STATES if len(s) == 2)


def _ranges(spec: str) -> tuple[str, tuple[range, ...]]:
    """``"NSW 1000-2599 2619-2899"`` -> ("NSW", (range(1000, 2600), range(2619, 2900)))."""
    state, *spans = spec.split()
    return state, tuple(range(int(lo), int(hi) + 1) for lo, hi in (s.split("-") for s in spans))


_AU_RANGES = dict(_ranges(spec) for spec in _DATA.phrases("au_states"))


@cache
def place_names() -> dict[str, frozenset[str]]:
    """Place names (exact case) after which a postcode of the region may follow, by region: the shipped
    GeoNames gazetteer's places of the region with at least as many digits of population as
    ``min_city_population`` (plus the US cities and states and India's places of ``postcode.yaml``)."""
    digits = len(str(int(_DATA.number("min_city_population"))))
    names: dict[str, set[str]] = {
        "US": {*US_CITIES, *US_STATES},
        "IN": set(_DATA.phrases("india_places")),
        "AU": set(),
    }
    for name, (countries, size) in place_gazetteer().items():
        if size >= digits:
            for region in countries.split(","):
                if region in names:
                    names[region].add(name)
    return {region: frozenset(n for n in found if n[:1].isupper()) for region, found in names.items()}


def au_postcode_valid(state: str, code: str) -> bool:
    """Is ``code`` in a range Australia Post allocates to ``state`` (any state when ``state`` is '')?"""
    states = [state.upper()] if state else list(_AU_RANGES)
    return any(int(code) in r for s in states for r in _AU_RANGES.get(s, ()))


def _suburb_before(text: str, start: int) -> bool:
    """Is a capitalised place word right before ``start`` ('Ryde NSW 2112', not 'the NSW 2024 report')?
    Needed when the postcode could be a year."""
    m = _SUBURB_BEFORE.search(text[max(0, start - 30) : start])
    word = m.group("word").lower() if m else ""
    return bool(word) and word not in NOT_NAMES and word not in STOP_WORDS


class PostcodeRecognizer(Recognizer):
    """``SW1A 1AA``, ``K1A 0B6``, ``Cambridge, MA 02139``, ``zip 02139``, ``Bengaluru 560034``,
    ``pincode 110 001``, ``Fitzroy VIC 3065``."""

    name = "PostcodeRecognizer"
    labels = (IdentifierLabel.LOCATION,)
    triggers = (_DATA.regex("trigger"),)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        candidates = [
            *self._distinct(analysis.text),
            *self._cued(analysis.text),
            *self._after_places(analysis),
        ]
        found, taken = [], DisjointSpans()
        for start, end, region, confidence in sorted(candidates, key=lambda c: (-c[3], c[0])):
            if taken.add_if_free(start, end):
                attributes = (("granularity", "postcode"), ("region", region))
                found.append(
                    self.finding(IdentifierLabel.LOCATION, start, end, confidence, attributes=attributes)
                )
        return sorted(found, key=lambda f: f.start)

    def _distinct(self, text: str) -> Iterable[tuple[int, int, str, float]]:
        """Formats that are postcodes on their own."""
        yield from ((m.start(), m.end(), "GB", _DISTINCT) for m in _UK.finditer(text))
        yield from ((m.start(), m.end(), "CA", _DISTINCT) for m in _CANADA.finditer(text))
        yield from ((m.start(), m.end(), "US", _ZIP_PLUS4_CONFIDENCE) for m in _ZIP_PLUS4.finditer(text))

    def _cued(self, text: str) -> Iterable[tuple[int, int, str, float]]:
        """Digit runs after a cue word or a state."""
        for pattern, region in ((_ZIP_CUE, "US"), (_ZIP_AREA, "US"), (_PIN_CUE, "IN")):
            yield from ((m.start("code"), m.end("code"), region, _DISTINCT) for m in pattern.finditer(text))
        for m in _AU_STATE.finditer(text):
            code = m.group("code")
            if au_postcode_valid(m.group("state"), code) and (
                int(code) not in _YEARS or _suburb_before(text, m.start())
            ):
                yield m.start("code"), m.end("code"), "AU", _DISTINCT

    def _after_places(self, analysis: Analysis) -> Iterable[tuple[int, int, str, float]]:
        """Codes right after a city or state of their region ('Austin, TX 78701', 'Pune - 411001')."""
        text = analysis.text
        for m in _CODE.finditer(text):
            region = _region_of_code(m)
            before = _PLACE_BEFORE.search(text, max(0, m.start() - 60), m.start())
            if before is None or not _is_place(before, region):
                continue
            code, confidence = m.group(), _DISTINCT
            if region == "AU":
                if before.group("state") or not au_postcode_valid("", code) or int(code) in _YEARS:
                    continue  # after a state: australia_state's
                confidence = _CITY_ONLY
            yield m.start(), m.end(), region, confidence


def _region_of_code(match: re.Match[str]) -> str:
    """Whose postcode a code of this shape would be: 5 digits (or ZIP+4) US, 6 India, 4 Australia."""
    digits = sum(c.isdigit() for c in match.group())
    return "US" if digits in (5, 9) else "IN" if digits == 6 else "AU"


def _is_place(before: re.Match[str], region: str) -> bool:
    """Do the last words before the code name a place of ``region`` (with a state code it must be one)?"""
    state = before.group("state")
    if state and region == "US" and state not in _US_STATE_CODES:
        return False
    if before.group("dash") and region != "IN":
        return False
    names, words = place_names()[region], before.group("place").split()
    return any(" ".join(words[i:]) in names for i in range(max(0, len(words) - _PLACE_WORDS), len(words)))
