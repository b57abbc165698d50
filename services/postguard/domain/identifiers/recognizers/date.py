"""Dates tied to patient care: explicit dates, times and relative dates ("yesterday in the ED").

A date counts only when the sentence ties it to care (care words, or an age / patient name / room
found earlier) or a care verb introduces it ("admitted 3/4", "born ... on 2/2"). Years alone,
public-health observances ("World Heart Day is September 29") and event dates are not care dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import EVENT_TERMS, MONTHS, RELATIVE_TIME, WEEKDAYS, rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("date.yaml")
_SLOTS = {
    "month": r"(?:" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\.?",
    "weekday": r"(?:" + "|".join(w.capitalize() for w in WEEKDAYS if len(w) > 5) + r")\b",
    "month_word": "|".join(rf"{m.capitalize()}\b" for m in sorted(MONTHS, key=len, reverse=True)),
    "weekday_word": "|".join(rf"{w.capitalize()}\b" for w in WEEKDAYS if len(w) > 5),
}
"""Template slots filled from the shared lexicons: month names and full weekday names, capitalised."""


def _pattern(kind: str) -> re.Pattern[str]:
    """The regex of one date kind: a plain regex, or a template filled with its lexicon slots."""
    template = _DATA.templates_by_name.get(kind)
    if template is None:
        return _DATA.regex(kind)
    return _DATA.template(kind, **{slot: _SLOTS[slot] for slot in template.slots})


def _alternation(items: tuple[str, ...]) -> str:
    """Escaped items, longest first (ties in list order), for a ``(?:...)`` group."""
    return "|".join(sorted((re.escape(item) for item in items), key=len, reverse=True))


# (kind, pattern): "explicit" kinds carry a day and month; the others need care context.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, _pattern(kind)) for kind in _DATA.phrases("kinds")
)
_RELATIVE = _DATA.template("relative", relative_time=_alternation(RELATIVE_TIME))
_ANCHOR = _DATA.regex("anchor")
_EVENT = _DATA.template("event", event_terms=_alternation(EVENT_TERMS))
_FRACTION_UNIT = _DATA.regex("fraction_unit")
_SCORE_BEFORE = _DATA.regex("score_before")
_SCORE_AFTER = _DATA.regex("score_after")
_TRIGGER = _DATA.template(
    "trigger",
    relative_word="|".join(
        rf"{re.escape(t.lower())}\b" for t in sorted(RELATIVE_TIME, key=len, reverse=True)
    ),
)
_CASED_TRIGGER = _DATA.template(
    "cased_trigger", month_word=_SLOTS["month_word"], weekday_word=_SLOTS["weekday_word"]
)
_EXPLICIT = {"iso", "numeric", "slash", "month_day", "day_month"}


class DateRecognizer(Recognizer):
    """DATE findings for dates, times and relative dates tied to care."""

    name = "DateRecognizer"
    labels = (IdentifierLabel.DATE,)
    triggers = (_DATA.regex("trigger_numbers"), _TRIGGER)
    cased_triggers = (_CASED_TRIGGER,)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        candidates = [
            (kind, m.start(), m.end(), m) for kind, p in _PATTERNS for m in p.finditer(analysis.text)
        ]
        candidates += [("relative", m.start(), m.end(), m) for m in _RELATIVE.finditer(analysis.text)]
        for kind, start, end, m in candidates:
            if kind in _EXPLICIT and not _valid(m.groupdict(), kind):
                continue
            anchored = bool(_ANCHOR.search(analysis.before(start, 40)))
            if kind == "slash" and not anchored and self._not_a_date(analysis, start, end, m):
                continue
            confidence = 0.9 if kind in _EXPLICIT else 0.75
            care = anchored or self._care(analysis, start, end)
            if not care and kind in _EXPLICIT and analysis.post_about_care():
                # "X-ray of the foot ... Taken 03/14/2024.": a full date anywhere in a case post
                care, confidence = True, 0.8
            if not care or (not anchored and self._event(analysis, start, end)):
                continue
            found.append(self.finding(IdentifierLabel.DATE, start, end, confidence))
        return found

    @staticmethod
    def _not_a_date(analysis: Analysis, start: int, end: int, m: re.Match[str]) -> bool:
        """ "3/14" is a date; "1/2 tablet", "pain 5/10" or a bare "3/4" (no care verb before it) are not."""
        num, den = int(m.group("m")), int(m.group("d"))
        after = analysis.after(end, 15)
        return (
            num < den <= 8
            or bool(_FRACTION_UNIT.match(after) or _SCORE_AFTER.match(after))
            or bool(_SCORE_BEFORE.search(analysis.before(start, 12)))
        )

    @staticmethod
    def _care(analysis: Analysis, start: int, end: int) -> bool:
        return analysis.about_care(start, end)

    @staticmethod
    def _event(analysis: Analysis, start: int, end: int) -> bool:
        """An observance or event word next to the date ("Heart Day is Sept 29", "webinar on 3/4")."""
        return bool(_EVENT.search(analysis.window(start, end, before=30, after=25)))


def _valid(groups: Mapping[str, str | None], kind: str) -> bool:
    """Month 1-12 and a day that exists in it (either day/month order for numeric dates)."""
    day = int(groups["d"] or 0)
    if groups.get("mon"):
        month = MONTHS[groups["mon"].rstrip(".").lower()]
        return _exists(month, day)
    month = int(groups["m"] or 0)
    year = groups.get("y")
    if year is not None and year.isdigit() and len(year) == 4 and not 1900 <= int(year) <= 2100:
        return False
    # day-first ("25/12/2024") only when a year makes it a date; "24/7" is a phrase, not a date
    return _exists(month, day) or (kind == "numeric" and _exists(day, month))


def _exists(month: int, day: int) -> bool:
    try:
        dt.date(2024, month, day)  # a leap year, so 2/29 is allowed
    except ValueError:
        return False
    return True
