"""Quasi-identifiers: a rare condition or unusual circumstance plus place, time or demographics."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import MONTHS, RARE_CONDITIONS, RELATIVE_TIME, SEX_TERMS, US_STATES
from postguard.domain.identifiers.recognizer import Recognizer, TokenPattern
from postguard.domain.types import Finding, IdentifierLabel

_PLACE_LABELS = {IdentifierLabel.LOCATION, IdentifierLabel.FACILITY}
_TIME_LABELS = {IdentifierLabel.DATE}
_DEMOGRAPHIC_LABELS = {IdentifierLabel.AGE}
_PRONOUNS = frozenset({"he", "she", "his", "her"})  # too common to count as demographics
_LOCAL = re.compile(
    r"\b(?:local|our town|our city|downtown|in town|county|neighbou?rhood|street|avenue|route \d+|highway"
    r"|state fair|county fair|high school|middle school|church|in the state)\b",
    re.IGNORECASE,
)

EXTRA_RARE: tuple[str, ...] = (
    "guillain-barre", "guillain-barré", "guillain barre", "kawasaki disease", "huntington's", "measles",
    "polio", "diphtheria", "tularemia", "hantavirus", "leptospirosis", "locked-in syndrome", "takotsubo",
    "fatal familial insomnia", "stiff person syndrome", "rapunzel syndrome", "trichobezoar", "situs inversus",
    "malaria", "dengue", "mpox", "monkeypox", "third case", "second case", "first patient", "one of only",
)  # fmt: skip
"""Rare conditions and case-rarity phrases the shared lexicon lacks."""

UNUSUAL_CIRCUMSTANCES: tuple[str, ...] = (
    "crash", "car crash", "bus crash", "plane crash", "pileup", "house fire", "explosion", "drowning",
    "near-drowning", "fell from", "fall from", "ferris wheel", "roller coaster", "wedding", "bride", "groom",
    "marathon runner", "rodeo", "bull riding", "skydiving", "olympic", "olympics", "quarterback",
    "pro hockey", "pro football", "pro basketball", "hockey player", "football player", "nfl", "nba", "nhl",
    "hunting accident", "farm accident", "tractor", "construction site", "rebar", "lawnmower",
    "carbon monoxide", "mass casualty", "police chase", "fireworks accident", "accident at", "auger",
    "grain bin", "backstage", "on stage", "mid-flight", "in-flight",
)  # fmt: skip
"""Memorable circumstances that point at one person as surely as a rare disease does."""

ROLES: tuple[str, ...] = (
    "son", "daughter", "wife", "husband", "teacher", "pastor", "youth pastor", "priest", "rabbi", "imam",
    "firefighter", "police officer", "officer", "cop", "mayor", "councilman", "councilwoman", "senator",
    "coach", "student", "bus driver", "driver", "retired", "athlete", "swimmer", "runner", "player",
    "principal", "ceo", "anchor", "influencer", "farmer", "drummer", "musician", "singer", "nun", "monk",
    "bride", "groom", "hiker", "quarterback",
    "year-old",
)  # fmt: skip
"""Occupations, family roles and life stages that narrow a case to a few people."""

ENCOUNTER: tuple[str, ...] = (
    "treated", "saw a", "seen in", "admitted", "came in", "brought in", "our patient", "my patient",
    "intubated", "delivered", "operated on", "removed", "we had", "flown to", "transferred", "is in our",
    "in our icu", "in our ed", "in our nicu", "out of surgery", "off the ventilator", "recovering",
    "was our patient", "just had", "caring for", "took care of", "is stable",
)  # fmt: skip
"""Words that make the post about a patient actually seen, not about a disease in general."""

_NOT_PLACES = [
    *(m.lower() for m in MONTHS), "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "dr", "dr.", "the", "our", "my", "i", "covid", "grand", "st.",
]  # fmt: skip


class QuasiIdentifierRecognizer(Recognizer):
    """One QUASI_IDENTIFIER finding over the first rare-condition (or unusual-circumstance) mention when
    at least two of place, time and demographics also appear in the post, or one of them in a post about
    a patient actually seen ("treated", "came in", "our patient"). Runs after the other recognizers."""

    name = "QuasiIdentifierRecognizer"
    labels = (IdentifierLabel.QUASI_IDENTIFIER,)

    def phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        return {
            "RARE": (*RARE_CONDITIONS, *EXTRA_RARE, *UNUSUAL_CIRCUMSTANCES),
            "TIME": (*RELATIVE_TIME, "this morning's", "last night's", "during the game", "fourth of july"),
            "SEX": [t for t in (*SEX_TERMS, *ROLES) if t not in _PRONOUNS],
            "ENCOUNTER": ENCOUNTER,
        }

    def cased_phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        return {"STATE": [s for s in US_STATES if len(s) > 2]}

    def token_patterns(self) -> Mapping[str, list[TokenPattern]]:
        return {
            "PLACE_NAME": [
                [
                    {"LOWER": {"IN": ["from", "in", "at", "near", "on"]}},
                    {"LOWER": "the", "OP": "?"},
                    {"IS_TITLE": True, "IS_ALPHA": True, "LOWER": {"NOT_IN": _NOT_PLACES}},
                ]
            ],
        }

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
        seen = bool(self.spans(analysis, "ENCOUNTER"))
        if dimensions < 2 and not (dimensions == 1 and seen):
            return []
        first = rare[0]
        confidence = 0.85 if dimensions == 3 else 0.7 if dimensions == 2 else 0.6
        return [self.finding(IdentifierLabel.QUASI_IDENTIFIER, first.start_char, first.end_char, confidence)]
