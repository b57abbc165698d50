"""Facilities: named hospitals and clinics, and unit / floor / room / bed mentions ("bed 7").

Every finding carries a ``kind`` attribute the policy can act on: ``bed`` (a bed, cot, cubicle or
trolley number), ``room`` (a room, bay, pod or theatre), ``ward`` (a numbered or named ward), ``unit``
(a floor, a wing) or ``named`` (a named hospital or clinic). A bed or room in a sentence about an
event ("seminar room 2", "room 204 for grand rounds") is a venue: not flagged, or under the policy bar.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import EVENT_TERMS, NOT_NAMES, rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("facility.yaml")
_ROOM = _DATA.regex("room")
_FLOOR = _DATA.regex("floor")
_WING = _DATA.regex("wing")
_NAMED = _DATA.regex("named")
_GENERAL = _DATA.regex("general")
_NAMED_WARD = _DATA.regex("named_ward")


def _alternation(items: tuple[str, ...]) -> str:
    """Escaped items, longest first, for a ``(?:...)`` group."""
    return "|".join(sorted((re.escape(item) for item in items), key=len, reverse=True))


_CARE_SPACE = _DATA.template("care_space", units=_alternation(_DATA.phrases("units")))
_VENUES = _alternation(_DATA.phrases("venue_words"))
_VENUE_BEFORE = re.compile(rf"\b(?:{_VENUES})\s*$")
_EVENT = re.compile(rf"\b(?:{_alternation(tuple(t.lower() for t in EVENT_TERMS))})\b")
_WORD_OR_DIGIT = re.compile(r"[a-z]+|\d")
_KIND_WORDS = {
    "bed": frozenset(_DATA.phrases("bed_words")),
    "room": frozenset(_DATA.phrases("room_words")),
    "ward": frozenset(_DATA.phrases("ward_words")),
}
_SPECIFIC = ("bed", "room", "ward", "unit")
"""Kinds from the most specific: a span holding a bed and its ward is a bed."""
EVENT_CONFIDENCE = 0.45
"""A bed or room number in a sentence about an event and not about care: under the default bar."""
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
        found = self._care_spaces(analysis)
        for m in _FLOOR.finditer(text):
            # a floor alone ("the new unit on the 3rd floor") is a building, unless the sentence is about care
            bare = m.group().lower().endswith("floor") and not analysis.about_care(m.start(), m.end())
            finding = self.finding(IdentifierLabel.FACILITY, m.start(), m.end(), 0.45 if bare else 0.8)
            found.append(self._kind(finding, "unit"))
        found += [
            self._kind(self.finding(IdentifierLabel.FACILITY, m.start(), m.end(), 0.7), "unit")
            for m in _WING.finditer(text)
        ]
        for pattern, confidence in ((_NAMED, 0.8), (_GENERAL, 0.7)):
            for m in pattern.finditer(text):
                start = self._trim(text, m.start(), m.end())
                if start is None:
                    continue
                if analysis.headline(start, m.end()):
                    confidence = 0.4  # "Nurse Leaves Hospital": a headline's capitals do not make a name
                finding = self.finding(IdentifierLabel.FACILITY, start, m.end(), confidence)
                found.append(self._kind(finding, "named"))
        return found

    def _care_spaces(self, analysis: Analysis) -> list[Finding]:
        """Beds, rooms and wards: each regex's matches, overlapping ones joined into one span whose kind
        is the most specific of its parts; venues skipped, event rooms under the policy bar."""
        text, lower = analysis.text, analysis.lower
        spans: list[tuple[int, int, str]] = []
        for pattern in (_ROOM, _CARE_SPACE):
            for m in pattern.finditer(text):
                if _VENUE_BEFORE.search(lower, max(0, m.start() - 25), m.start()):
                    continue
                spans.append((m.start(), m.end(), _cue_kind(lower[m.start() : m.end()])))
        for m in _NAMED_WARD.finditer(text):
            group = "a" if m.group("a") else "b"
            start = m.start(group)
            if text[start : m.end(group)].split()[0].lower() not in _LEADING_STOP:
                spans.append((start, m.end(group), "ward"))
        found = []
        for start, end, kind in _joined(spans):
            confidence = 0.85
            if not analysis.about_care(start, end) and _EVENT.search(analysis.window(start, end, 60, 60)):
                confidence = EVENT_CONFIDENCE
            found.append(self._kind(self.finding(IdentifierLabel.FACILITY, start, end, confidence), kind))
        return found

    @staticmethod
    def _kind(finding: Finding, kind: str) -> Finding:
        return replace(finding, attributes=(("kind", kind),))

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


def _cue_kind(span: str) -> str:
    """The kind of a lower-cased bed / room / ward span, from the cue word before its first number."""
    parts = _WORD_OR_DIGIT.findall(span)
    digits = [i for i, part in enumerate(parts) if part.isdigit()]
    words = [p for p in parts[: digits[0] if digits else 0] if len(p) > 1]  # "bay b2": the cue is "bay"
    word = words[-1] if words else ""
    for kind, words in _KIND_WORDS.items():
        if word in words:
            return kind
    return "unit"  # "floor 3"


def _joined(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one, with the most specific kind among them."""
    out: list[list] = []
    for start, end, kind in sorted(spans):
        if out and start < out[-1][1]:
            last = out[-1]
            last[1] = max(last[1], end)
            last[2] = min(last[2], kind, key=_SPECIFIC.index)
        else:
            out.append([start, end, kind])
    return [(s, e, k) for s, e, k in out]
