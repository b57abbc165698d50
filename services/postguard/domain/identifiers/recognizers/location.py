"""Places smaller than a state: street addresses, ZIP codes with address context, cities, counties.

State names alone are not identifiers. A city from the gazetteer counts when a residence cue
("from", "lives in") introduces it, or when the sentence is about care; a conference city is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import NOT_NAMES, US_CITIES, US_STATES, rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("location.yaml")
_STATES = "|".join(sorted((re.escape(s) for s in US_STATES), key=len, reverse=True))
_STREET = _DATA.template("street", states=_STATES)
_ZIP_CUED = _DATA.template("zip_cued", states=_STATES)
_BOX = _DATA.regex("po_box")
_COUNTY = _DATA.regex("county")
_RESIDENCE = _DATA.regex("residence")
_UNKNOWN_PLACE = _DATA.regex("unknown_place")
_STATE_SET = frozenset(s.lower() for s in US_STATES)


def residence_cue(analysis: Analysis, start: int) -> bool:
    """Does a residence cue ("from", "lives in", "near") introduce the place starting at ``start``?"""
    return bool(_RESIDENCE.search(analysis.before(start, 30)))


class LocationRecognizer(Recognizer):
    """LOCATION findings for addresses, cued ZIP codes, counties and cities."""

    name = "LocationRecognizer"
    labels = (IdentifierLabel.LOCATION,)
    triggers = (_DATA.regex("trigger"),)
    cased_triggers = (_DATA.regex("cased_trigger"), _DATA.regex("cased_trigger_numbers"))
    trigger_keys = ("CITY",)

    def cased_phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        return {"CITY": US_CITIES}

    def analyze(self, analysis: Analysis) -> list[Finding]:
        text = analysis.text
        found = [
            self.finding(IdentifierLabel.LOCATION, m.start(), m.end(), 0.9) for m in _STREET.finditer(text)
        ]
        found += [
            self.finding(IdentifierLabel.LOCATION, m.start("zip"), m.end("zip"), 0.85)
            for m in _ZIP_CUED.finditer(text)
        ]
        found += [
            self.finding(IdentifierLabel.LOCATION, m.start(), m.end(), 0.8) for m in _COUNTY.finditer(text)
        ]
        found += [
            self.finding(IdentifierLabel.LOCATION, m.start(), m.end(), 0.85) for m in _BOX.finditer(text)
        ]
        for m in _UNKNOWN_PLACE.finditer(text):
            place = m.group("place")
            if place.lower() not in _STATE_SET and place.split()[0].lower() not in NOT_NAMES:
                found.append(self.finding(IdentifierLabel.LOCATION, m.start("place"), m.end("place"), 0.6))
        for span in self.spans(analysis, "CITY"):
            start, end = span.start_char, span.end_char
            if residence_cue(analysis, start):
                confidence = 0.8
            elif analysis.about_care(start, end):
                confidence = 0.6
            else:
                continue
            found.append(self.finding(IdentifierLabel.LOCATION, start, end, confidence))
        return found
