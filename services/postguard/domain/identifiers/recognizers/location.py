"""Places smaller than a state: street addresses, ZIP codes with address context, cities, counties.

State names alone are not identifiers. A city from the gazetteer counts when a residence cue
("from", "lives in") introduces it, or when the sentence is about care; a conference city is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import NOT_NAMES, US_CITIES, US_STATES
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Ter|"
    r"Highway|Hwy|Parkway|Pkwy|Circle|Cir|Square|Sq|Trail|Trl|Pike|Alley|Row)"
)
_STATES = "|".join(sorted((re.escape(s) for s in US_STATES), key=len, reverse=True))
_STREET = re.compile(
    rf"\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:(?:[A-Z][a-z]+|\d{{1,3}}(?:st|nd|rd|th))\.?\s+){{1,3}}{_SUFFIX}\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*#?\w{1,6})?"
    rf"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?(?:,?\s*(?:{_STATES})\b)?(?:\s+\d{{5}}(?:-\d{{4}})?)?"
)
_ZIP_CUED = re.compile(
    r"(?:\b(?:zip|zip code|zipcode|postal code|postcode)\b[:#\s]*(?:is\s+|was\s+)?"
    rf"|(?<=[,\s])(?:{_STATES})\s+)"
    r"(?P<zip>\d{5}(?:-\d{4})?)(?![\w-])",
    re.IGNORECASE,
)
_BOX = re.compile(
    r"\b(?:P\.?\s?O\.?\s+Box\s+\d{1,6}|(?:PSC|CMR|Unit)\s+\d{3,5},?\s+Box\s+\d{1,5}"
    r"(?:\s*(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})?)",
    re.IGNORECASE,
)
_COUNTY = re.compile(r"\b(?:[A-Z][a-z]+\s){1,2}(?:County|Parish|Borough|Township)\b")
_RESIDENCE = re.compile(
    r"(?:\bfrom|lives in|living in|lived in|resident of|resides in|native of|hometown(?: of)?|moved to|"
    r"\bnear|outside(?: of)?|downtown|in rural|in suburban)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_UNKNOWN_PLACE = re.compile(
    r"(?:lives in|living in|resident of|resides in|native of|hometown of|small town of|village of|town of)"
    r"\s+(?P<place>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
)
_STATE_SET = frozenset(s.lower() for s in US_STATES)


def residence_cue(analysis: Analysis, start: int) -> bool:
    """Does a residence cue ("from", "lives in", "near") introduce the place starting at ``start``?"""
    return bool(_RESIDENCE.search(analysis.before(start, 30)))


class LocationRecognizer(Recognizer):
    """LOCATION findings for addresses, cued ZIP codes, counties and cities."""

    name = "LocationRecognizer"
    labels = (IdentifierLabel.LOCATION,)

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
