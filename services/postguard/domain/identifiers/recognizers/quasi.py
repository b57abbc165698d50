"""Quasi-identifiers: a rare condition or unusual circumstance plus place, time or demographics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import (
    MONTHS,
    RARE_CONDITIONS,
    RELATIVE_TIME,
    SEX_TERMS,
    US_STATES,
    expand_patterns,
    rule_file,
)
from postguard.domain.identifiers.recognizer import Recognizer, TokenPattern
from postguard.domain.types import Finding, IdentifierLabel

_PLACE_LABELS = {IdentifierLabel.LOCATION, IdentifierLabel.FACILITY}
_TIME_LABELS = {IdentifierLabel.DATE}
_DEMOGRAPHIC_LABELS = {IdentifierLabel.AGE}
_DATA = rule_file("quasi.yaml")
_PRONOUNS = frozenset(_DATA.phrases("pronouns"))
"""Too common to count as demographics."""
_LOCAL = _DATA.regex("local")
_UNIQUENESS = _DATA.regex("uniqueness")
EXTRA_RARE: tuple[str, ...] = _DATA.phrases("extra_rare")
"""Rare conditions and case-rarity phrases the shared lexicon lacks."""
UNUSUAL_CIRCUMSTANCES: tuple[str, ...] = _DATA.phrases("unusual_circumstances")
"""Memorable circumstances that point at one person as surely as a rare disease does."""
ROLES: tuple[str, ...] = _DATA.phrases("roles")
"""Occupations, family roles and life stages that narrow a case to a few people."""
ENCOUNTER: tuple[str, ...] = _DATA.phrases("encounter")
"""Words that make the post about a patient actually seen, not about a disease in general."""
_EXTRA_TIME: tuple[str, ...] = _DATA.phrases("extra_time")

_NOT_PLACES = [*(m.lower() for m in MONTHS), *_DATA.phrases("not_place_words")]


class QuasiIdentifierRecognizer(Recognizer):
    """One QUASI_IDENTIFIER finding over the first rare-condition (or unusual-circumstance) mention when
    at least two of place, time and demographics also appear in the post, or one of them in a post about
    a patient actually seen ("treated", "came in", "our patient") or singled out ("the only patient
    with"). Runs after the other recognizers."""

    name = "QuasiIdentifierRecognizer"
    labels = (IdentifierLabel.QUASI_IDENTIFIER,)
    trigger_keys = ("RARE",)

    def phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        return {
            "RARE": (*RARE_CONDITIONS, *EXTRA_RARE, *UNUSUAL_CIRCUMSTANCES),
            "TIME": (*RELATIVE_TIME, *_EXTRA_TIME),
            "SEX": [t for t in (*SEX_TERMS, *ROLES) if t not in _PRONOUNS],
            "ENCOUNTER": ENCOUNTER,
        }

    def cased_phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        return {"STATE": [s for s in US_STATES if len(s) > 2]}

    def token_patterns(self) -> Mapping[str, list[TokenPattern]]:
        return {"PLACE_NAME": expand_patterns(_DATA.patterns("place_name"), {"not_places": _NOT_PLACES})}

    def analyze(self, analysis: Analysis) -> list[Finding]:
        rare = self.spans(analysis, "RARE")
        if not rare:
            return []
        labels = {f.label for f in analysis.findings}
        place = (
            bool(labels & _PLACE_LABELS)
            or bool(_LOCAL.search(analysis.text))
            or bool(self.spans(analysis, "STATE"))
            or bool(self.spans(analysis, "PLACE_NAME"))
        )
        time = bool(labels & _TIME_LABELS) or bool(self.spans(analysis, "TIME"))
        demographics = bool(labels & _DEMOGRAPHIC_LABELS) or bool(self.spans(analysis, "SEX"))
        dimensions = place + time + demographics
        seen = bool(self.spans(analysis, "ENCOUNTER")) or bool(_UNIQUENESS.search(analysis.text))
        if dimensions < 2 and not (dimensions == 1 and seen):
            return []
        first = rare[0]
        confidence = 0.85 if dimensions == 3 else 0.7 if dimensions == 2 else 0.6
        return [self.finding(IdentifierLabel.QUASI_IDENTIFIER, first.start_char, first.end_char, confidence)]
