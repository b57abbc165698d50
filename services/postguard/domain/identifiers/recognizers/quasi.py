"""Quasi-identifiers: a rare condition or unusual circumstance plus place, time or demographics."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import RARE_CONDITIONS, RELATIVE_TIME, SEX_TERMS
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_PLACE_LABELS = {IdentifierLabel.LOCATION, IdentifierLabel.FACILITY}
_TIME_LABELS = {IdentifierLabel.DATE}
_DEMOGRAPHIC_LABELS = {IdentifierLabel.AGE}
_PRONOUNS = frozenset({"he", "she", "his", "her"})  # too common to count as demographics
_LOCAL = re.compile(r"\b(?:local|our town|our city|downtown|in town|county|neighbou?rhood)\b", re.IGNORECASE)


class QuasiIdentifierRecognizer(Recognizer):
    """One QUASI_IDENTIFIER finding over the first rare-condition mention when at least two of
    place, time and demographics also appear in the post. Runs after the other recognizers."""

    name = "QuasiIdentifierRecognizer"
    labels = (IdentifierLabel.QUASI_IDENTIFIER,)

    def phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        return {
            "RARE": RARE_CONDITIONS,
            "TIME": RELATIVE_TIME,
            "SEX": [t for t in SEX_TERMS if t not in _PRONOUNS],
        }

    def analyze(self, analysis: Analysis) -> list[Finding]:
        rare = self.spans(analysis, "RARE")
        if not rare:
            return []
        labels = {f.label for f in analysis.findings}
        place = bool(labels & _PLACE_LABELS) or bool(_LOCAL.search(analysis.text))
        time = bool(labels & _TIME_LABELS) or bool(self.spans(analysis, "TIME"))
        demographics = bool(labels & _DEMOGRAPHIC_LABELS) or bool(self.spans(analysis, "SEX"))
        dimensions = place + time + demographics
        if dimensions < 2:
            return []
        first = rare[0]
        confidence = 0.7 if dimensions == 2 else 0.85
        return [self.finding(IdentifierLabel.QUASI_IDENTIFIER, first.start_char, first.end_char, confidence)]
