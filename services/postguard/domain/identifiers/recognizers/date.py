"""Dates tied to patient care: explicit dates, times, weekdays, holidays and relative dates
("yesterday in the ED", "the day before Diwali").

A date counts only when the sentence ties it to care (care words, or an age / patient name / room
found earlier) or a care verb introduces it ("admitted 3/4", "born ... on 2/2"). Years alone,
public-health observances ("World Heart Day is September 29"), event dates and staff occasions
("the Christmas party", "Happy Diwali") are not care dates. Holiday names come from the ``holidays``
library's calendars (see ``holiday_calendar``) plus the named days of ``data/date.yaml``;
``date_resolution`` turns the findings into calendar dates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping

import holidays

from postguard.domain.engine.regex_scan import RegexScanner, simple_case
from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import EVENT_TERMS, MONTHS, RELATIVE_TIME, WEEKDAYS, rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.recognizers.age import NUMBER_WORDS
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("date.yaml")
HOLIDAY_COUNTRIES: tuple[str, ...] = _DATA.phrases("holiday_countries")
"""Countries whose holiday calendars name and date the holidays; the first is the fallback region."""
_SUBDIVISION_COUNTRIES = frozenset(_DATA.phrases("holiday_subdivision_countries"))
DAY_FIRST_REGIONS = frozenset(_DATA.phrases("day_first_regions"))
"""Regions that write numeric dates day first (3/4 is 3 April)."""
_NAME_PARTS = re.compile(r";|\s/\s")
_PARENTHESES = re.compile(r"\([^()]*\)")
_CANONICAL_DROP = re.compile(r"['’.,]")
_CANONICAL_SPACE = re.compile(r"[\s\-]+")
_CANONICAL_SAINT = re.compile(r"\bst\b")


def canonical(name: str) -> str:
    """A holiday name as a lookup key: lower case, no apostrophes or dots, single spaces for spaces and
    hyphens, "St" as "saint", "labour" as "labor" ("St. Patrick's Day" -> "saint patricks day")."""
    key = _CANONICAL_SPACE.sub(" ", _CANONICAL_DROP.sub("", name.lower())).strip()
    return _CANONICAL_SAINT.sub("saint", key).replace("labour", "labor")


def _calendar_names(raw: str) -> list[str]:
    """The canonical names in one calendar entry ("Buddha Purnima; Labor Day", "X (observed)")."""
    return [canonical(part) for part in _NAME_PARTS.split(_PARENTHESES.sub("", raw)) if part.strip()]


@functools.lru_cache(maxsize=128)
def holiday_calendar(country: str, year: int) -> Mapping[str, tuple[dt.date, ...]]:
    """Canonical holiday name -> its dates in ``year`` in ``country`` (every category the library
    supports, and every subdivision for the countries of ``holiday_subdivision_countries``; an
    "observed" day is left out: the holiday itself is meant). Empty for a country it does not know."""
    try:
        kind = type(holidays.country_holidays(country))
    except NotImplementedError:
        return {}
    language = "en_US" if "en_US" in (kind.supported_languages or ()) else None
    subdivisions = kind.subdivisions if country in _SUBDIVISION_COUNTRIES else ()
    found: dict[str, set[dt.date]] = {}
    for subdivision in (None, *subdivisions):
        entries = holidays.country_holidays(
            country, subdiv=subdivision, years=year, categories=kind.supported_categories, language=language
        )
        for day, raw in entries.items():
            for part in _NAME_PARTS.split(raw):
                if "observed" not in part.lower():
                    for name in _calendar_names(part):
                        found.setdefault(name, set()).add(day)
    return {name: tuple(sorted(days)) for name, days in found.items()}


def _rules(text: str) -> tuple[tuple[str, ...], ...]:
    """One named day's rules from its YAML form: MM-DD, "easter +N", or a calendar name and offset."""
    rules = []
    for part in text.split("|"):
        spec = part.strip()
        if re.fullmatch(r"\d\d-\d\d", spec):
            rules.append(("fixed", spec))
        elif spec == "*":
            rules.append(("any",))
        else:
            name, _, offset = spec.rpartition(" ") if spec[-1].isdigit() else (spec, "", "+0")
            rules.append(("easter", offset) if name == "easter" else ("holiday", canonical(name), offset))
    return tuple(rules)


