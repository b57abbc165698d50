"""Facilities: named hospitals and clinics, and unit / floor / room / bed mentions ("bed 7")."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

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
    r"(?!\s+(?!Hospital|Medical|Clinic|Foundation)[A-Z][a-z])"  # "Hospital Costs": an adjective, not a name
)
_GENERAL = re.compile(
    r"\b(?!(?:Surgeon|Attorney|Inspector|Secretary|Postmaster|Consul|Major|Brigadier|Lieutenant|Adjutant|"
    r"Solicitor|Accountant|Director|Governor|Auditor|Comptroller)\b)[A-Z][a-z]+\s+(?:General|Memorial)\b(?!\s+(?:Surgery|Medicine|Practice|Practitioners?|Pediatrics|"
    r"Public|Population|Assembly|Hospital|Medical|Health|Clinic|Counsel|Motors|Electric))"
)
_LEADING_STOP = frozenset(
    (NOT_NAMES | STOP_WORDS | {"at", "from", "to", "of", "for", "our", "your", "local", "new"})
    - {"st", "st."}
)


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
            self.finding(IdentifierLabel.FACILITY, m.start(), m.end(), 0.8) for m in _FLOOR.finditer(text)
        ]
        found += [
            self.finding(IdentifierLabel.FACILITY, m.start(), m.end(), 0.7) for m in _WING.finditer(text)
        ]
        for pattern, confidence in ((_NAMED, 0.8), (_GENERAL, 0.7)):
            for m in pattern.finditer(text):
                start = self._trim(text, m.start(), m.end())
                if start is None:
                    continue
                if analysis.headline(start, m.end()):
                    confidence = 0.4  # "Nurse Leaves Hospital": a headline's capitals do not make a name
                found.append(self.finding(IdentifierLabel.FACILITY, start, m.end(), confidence))
        return found

    @staticmethod
    def _trim(text: str, start: int, end: int) -> int | None:
        """Start of the name after the last sentence word ("Yesterday", "When A") in a capitalised run;
        None if no name is left."""
        pos = start
        cursor = start
        for word in text[start:end].split()[:-1]:
            cursor = text.index(word, cursor) + len(word)
            if word.lower().strip(".,") in _LEADING_STOP:
                pos = cursor
                while pos < end and text[pos].isspace():
                    pos += 1
        remaining = text[pos:end].split()
        return pos if len(remaining) >= 2 else None
