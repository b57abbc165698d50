"""Ages: "92-year-old", "aged ninety-one", "45yo", "34F", "aged 6 months", "in her 90s"; any age over
89 is always flagged. Every AGE finding carries ("years", "<decimal years>") so the policy reads the age
however it was written (months, weeks and days are converted)."""

from __future__ import annotations

import dataclasses
import re

from postguard.domain.engine.regex_scan import RegexScanner
from postguard.domain.identifiers.analysis import CARE_KEY, Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.messages import AGE_OVER_89_REASON
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.roles import NOT_PATIENT_ROLES
from postguard.domain.spans import DisjointSpans
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("age.yaml")
_UNIT_WORDS = _DATA.phrases("number_units")
_TEN_WORDS = _DATA.phrases("number_tens")
NUMBER_WORDS: dict[str, int] = {
    **{word: value for value, word in enumerate(_UNIT_WORDS)},
    **{word: 20 + 10 * i for i, word in enumerate(_TEN_WORDS)},
}
"""Number word (lower case) -> value: zero to nineteen and the tens (also read by date resolution)."""
_DECADE_WORDS = {word[:-1] + "ies": value for word, value in NUMBER_WORDS.items() if word in _TEN_WORDS}


def _alternation(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_UNITS_1_9 = _alternation(list(_UNIT_WORDS[1:10]))
_TENS_UNITS = rf"(?:{_alternation(list(_TEN_WORDS))})(?:[\s\-](?:{_UNITS_1_9})\b)?"
_BELOW_100 = rf"{_TENS_UNITS}|{_alternation(list(_UNIT_WORDS[1:]))}"
_HUNDREDS = rf"(?:one|a)\s+hundred(?:\s+and\s+|[\s\-])(?:{_BELOW_100})\b|(?:one|a)\s+hundred\b"
_SLOTS = {
    "number_word": rf"(?:{_HUNDREDS}|{_BELOW_100})",
    "decade_word": _alternation(list(_DECADE_WORDS)),
}
"""Template slots: an age in words (one to one hundred and ninety-nine) and the decades in words."""


def _pattern(kind: str) -> re.Pattern[str]:
    template = _DATA.templates_by_name.get(kind)
    if template is None:
        return _DATA.regex(kind)
    return _DATA.template(kind, **{slot: _SLOTS[slot] for slot in template.slots})


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, _pattern(kind)) for kind in _DATA.phrases("kinds")
)
"""(kind, pattern) in the order their findings are made: "sex" is clinical shorthand ("45M with"),
"apposition" an age between commas ("Mr. K, 67, came in")."""
# kinds whose finding covers only the number ("Mr. K, 67,") rather than the whole match
_AGE_GROUP = {"apposition": "n", "is_today": "n"}
_POPULATION_BEFORE = _DATA.regex("population_before")
_POPULATION_AFTER = _DATA.regex("population_after")
_NUMBER_WORD_SPLIT = _DATA.regex("number_word_split")
_SEX_NOT_BEFORE = _DATA.regex("sex_not_before")
_SEX_SPACED_BEFORE = _DATA.regex("sex_spaced_before")
_PERSON_APPOSITION = _DATA.regex("person_apposition")
_UNIT_YEARS = {"d": 1 / 365.25, "w": 7 / 365.25, "m": 1 / 12}
"""Years per day, week and month (keyed by the unit's first letter)."""
_LOOSE_SEX = {"sex_loose", "sex_slash"}
"""Age-and-sex shorthand without a clinical cue: kept only in a care sentence (``_loose_sex``)."""
_POPULATION_KINDS = {"aged", "aged_words", "aged_units", "years", "words", "short"}
_SCANNER = RegexScanner(p for _, p in _PATTERNS)
"""Which age patterns match the text at all, in one Hyperscan pass (``engine.regex_scan``)."""
_GATED = True
"""Skip a pattern the prefilter rules out; off only to test that it changes nothing."""


def number_value(words: str) -> int | None:
    """The value of a number in words ("ninety-one", "one hundred and two", "a hundred"), else None."""
    parts = [w for w in _NUMBER_WORD_SPLIT.split(words.lower()) if w and w != "and"]
    total = 0
    for i, word in enumerate(parts):
        if word == "hundred" and i == 1 and parts[0] in ("one", "a"):
            total = 100
        elif word in NUMBER_WORDS and not (i == 0 and word == "a"):
            total += NUMBER_WORDS[word]
        elif not (i == 0 and word == "a"):
            return None
    return total or None


def years_text(years: float) -> str:
    """An age in years as the "years" attribute: "91", "0.5", "0.058"."""
    return format(round(years, 3), "g")


