"""The calendar date a DATE finding points to, resolved against the post's ``created_at``.

``resolve_dates`` adds ("resolved_date", "YYYY-MM-DD") to each DATE finding it can resolve, and
("resolved_until", "YYYY-MM-DD") when the date is a range (a week, a weekend, a month). Holidays are
dated by the ``holidays`` library (the occurrence on or before the post's date, unless "next"),
arithmetic is python-dateutil's (``relativedelta``, weekdays, ``easter``), numeric dates are parsed by
``dateutil.parser`` day first in the regions that write them so. Pure: no clock, no I/O.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence

from dateutil import easter, parser
from dateutil.relativedelta import relativedelta, weekday

from postguard.domain.identifiers.lexicons import MONTHS, WEEKDAYS
from postguard.domain.identifiers.recognizers.age import NUMBER_WORDS
from postguard.domain.identifiers.recognizers.date import (
    DAY_FIRST_REGIONS,
    HOLIDAY_COUNTRIES,
    NAMED_DAYS,
    PATTERNS,
    RELATIVE,
    RELATIVE_RULES,
    canonical,
    holiday_calendar,
)
from postguard.domain.types import Finding, IdentifierLabel

Resolved = tuple[dt.date, dt.date | None]
"""(the date, the last day when it is a range)."""
_DAY = dt.timedelta(days=1)
_FULL_WEEKDAYS = [w for w in WEEKDAYS if len(w) > 5]
_REGION_ALIASES = {"UK": "GB"}
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_BEFORE_LAST = {"last", "past", "this past"}


def resolve_dates(
    findings: Sequence[Finding], text: str, created_at: str, region: str = "US"
) -> list[Finding]:
    """The findings, each DATE finding of the post text with the date it points to when it can be
    resolved against ``created_at`` (RFC 3339; empty or invalid: every finding unchanged)."""
    posted = _posted(created_at)
    if posted is None:
        return list(findings)
    out = []
    for finding in findings:
        resolved = None
        if (
            finding.label == IdentifierLabel.DATE
            and finding.in_text
            and 0 <= finding.start < finding.end <= len(text)
        ):
            resolved = resolve_span(text[finding.start : finding.end], posted, region)
        if resolved is None:
            out.append(finding)
            continue
        attributes = dict(finding.attributes)
        attributes["resolved_date"] = resolved[0].isoformat()
        if resolved[1] is not None and resolved[1] != resolved[0]:
            attributes["resolved_until"] = resolved[1].isoformat()
        out.append(dataclasses.replace(finding, attributes=tuple(sorted(attributes.items()))))
    return out


def _posted(created_at: str) -> dt.date | None:
    """The calendar date of an RFC 3339 timestamp, in its own offset (None when empty or invalid)."""
    if not created_at.strip():
        return None
    try:
        return dt.datetime.fromisoformat(created_at.strip().replace("z", "Z")).date()
    except ValueError:
        return None


def resolve_span(span: str, posted: dt.date, region: str = "US") -> Resolved | None:
    """The date a date expression points to, seen from a post made on ``posted`` (None: unresolved).
    ``region``: an ISO country code ("GB", "in"; "UK" is read as GB), the calendar and date order."""
    region = _REGION_ALIASES.get(region.upper(), region.upper()) or HOLIDAY_COUNTRIES[0]
    resolvers: tuple[Callable[[str, dt.date, str], Resolved | None], ...] = (
        _named_day,
        _relative,
        _ago,
        _weekday,
        _ordinal,
        _absolute,
    )
    for resolver in resolvers:
        try:
            resolved = resolver(span, posted, region)
        except (ValueError, OverflowError):  # a day that does not exist, a year out of range
            resolved = None
        if resolved is not None:
            return resolved
    return None


def _count(word: str | None) -> int | None:
    """ "3", "three", "a", "a couple of" -> the number (None for "few", "several")."""
    if not word:
        return 1
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if word in ("a", "an", "one"):
        return 1
    if "couple" in word:
        return 2
    return NUMBER_WORDS.get(word)


def _named_day(span: str, posted: dt.date, region: str) -> Resolved | None:
    """ "Boxing Day", "next Diwali", "the day before Eid", "Christmas Eve 2024"."""
    m = PATTERNS["named_day"].search(span)
    if m is None:
        return None
    rules = NAMED_DAYS.get(canonical(m.group("name")), ())
    shift = dt.timedelta(0)
    if m.group("dir"):
        n = _count(m.group("n")) if m.group("unit") else 1
        per = 7 if (m.group("unit") or m.group("off") or "").lower().rstrip("s").endswith("week") else 1
        shift = dt.timedelta(days=(n or 1) * per * (-1 if m.group("dir").lower() == "before" else 1))
    year = _YEAR.search(span)
    years = (int(year.group()),) if year else (posted.year - 1, posted.year, posted.year + 1)
    days = sorted({d + shift for rule in rules for y in years for d in _rule_dates(rule, y, region)})
    if not days:
        return None
    if year:
        return days[0], None
    return _pick(days, posted, (m.group("rel") or "").lower()), None


def _pick(days: list[dt.date], posted: dt.date, relation: str) -> dt.date:
    """The occurrence meant: the first after the post for "next", the nearest for "this", else the
    last on or before the post (the first after it when there is none)."""
    after = [d for d in days if d > posted]
    before = [d for d in days if d <= posted]
    if relation == "next" and after:
        return after[0]
    if relation == "this":
        return min(days, key=lambda d: abs((d - posted).days))
    if relation == "last" and before and before[-1] == posted and len(before) > 1:
        return before[-2]
    return before[-1] if before else after[0]


def _rule_dates(rule: tuple[str, ...], year: int, region: str) -> Iterable[dt.date]:
    """The dates a named day's rule gives in ``year`` (see ``date.NAMED_DAYS``)."""
    kind = rule[0]
    if kind == "fixed":
        month, day = (int(part) for part in rule[1].split("-"))
        return (dt.date(year, month, day),)
    if kind == "easter":
        return (easter.easter(year) + dt.timedelta(days=int(rule[1])),)
    if kind == "borrowed":
        return _first_days(holiday_calendar(rule[1], year).get(rule[2], ()))
    if kind == "any":
        calendar = holiday_calendar(region, year) or holiday_calendar(HOLIDAY_COUNTRIES[0], year)
        return _first_days(d for days in calendar.values() for d in days)
    offset = dt.timedelta(days=int(rule[2]))
    for country in dict.fromkeys((region, *HOLIDAY_COUNTRIES)):
        days = holiday_calendar(country, year).get(rule[1])
        if days:
            return [d + offset for d in _first_days(days)]
    return ()


