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
from postguard.domain.identifiers.lexicons import EVENT_TERMS, MONTHS, RELATIVE_TIME, WEEKDAYS
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_MONTH = r"(?:" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>\d{4}|'\d{2})"
_WEEKDAY = r"(?:" + "|".join(w.capitalize() for w in WEEKDAYS if len(w) > 5) + r")\b"

# (kind, pattern): "explicit" kinds carry a day and month; the others need care context.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"(?<![\w/.\-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\w/\-])")),
    (
        "numeric",
        re.compile(r"(?<![\w/.\-])(?P<m>\d{1,2})([/.\-])(?P<d>\d{1,2})\2(?P<y>\d{4}|\d{2})(?![\w/\-]|\.\d)"),
    ),
    (
        "slash",
        re.compile(
            r"(?<![\w/.\-$])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\w/\-]|\.\d|\s*(?:%|mg|ml|mcg|units?)\b)"
        ),
    ),
    ("month_day", re.compile(rf"\b(?P<mon>{_MONTH})\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?")),
    ("day_month", re.compile(rf"\b{_DAY}\s+(?:of\s+)?(?P<mon>{_MONTH})\b(?:,?\s+{_YEAR}\b)?")),
    (
        "month_year",
        re.compile(rf"\b(?:in|since|from|during|of|early|late|mid)\s+(?P<mon>{_MONTH})(?:\s+{_YEAR})?\b"),
    ),
    (
        "weekday",
        re.compile(
            rf"\b(?:(?:last|this|past|on|that|next)\s+)?{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?"
        ),
    ),
    (
        "time",
        re.compile(
            r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\b\d{1,2}:\d{2}\b(?!:)", re.IGNORECASE
        ),
    ),
    ("military", re.compile(r"\bat\s+(?P<t>[01]\d|2[0-3])[0-5]\d(?:\s*h(?:rs?|ours)?)?\b", re.IGNORECASE)),
    (
        "ago",
        re.compile(
            r"\b(?:\d{1,2}|a|an|one|two|three|four|five|six|few|several|couple of)\s+"
            r"(?:hours?|days?|nights?|weeks?|months?)\s+ago\b",
            re.IGNORECASE,
        ),
    ),
    (
        "holiday",
        re.compile(
            r"\b(?:on|over|at|during)\s+(?:Christmas(?:\s+(?:Eve|Day))?|New Year's(?:\s+(?:Eve|Day))?|"
            r"Thanksgiving|Halloween|Easter(?:\s+Sunday)?|Memorial Day|Labor Day|Independence Day|"
            r"the Fourth of July)\b"
        ),
    ),
)
_RELATIVE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(r) for r in RELATIVE_TIME), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_ANCHOR = re.compile(
    r"\b(?:admitted|admission|readmitted|born|birth|discharged|died|death|delivered|seen|presented|operated|"
    r"dob|d\.o\.b\.?|date of birth|dod|transferred|diagnosed|dx'?d|intubated|coded|injured|"
    r"brought in|came in|surgery|procedure|scan|x-ray|dated)\b[\w\s,':]{0,25}$",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(?:(?:world|national|international|global)\s+[\w\s'-]{0,30}?(?:day|week|month)|"
    + "|".join(sorted((re.escape(e) for e in EVENT_TERMS), key=len, reverse=True))
    + r")s?\b",
    re.IGNORECASE,
)
_FRACTION_UNIT = re.compile(
    r"^\s*(?:of|tab|tabs|tablet|tablets|cup|cups|dose|doses|inch|inches|mile|miles|tsp|tbsp|pill|pills|"
    r"the|a|an|strength|times?)\b",
    re.IGNORECASE,
)
_SCORE_BEFORE = re.compile(
    r"(?:gcs|score|scored|pain|rated|strength|apgar|graded|grade|of|out of)\s*$", re.IGNORECASE
)
_SCORE_AFTER = re.compile(r"^\s*(?:pain|score|strength|on the|scale|rating)\b", re.IGNORECASE)
_EXPLICIT = {"iso", "numeric", "slash", "month_day", "day_month"}


class DateRecognizer(Recognizer):
    """DATE findings for dates, times and relative dates tied to care."""

    name = "DateRecognizer"
    labels = (IdentifierLabel.DATE,)

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