def _named_days() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Canonical named day -> how to date it: ("holiday", name, offset) from the calendars, ("fixed",
    "MM-DD"), ("easter", offset), ("borrowed", country, name) or ("any",) for any public holiday."""
    year = int(_DATA.number("holiday_name_year"))
    table: dict[str, tuple[tuple[str, ...], ...]] = {}
    for country in HOLIDAY_COUNTRIES:
        for name in (*holiday_calendar(country, year - 1), *holiday_calendar(country, year)):
            table[name] = (("holiday", name, "+0"),)
    for item in _DATA.phrases("borrowed_holidays"):
        country, _, name = item.partition(":")
        table[canonical(name)] = (("borrowed", country, canonical(name)),)
    for item in _DATA.phrases("named_days"):
        name, _, rule = item.partition("=")
        table[canonical(name)] = _rules(rule)
    for item in _DATA.phrases("named_day_aliases"):
        name, _, targets = item.partition("=")
        rules = [table.get(canonical(t), _rules(t)) for t in targets.split("|")]
        table[canonical(name)] = tuple(rule for group in rules for rule in group)
    for name in _DATA.phrases("not_named_days"):
        table.pop(canonical(name), None)
    return table


NAMED_DAYS: Mapping[str, tuple[tuple[str, ...], ...]] = _named_days()
"""Every named day the recognizer finds (canonical name) -> the rules that date it."""


def _name_regex(name: str) -> tuple[str, str]:
    """(regex, literal) for a canonical name: the regex takes the spellings ``canonical`` folds
    (apostrophes, "St.", "labour", hyphens); the literal is a lower-case piece every match contains."""
    parts, literals = [], []
    tokens = name.split(" ")
    for i, token in enumerate(tokens):
        if token == "saint":
            parts.append(r"(?:saint|st\.?)")
        elif token == "labor":
            parts.append(r"labou?r")
            literals.append("labo")
        elif token.endswith("s") and len(token) > 3:
            parts.append(re.escape(token[:-1]) + r"['’]?s['’]?")
            literals.append(token[:-1])
        else:
            short = len(token) <= 3 and i < len(tokens) - 1  # "Jr." inside a name, not the full stop after it
            parts.append(re.escape(token) + (r"\.?" if short else ""))
            literals.append(token)
    regex = r"[\s\-]".join(parts)
    if " " not in name and len(name) <= 4:
        regex = "(?-i:" + regex[0].upper() + regex[1:] + ")"  # "Holi", "Eid": capitalised only
    return regex, max(literals, key=len)


def _first_words(name: str) -> set[str]:
    """The lower-case words (runs of letters and digits) a match of the name's regex can start with."""
    first = name.split(" ")[0]
    if first == "saint":
        return {"saint", "st"}
    if first == "labor":
        return {"labor", "labour"}
    return {first, first[:-1]} if first.endswith("s") and len(first) > 3 else {first}


_NAME_REGEXES = [_name_regex(name) for name in sorted(NAMED_DAYS, key=len, reverse=True)]
_NAME_FIRST_WORDS = frozenset(word for name in NAMED_DAYS for word in _first_words(name))


def _names_starting(word: str) -> re.Pattern[str]:
    """The names that can start with ``word`` (one of their ``_first_words``), as one alternation."""
    ordered = sorted(NAMED_DAYS, key=len, reverse=True)  # the order of the named-day slot
    regexes = [
        regex for name, (regex, _) in zip(ordered, _NAME_REGEXES, strict=True) if word in _first_words(name)
    ]
    return re.compile("|".join(regexes), re.IGNORECASE)


