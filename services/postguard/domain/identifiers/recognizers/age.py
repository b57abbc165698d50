"""Ages: "92-year-old", "aged 45", "45yo", "45 y/o", "in her 90s"; any age over 89 is always flagged."""

from __future__ import annotations

import re

from postguard.domain.identifiers.analysis import CARE_KEY, Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.messages import AGE_OVER_89_REASON
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}  # fmt: skip
_DATA = rule_file("age.yaml")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, _DATA.regex(kind)) for kind in _DATA.phrases("kinds")
)
"""(kind, pattern) in the order their findings are made: "sex" is clinical shorthand ("45M with"),
"apposition" an age between commas ("Mr. K, 67, came in")."""
# kinds whose finding covers only the number ("Mr. K, 67,") rather than the whole match
_AGE_GROUP = {"apposition": "n"}
_POPULATION_BEFORE = _DATA.regex("population_before")
_POPULATION_AFTER = _DATA.regex("population_after")
_NUMBER_WORD_SPLIT = _DATA.regex("number_word_split")


class AgeRecognizer(Recognizer):
    """AGE findings; confidence 1.0 and the Safe Harbor >89 reason for anyone older than 89."""

    name = "AgeRecognizer"
    labels = (IdentifierLabel.AGE,)
    triggers = (_DATA.regex("trigger"), _DATA.regex("trigger_numbers"))

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for kind, pattern in _PATTERNS:
            for m in pattern.finditer(analysis.text):
                if kind in {"aged", "years", "short"} and self._population(analysis, m.start(), m.end()):
                    continue
                age = self._age(kind, m)
                if age is None:
                    continue
                # "survivor at 34": only the number is the age
                group = _AGE_GROUP.get(kind, 0)
                if kind == "at":
                    group = "n" if m.group("n") else "m"
                elif kind == "sex" and m.group("p"):
                    group = "p"
                start, end = m.span(group)
                if age > 89:
                    found.append(
                        self.finding(IdentifierLabel.AGE, start, end, 1.0, reason=AGE_OVER_89_REASON)
                    )
                    continue
                care = analysis.near(CARE_KEY, start, end, tokens=15)
                confidence = 0.8 if care or kind in {"short", "sex", "apposition"} else 0.7
                if kind == "decade":
                    confidence = 0.5
                found.append(self.finding(IdentifierLabel.AGE, start, end, confidence))
        return found

    @staticmethod
    def _population(analysis: Analysis, start: int, end: int) -> bool:
        """Guideline ages ("adults aged 50 and over") describe a population, not a patient."""
        return bool(
            _POPULATION_BEFORE.search(analysis.before(start, 25))
            or _POPULATION_AFTER.match(analysis.after(end, 20))
        )

    @staticmethod
    def _age(kind: str, m: re.Match[str]) -> int | None:
        if kind == "elder":
            return 100 if "centenarian" in m.group().lower() else 90
        if kind == "infant":
            return 0
        if kind == "decade":
            return int(m.group("d")) * 10  # "in her 90s" is over 89 from its first year
        if kind == "words":
            words = _NUMBER_WORD_SPLIT.split(m.group("w").lower())
            if words[:2] == ["one", "hundred"]:
                return 100 + _UNITS.get(words[-1], 0)
            return _TENS[words[0]] + (_UNITS[words[1]] if len(words) > 1 and words[1] in _UNITS else 0)
        if kind == "sex" and m.group("p"):
            return int(m.group("p"))
        if kind == "at" and m.group("m"):
            n = int(m.group("m"))
            return n if 25 <= n < 125 else None  # "at 10 he left" is a time, "at 101 she" an age
        n = int(m.group("n"))
        return n if 0 < n < 125 else None