class AgeRecognizer(Recognizer):
    """AGE findings; confidence 1.0 and the Safe Harbor >89 reason for anyone older than 89."""

    name = "AgeRecognizer"
    labels = (IdentifierLabel.AGE,)
    triggers = (_DATA.regex("trigger"), _DATA.regex("trigger_numbers"))

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found: list[Finding] = []
        taken = DisjointSpans()  # one age per span ("(72M)" is "sex", not also "72M"), by bisection
        present = _SCANNER.matching(analysis.text) if _GATED else None
        for kind, pattern in _PATTERNS:
            if present is not None and pattern not in present:
                continue
            for m in pattern.finditer(analysis.text):
                if kind in _POPULATION_KINDS and self._population(analysis, m.start(), m.end()):
                    continue
                age = _age(kind, m)
                if age is None or (kind in _LOOSE_SEX and not self._loose_sex(analysis, m)):
                    continue
                start, end = m.span(_group(kind, m))
                if taken.add_if_free(start, end):
                    found.append(self._finding(analysis, kind, start, end, age))
        for start, end, age in self._after_names(analysis):
            if taken.add_if_free(start, end):
                found.append(self._finding(analysis, "apposition", start, end, age))
        return found

    def _finding(self, analysis: Analysis, kind: str, start: int, end: int, age: float) -> Finding:
        """An AGE finding with its age in years; over 89: confidence 1.0 and the Safe Harbor reason."""
        if age > 89:
            finding = self.finding(IdentifierLabel.AGE, start, end, 1.0, reason=AGE_OVER_89_REASON)
        else:
            care = analysis.near(CARE_KEY, start, end, tokens=15)
            confidence = 0.8 if care or kind in {"short", "sex", "sex_loose", "apposition"} else 0.7
            if kind in ("decade", "decade_words"):
                confidence = 0.5
            finding = self.finding(IdentifierLabel.AGE, start, end, confidence)
        return dataclasses.replace(finding, attributes=(("years", years_text(age)),))

    @staticmethod
    def _after_names(analysis: Analysis) -> list[tuple[int, int, int]]:
        """(start, end, age) of a number in apposition right after a patient-side name found earlier
        ("Aarav, 6,"; not a colleague's or a public figure's)."""
        found = []
        for f in analysis.findings:
            if f.label != IdentifierLabel.PERSON or not f.in_text or f.attribute("role") in NOT_PATIENT_ROLES:
                continue
            m = _PERSON_APPOSITION.match(analysis.text, f.end, f.end + 20)
            if m and 0 < int(m.group("n")) < 125:
                found.append((m.start("n"), m.end("n"), int(m.group("n"))))
        return found

    @staticmethod
    def _loose_sex(analysis: Analysis, m: re.Match[str]) -> bool:
        """ "34F" / "72 M" without a clinical cue: in a care sentence, not a temperature ("fever 102 F"),
        and spaced only after a sentence start, punctuation or a patient word."""
        before = analysis.text[analysis.sentence_bounds(m.start(), m.end())[0] : m.start()][-25:]
        if _SEX_NOT_BEFORE.search(before):
            return False
        if m.groupdict().get("space") and not _SEX_SPACED_BEFORE.search(before):
            return False
        return analysis.about_care(m.start(), m.end())

    @staticmethod
    def _population(analysis: Analysis, start: int, end: int) -> bool:
        """Guideline ages ("adults aged 50 and over") describe a population, not a patient."""
        return bool(
            _POPULATION_BEFORE.search(analysis.before(start, 25))
            or _POPULATION_AFTER.match(analysis.after(end, 20))
        )


def _group(kind: str, m: re.Match[str]) -> int | str:
    """The group the finding covers: the whole match, or only the number ("survivor at 34")."""
    if kind == "at":
        return "n" if m.group("n") else "m"
    if kind == "sex" and m.group("p"):
        return "p"
    return _AGE_GROUP.get(kind, 0)


def _age(kind: str, m: re.Match[str]) -> float | None:
    """The age in years a match states (None when it is not an age)."""
    if kind == "elder":
        return 100 if "centenarian" in m.group().lower() else 90
    if kind == "decade":
        return int(m.group("d")) * 10  # "in her 90s" is over 89 from its first year
    if kind == "decade_words":
        return _DECADE_WORDS[m.group("w").lower()]
    if kind in ("infant", "aged_units"):
        raw = m.group("n")
        n = int(raw) if raw.isdigit() else number_value(raw)
        return None if not n else n * _UNIT_YEARS[m.group("u")[0].lower()]
    if kind in ("words", "aged_words"):
        value = number_value(m.group("w"))
        return value if value and value < 125 else None
    if kind == "sex" and m.group("p"):
        return int(m.group("p"))
    if kind == "sex_slash":
        n = int(m.group("n") or m.group("m"))
        return n if 0 < n < 125 else None
    if kind == "at" and m.group("m"):
        n = int(m.group("m"))
        return n if 25 <= n < 125 else None  # "at 10 he left" is a time, "at 101 she" an age
    n = int(m.group("n"))
    return n if 0 < n < 125 else None