_NAMES_STARTING = {word: _names_starting(word) for word in _NAME_FIRST_WORDS}
"""First word -> the names that start with it: on ASCII text (or text whose non-ASCII characters are
uncased: emoji, curly quotes) a named-day match whose name starts at a word starts with one of that
word's names, so a word none of them matches at needs no full scan."""
_WORD = re.compile(r"[a-z0-9]+")
_NAME_PRECHECK = True
"""Skip a first word where none of its names starts (``_NAMES_STARTING``); off only to test that."""
_NAME_REACH = (48, 80)
"""How far before a named day's first word its offset or preposition may start, and after it the
name may end (the longest name is under 50 characters)."""
_COUNT_WORDS = sorted((w for w, n in NUMBER_WORDS.items() if 0 < n <= 20), key=len, reverse=True)
_SLOTS = {
    "month": r"(?:" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\.?",
    "weekday": r"(?:" + "|".join(w.capitalize() for w in WEEKDAYS if len(w) > 5) + r")\b",
    "weekday_name": r"(?:" + "|".join(w for w in WEEKDAYS if len(w) > 5) + r")\b",
    "month_word": "|".join(rf"{m.capitalize()}\b" for m in sorted(MONTHS, key=len, reverse=True)),
    "weekday_word": "|".join(rf"{w.capitalize()}\b" for w in WEEKDAYS if len(w) > 5),
    "count": "|".join(_COUNT_WORDS),
    "named_day": "|".join(regex for regex, _ in _NAME_REGEXES),
}
"""Template slots filled from the shared lexicons: month names and full weekday names, capitalised;
number words; the named days' names."""


def _pattern(kind: str) -> re.Pattern[str]:
    """The regex of one date kind: a plain regex, or a template filled with its slots."""
    template = _DATA.templates_by_name.get(kind)
    if template is None:
        return _DATA.regex(kind)
    return _DATA.template(kind, **{slot: _SLOTS[slot] for slot in template.slots})


def _alternation(items: tuple[str, ...]) -> str:
    """Escaped items, longest first (ties in list order), for a ``(?:...)`` group."""
    return "|".join(sorted((re.escape(item) for item in items), key=len, reverse=True))


RELATIVE_RULES: Mapping[str, tuple[str, int]] = {
    phrase.strip().lower(): (unit, int(offset))
    for phrase, _, rule in (item.partition("=") for item in _DATA.phrases("relative_dates"))
    for unit, offset in [rule.split()]
}
"""Relative date phrase (lower case) -> (unit, offset): ("day", -1) for "yesterday"."""
_RELATIVE_PHRASES = tuple(dict.fromkeys((*RELATIVE_TIME, *RELATIVE_RULES)))
# (kind, pattern): "explicit" kinds carry a day and month; the others need care context.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, _pattern(kind)) for kind in _DATA.phrases("kinds")
)
NAMED_DAY = _pattern("named_day")
PATTERNS: Mapping[str, re.Pattern[str]] = {**dict(_PATTERNS), "named_day": NAMED_DAY}
"""The date patterns by kind (read by ``date_resolution``)."""
RELATIVE = _DATA.template("relative", relative_time=_alternation(_RELATIVE_PHRASES))
_SCANNER = RegexScanner([*(p for _, p in _PATTERNS), RELATIVE])
"""Which date patterns match the text at all, in one Hyperscan pass (``engine.regex_scan``)."""
_GATED = True
"""Skip a pattern the prefilter rules out; off only to test that it changes nothing."""
_ANCHOR = _DATA.regex("anchor")
_PERSONAL = _DATA.regex("personal_anchor")
_RECORD = _DATA.regex("record_field")
_FIELD_BEFORE = _DATA.regex("field_before")
_EVENT = _DATA.template("event", event_terms=_alternation(EVENT_TERMS))
_NAMED_EVENT = _DATA.regex("named_day_event")
_GREETING = _DATA.regex("named_day_greeting")
_HABITUAL = _DATA.regex("habitual_before")
_NAMED_NOT_AFTER = _DATA.regex("named_day_not_after")
_ORDINAL_NOT_AFTER = _DATA.regex("ordinal_not_after")
_NOT_A_DATE = _DATA.regex("not_a_date")
_FRACTION_UNIT = _DATA.regex("fraction_unit")
_SCORE_BEFORE = _DATA.regex("score_before")
_SCORE_AFTER = _DATA.regex("score_after")
_TRIGGER = _DATA.template(
    "trigger",
    relative_word="|".join(
        rf"{re.escape(t.lower())}\b" for t in sorted(_RELATIVE_PHRASES, key=len, reverse=True)
    ),
    weekday_word="|".join(w for w in WEEKDAYS if len(w) > 5),
    named_day_word="|".join(
        sorted({re.escape(literal) for _, literal in _NAME_REGEXES}, key=len, reverse=True)
    ),
)
_CASED_TRIGGER = _DATA.template(
    "cased_trigger", month_word=_SLOTS["month_word"], weekday_word=_SLOTS["weekday_word"]
)
_EXPLICIT = {"iso", "numeric", "slash", "month_day", "day_month"}
_NEEDS = {"ago": "ago", "weekday": "day"}
"""A piece of lower-case text every match of the kind holds: without it the kind is not run."""
_OCCASION_REACH = {"named_day": (200, 200), "weekday": (30, 25), "relative": (30, 25)}
"""Kinds that may name a staff or public occasion ("the Christmas party", "Tuesday's quiz", "today we
celebrate") and how far (characters, within the sentence) occasion words are looked for: a named
day's whole sentence ("On Boxing Day, volunteers brought gifts to the ward")."""