def _first_days(days: Iterable[dt.date]) -> list[dt.date]:
    """The first day of each run of consecutive days (the eight days of Hanukkah are one holiday)."""
    ordered = sorted(set(days))
    return [d for i, d in enumerate(ordered) if i == 0 or ordered[i - 1] != d - _DAY]


def _relative(span: str, posted: dt.date, region: str) -> Resolved | None:
    """ "yesterday", "this morning", "last week", "over the weekend", "last month"."""
    m = RELATIVE.search(span)
    rule = RELATIVE_RULES.get(m.group().lower()) if m else None
    if rule is None:
        return None
    unit, offset = rule
    if unit == "day":
        return posted + dt.timedelta(days=offset), None
    if unit == "week":
        monday = posted + relativedelta(weekday=weekday(0)(-1), weeks=offset)
        return monday, min(monday + dt.timedelta(days=6), posted)
    if unit == "weekend":
        saturday = posted + relativedelta(weekday=weekday(5)(-1))
        if offset < 0 and posted.weekday() >= 5:
            saturday -= dt.timedelta(days=7)
        return saturday, saturday + _DAY
    first = posted.replace(day=1) + relativedelta(months=offset)
    return first, min(first + relativedelta(months=1, days=-1), posted)


def _ago(span: str, posted: dt.date, region: str) -> Resolved | None:
    """ "3 days ago", "two weeks ago", "a couple of months ago" ("a few days ago" is unresolved)."""
    m = PATTERNS["ago"].search(span)
    if m is None:
        return None
    words = m.group().lower().split()
    unit = words[-2].rstrip("s")
    n = _count(" ".join(words[:-2]))
    if n is None:
        return None
    if unit == "hour":
        return posted, None
    if unit == "month":
        return posted - relativedelta(months=n), None
    days = {"day": 1, "night": 1, "week": 7, "fortnight": 14}[unit]
    return posted - dt.timedelta(days=n * days), None


def _weekday(span: str, posted: dt.date, region: str) -> Resolved | None:
    """ "last Tuesday" (the one before the post), "next Friday", "this Sunday" (the post's week),
    "on Monday" / "Monday" (the last one on or before the post)."""
    m = PATTERNS["weekday"].search(span)
    if m is None:
        return None
    words = m.group().lower().split()
    day = next((_FULL_WEEKDAYS.index(w) for w in words if w in _FULL_WEEKDAYS), None)
    if day is None:
        return None
    cue = " ".join(words[: words.index(_FULL_WEEKDAYS[day])])
    if cue in _BEFORE_LAST:
        return posted - _DAY + relativedelta(weekday=weekday(day)(-1)), None
    if cue == "next":
        return posted + _DAY + relativedelta(weekday=weekday(day)(+1)), None
    if cue == "this":
        return posted + dt.timedelta(days=day - posted.weekday()), None
    return posted + relativedelta(weekday=weekday(day)(-1)), None


def _ordinal(span: str, posted: dt.date, region: str) -> Resolved | None:
    """ "on the 14th": this month's 14th when it is not after the post, else last month's."""
    m = PATTERNS["ordinal_day"].search(span)
    if m is None:
        return None
    day = int(m.group("d"))
    month = posted.replace(day=1) if day <= posted.day else posted.replace(day=1) - relativedelta(months=1)
    return month.replace(day=day), None


def _absolute(span: str, posted: dt.date, region: str) -> Resolved | None:
    """ "2026-03-14", "3/14", "14/03/2026" (day first in day-first regions), "March 14th", "in March 2024"."""
    m = PATTERNS["iso"].search(span)
    if m:
        return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d"))), None
    for kind in ("numeric", "slash", "month_day", "day_month"):
        m = PATTERNS[kind].search(span)
        if m:
            return _parsed(m, posted, region), None
    m = PATTERNS["month_year"].search(span)
    if m is None:
        return None
    month = MONTHS[m.group("mon").rstrip(".").lower()]
    year = _year(m.group("y")) or (posted.year if month <= posted.month else posted.year - 1)
    first = dt.date(year, month, 1)
    return first, first + relativedelta(months=1, days=-1)


def _year(text: str | None) -> int | None:
    """ "2024" or "'24" -> 2024."""
    if not text:
        return None
    digits = text.lstrip("'")
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _parsed(m: re.Match[str], posted: dt.date, region: str) -> dt.date:
    """A numeric or month-name date; without a year, the one that is not well after the post."""
    text = m.group().replace("'", "20") if m.groupdict().get("y", "") else m.group()
    default = dt.datetime(posted.year, 1, 1)
    day = parser.parse(text, dayfirst=region in DAY_FIRST_REGIONS, default=default).date()
    if not m.groupdict().get("y") and day > posted + dt.timedelta(days=30):
        day = day.replace(year=day.year - 1)
    return day
