"""Facilities: named hospitals and clinics, and unit / floor / room / bed mentions ("bed 7")."""

from __future__ import annotations

import re

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import NOT_NAMES
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_ROOM = re.compile(
    r"\b(?:exam room|trauma bay|room|rm\.?|bed|bay|cubicle|cube|pod|stall|ward|floor|isolation room)"
    r"\s*#?\s*\d{1,4}[A-Za-z]?\b(?!\s*(?:%|mg|patients|people|beds|rooms))",
    re.IGNORECASE,
)
_FLOOR = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)[\s\-]floor\b(?:\s+(?:ICU|NICU|PICU|CCU|unit|ward|med[\s\-]surg|"
    r"oncology|surgical|medical|step[\s\-]?down|telemetry|tele|rehab|psych|L&D|maternity)\b)?",
    re.IGNORECASE,
)
_WING = re.compile(r"\b\d{1,2}\s?(?:North|South|East|West)\b(?!\s+[A-Z0-9])")
_FACILITY_NOUN = (
    r"(?:Hospital|Medical Center|Medical Centre|Health Center|Health Centre|Health System|Clinic|"
    r"Infirmary|Hospice|Nursing Home|Care Home|Rehab(?:ilitation)? Center|Urgent Care|Surgery Center|"
    r"Cancer Center|Children's Hospital)"
)
_NAMED = re.compile(
    r"\b(?:(?:St\.?|Saint|Mount|Mt\.?)\s+)?(?:[A-Z][\w'’.\-]*\s+){1,4}" + _FACILITY_NOUN + r"\b"
    r"(?:\s+(?:Hospital|Medical Center|Clinic))?"
)
_GENERAL = re.compile(
    r"\b[A-Z][a-z]+\s+(?:General|Memorial)\b(?!\s+(?:Surgery|Medicine|Practice|Practitioners?|Pediatrics|"
    r"Public|Population|Assembly|Hospital|Medical|Health|Clinic|Counsel|Motors|Electric))"
)
_LEADING_STOP = frozenset(NOT_NAMES | {"at", "from", "to", "of", "for", "our", "your", "local", "new"})


class FacilityRecognizer(Recognizer):
    """FACILITY findings; generic mentions ("the hospital", "our clinic") are not flagged."""

    name = "FacilityRecognizer"
    labels = (IdentifierLabel.FACILITY,)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        text = analysis.text
        found = [
            self.finding(IdentifierLabel.FACILITY, m.start(), m.end(), 0.85) for m in _ROOM.finditer(text)
        ]
        found += [
            self.finding(IdentifierLabel.FACILITY, m.start(), m.end(), 0.85) for m in _FLOOR.finditer(text)
        ]
        found += [
            self.finding(IdentifierLabel.FACILITY, m.start(), m.end(), 0.7) for m in _WING.finditer(text)
        ]
        for m in _NAMED.finditer(text):
            start = self._trim(text, m.start(), m.end())
            if start is not None:
                found.append(self.finding(IdentifierLabel.FACILITY, start, m.end(), 0.8))
        for m in _GENERAL.finditer(text):
            start = self._trim(text, m.start(), m.end())
            if start is not None:
                found.append(self.finding(IdentifierLabel.FACILITY, start, m.end(), 0.7))
        return found

    @staticmethod
    def _trim(text: str, start: int, end: int) -> int | None:
        """Drop leading sentence words ("Yesterday", "The") from a capitalised run; None if no name left."""
        pos = start
        words = text[start:end].split()
        for word in words[:-1]:
            if word.lower().strip(".,") in _LEADING_STOP:
                pos = text.index(word, pos) + len(word)
                while pos < end and text[pos].isspace():
                    pos += 1
            else:
                break
        remaining = text[pos:end].split()
        return pos if len(remaining) >= 2 else None
