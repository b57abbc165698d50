"""Facilities: named hospitals and clinics, and unit / floor / room / bed mentions ("bed 7")."""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import NOT_NAMES, rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("facility.yaml")
_ROOM = _DATA.regex("room")
_FLOOR = _DATA.regex("floor")
_WING = _DATA.regex("wing")
_NAMED = _DATA.regex("named")
_GENERAL = _DATA.regex("general")
_LEADING_STOP = frozenset(
    (NOT_NAMES | STOP_WORDS | {"at", "from", "to", "of", "for", "our", "your", "local", "new"})
    - {"st", "st."}
)


class FacilityRecognizer(Recognizer):
    """FACILITY findings; generic mentions ("the hospital", "our clinic") are not flagged."""

    name = "FacilityRecognizer"
    labels = (IdentifierLabel.FACILITY,)
    triggers = (_DATA.regex("trigger"),)
    cased_triggers = (_DATA.regex("cased_trigger"),)

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