class DateRecognizer(Recognizer):
    """DATE findings for dates, times, weekdays, holidays and relative dates tied to care."""

    name = "DateRecognizer"
    labels = (IdentifierLabel.DATE,)
    triggers = (_DATA.regex("trigger_numbers"), _TRIGGER)
    cased_triggers = (_CASED_TRIGGER,)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        text, lower = analysis.text, analysis.lower
        present = _SCANNER.matching(text) if _GATED else None
        candidates = [
            (kind, m.start(), m.end(), m)
            for kind, p in _PATTERNS
            if _NEEDS.get(kind, "") in lower and (present is None or p in present)
            for m in p.finditer(text)
        ]
        candidates += [("named_day", m.start(), m.end(), m) for m in _named_day_matches(analysis)]
        if present is None or RELATIVE in present:
            candidates += [("relative", m.start(), m.end(), m) for m in RELATIVE.finditer(analysis.text)]
        record = _RECORD.search(analysis.text) is not None
        for kind, start, end, m in candidates:
            before = analysis.before(start, 40)
            anchored = bool(_ANCHOR.search(before) or _PERSONAL.search(before))
            if not self._candidate(analysis, kind, m, anchored):
                continue
            if kind == "slash" and not anchored and self._not_a_date(analysis, start, end, m):
                continue
            confidence = 0.9 if kind in _EXPLICIT else 0.75
            care = anchored or self._care(analysis, start, end)
            if not care and kind in _EXPLICIT and analysis.post_about_care():
                # "X-ray of the foot ... Taken 03/14/2024.": a full date anywhere in a case post
                care, confidence = True, 0.8
            if not care and kind in _EXPLICIT and self._personal(analysis, start, record=record):
                care, confidence = True, 0.7
            if not care or (not anchored and self._event(analysis, start, end)):
                continue
            if kind in _OCCASION_REACH and not anchored and self._occasion(analysis, kind, start, end):
                continue
            found.append(self.finding(IdentifierLabel.DATE, start, end, confidence))
        return found

    @staticmethod
    def _candidate(analysis: Analysis, kind: str, m: re.Match[str], anchored: bool) -> bool:
        """Is the match a date at all: a valid day and month (day first too after a care verb:
        "intubated on 14/11"), a named day that is not part of a name ("Children's Day Unit"), a day
        of the month that is not another ordinal ("the 5th floor")?"""
        if kind in _EXPLICIT:
            day_first = kind == "numeric" or anchored
            return _valid(m.groupdict(), kind, day_first=day_first) and not _NOT_A_DATE.match(m.group())
        if kind == "named_day":
            return not _NAMED_NOT_AFTER.match(analysis.after(m.end(), 20))
        if kind == "ordinal_day":
            return not _ORDINAL_NOT_AFTER.match(analysis.after(m.end(), 20))
        return True

    @staticmethod
    def _occasion(analysis: Analysis, kind: str, start: int, end: int) -> bool:
        """A staff or public occasion or a habit, not a patient's day: "the Christmas party", "Happy
        Diwali", "every Tuesday"."""
        if _NAMED_EVENT.search(analysis.window(start, end, *_OCCASION_REACH[kind])):
            return True
        if kind == "relative":  # "she was happy today": a greeting or a habit names a day, not "today"
            return False
        before = analysis.text[analysis.sentence_bounds(start, end)[0] : start][-30:]
        return bool(_GREETING.search(before) or _HABITUAL.search(before))

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
    def _personal(analysis: Analysis, start: int, *, record: bool) -> bool:
        """A full date of one person's life without care words: a field's value in a personal record
        ("Date: 2021-03-04" next to "Name:"). (A full date in a sentence about "she" or "I" is not
        enough: staff posts date colleagues' careers that way, "she qualified on 15 July 2001".)"""
        return record and _FIELD_BEFORE.search(analysis.before(start, 30)) is not None

    @staticmethod
    def _care(analysis: Analysis, start: int, end: int) -> bool:
        return analysis.about_care(start, end)

    @staticmethod
    def _event(analysis: Analysis, start: int, end: int) -> bool:
        """An observance or event word next to the date ("Heart Day is Sept 29", "webinar on 3/4")."""
        return bool(_EVENT.search(analysis.window(start, end, before=30, after=25)))


def _named_day_matches(analysis: Analysis) -> list[re.Match[str]]:
    """Matches of the named-day pattern, tried only where a named day's first word is (one scan of
    the words instead of the whole alternation of names at every position)."""
    if _NAME_FIRST_WORDS.isdisjoint(_WORD.findall(analysis.lower)):
        return []
    text, found, last_end = analysis.text, [], -1
    ascii_text = _NAME_PRECHECK and simple_case(text)  # positions and case as on ASCII text
    for word in _WORD.finditer(analysis.lower):
        if word.start() < last_end or word.group() not in _NAME_FIRST_WORDS:
            continue
        lo, hi = max(0, word.start() - _NAME_REACH[0]), min(len(text), word.start() + _NAME_REACH[1])
        if ascii_text and _NAMES_STARTING[word.group()].match(text, word.start(), hi) is None:
            continue  # no name starts here: the whole alternation over the window cannot find one
        m = next((m for m in NAMED_DAY.finditer(text, lo, hi) if m.start("name") == word.start()), None)
        if m is not None:
            found.append(m)
            last_end = m.end()
    return found


def _valid(groups: Mapping[str, str | None], kind: str, *, day_first: bool = False) -> bool:
    """Month 1-12 and a day that exists in it (either order when ``day_first``)."""
    day = int(groups["d"] or 0)
    if groups.get("mon"):
        month = MONTHS[groups["mon"].rstrip(".").lower()]
        return _exists(month, day)
    month = int(groups["m"] or 0)
    year = groups.get("y")
    if year is not None and year.isdigit() and len(year) == 4 and not 1900 <= int(year) <= 2100:
        return False
    # day-first ("25/12/2024") only when a year or a care verb makes it a date; "24/7" is a phrase
    return _exists(month, day) or (day_first and _exists(day, month))


def _exists(month: int, day: int) -> bool:
    try:
        dt.date(2024, month, day)  # a leap year, so 2/29 is allowed
    except ValueError:
        return False
    return True
