"""Places smaller than a state: street addresses, ZIP codes with address context, cities, towns, districts.

State names alone are not identifiers. A place from the gazetteer (GeoNames cities, towns and districts,
see ``devtools/build_gazetteer.py``) counts when a residence cue ("from", "lives in") introduces it, or
when its sentence is about care; never in an event or travel sentence ("presenting in Denver") or as
the institution's own site ("our Leeds campus"). Names that are also ordinary words or first names (the
generated stop-list: "Reading", "Victoria") need a strong residence cue or, for dictionary words, a
capitalised mention after a place word in a care sentence.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from postguard.domain.engine.regex_scan import RegexScanner
from postguard.domain.identifiers.analysis import CARE_KEY, Analysis
from postguard.domain.identifiers.lexicons import (
    NOT_NAMES,
    PATIENT_ROLES,
    PLACE_STOP_NAMES,
    PLACE_STOP_WORDS,
    RELATIVES,
    SEX_TERMS,
    US_STATES,
    place_gazetteer,
    rule_file,
)
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("location.yaml")
_STOP_NAMES = PLACE_STOP_NAMES
"""Places that are also first names, months, weekdays or stop words: only after a strong residence cue."""
_STOP_WORDS = PLACE_STOP_WORDS
"""Places that are also dictionary words: a strong cue, or capitalised after a place word about care."""
_STATES = "|".join(sorted((re.escape(s) for s in US_STATES), key=len, reverse=True))
_PEOPLE = (*SEX_TERMS, *PATIENT_ROLES, *RELATIVES, *_DATA.phrases("people_words"))
_PERSON_FROM = _DATA.template(
    "person_from", people="|".join(sorted({re.escape(p) for p in _PEOPLE}, key=len, reverse=True))
)
_TYPES = "|".join(sorted((re.escape(t) for t in _DATA.phrases("street_types")), key=len, reverse=True))
_STREET = _DATA.template("street", states=_STATES, types=_TYPES)
_ADDRESS_CUED = _DATA.template("address_cued", types=_TYPES)
_ZIP_CUED = _DATA.template("zip_cued", states=_STATES)
_CROSS = _DATA.regex("cross_street")


def _words(name: str, *, lower: bool = False) -> str:
    """A list's phrases as one regex alternation, longest first (lower-cased for the prefilter)."""
    items = {p.lower() if lower else p for p in _DATA.phrases(name)}
    return "|".join(sorted((re.escape(p) for p in items), key=len, reverse=True))


_SUFFIXES, _PREFIXES, _TYPE_WORDS = (
    _words("street_suffixes"),
    _words("street_prefixes"),
    _words("street_type_words"),
)
_CUES = _words("address_cues")
_INTERNATIONAL = _DATA.template(
    "street_international", suffixes=_SUFFIXES, prefixes=_PREFIXES, words=_TYPE_WORDS
)
_AFTER_CUE = _DATA.template("address_after_cue", cues=_CUES)
_STREET_TRIGGER = _DATA.template(
    "street_trigger",
    suffixes=_SUFFIXES,
    prefixes=_words("street_prefixes", lower=True),
    words=_words("street_type_words", lower=True),
    cues=_words("address_cues", lower=True),
    incidents=_words("incident_words", lower=True),
)
_CORNER = _DATA.regex("street_corner")
_SHIP = _DATA.regex("military_ship")
_INCIDENT_ROAD = _DATA.template("incident_road", incidents=_words("incident_words"))
_PART = _DATA.regex("address_part")
_LINE = _DATA.regex("address_line")
_PLACE_POSTCODE = _DATA.regex("place_postcode")
_PREFIX = _DATA.regex("address_prefix")
_ORG_MOVED = _DATA.regex("organisation_moved")
_MAX_PARTS = 6
"""At most this many parts (unit, town, state, postcode, country) joined after a street."""
_STREET_LEVEL = (("granularity", "street"),)
_POSTCODE_LEVEL = (("granularity", "postcode"),)
_BOX = _DATA.regex("po_box")
_COUNTY = _DATA.regex("county")
_RESIDENCE = _DATA.regex("residence")
_STRONG = _DATA.regex("strong_residence")
_PLACE_CUE = _DATA.regex("place_cue")
_NOT_BEFORE = _DATA.regex("not_residence_before")
_INSTITUTION_AFTER = _DATA.regex("institution_after")
_SITE_AFTER = _DATA.regex("site_after")
_EVENT = _DATA.regex("event_sentence")
_UNKNOWN_PLACE = _DATA.regex("unknown_place")
_STATE_SET = frozenset(s.lower() for s in US_STATES)
_CARE_LABELS = frozenset({IdentifierLabel.AGE, IdentifierLabel.PERSON, IdentifierLabel.FACILITY})
_CAPITAL_WORD = re.compile(r"(?<![A-Za-z0-9'])[A-Z][A-Za-z]*")
_CHUNK = re.compile(r"[A-Za-z][A-Za-z.'\-]*(?:[ \t][A-Za-z][A-Za-z.'\-]*){0,5}")
"""Up to six words from a word start: the longest gazetteer name tried ("Stoke-on-Trent" is one)."""
_RUN_END = re.compile(r"[A-Za-z](?![A-Za-z])")
_LOWER_CUE = _DATA.regex("lower_place_cue")
_FIRST_WORDS = re.compile(r"^[A-Za-z]+", re.MULTILINE)
_NEXT_CAPITAL = re.compile(r" ([A-Z][a-z]+)\b")
_NAMESAKE_CITY_SIZE = 6
"""A city of 100,000 or more named like a person ("Charlotte", "Austin") counts as a dictionary-word
place does (capitalised after a place word in a care sentence); a smaller one only after a strong cue."""
_LOWER_MIN_SIZE = 4
"""A lower-case mention ("lives in salford") is looked up among places of at least 1,000 people."""


def residence_cue(analysis: Analysis, start: int) -> bool:
    """Does a residence cue ("from", "lives in", "near") introduce the place starting at ``start``?"""
    return bool(_RESIDENCE.search(analysis.before(start, 30)))


class Covered:
    """Characters already taken by a finding: overlap questions cost the span's length, not the number
    of findings (a hostile post can hold thousands)."""

    def __init__(self, length: int) -> None:
        self.chars = bytearray(length)

    def overlaps(self, start: int, end: int) -> bool:
        """Is any character of ``[start, end)`` taken?"""
        return self.chars.find(1, max(start, 0), end) != -1

    def add(self, start: int, end: int) -> None:
        """Take ``[start, end)``."""
        start, end = max(start, 0), min(end, len(self.chars))
        if start < end:
            self.chars[start:end] = b"\x01" * (end - start)


class PlaceMatch(NamedTuple):
    """A gazetteer name found in a post: character span, the name as the gazetteer has it, and whether
    the post wrote it that way (else in lower case)."""

    start: int
    end: int
    name: str
    cased: bool


class Gazetteer:
    """Place names looked up at word boundaries, longest first: as written, or in lower case (after a
    residence cue) for names that are not on the stop-list."""

    def __init__(self, places: Mapping[str, tuple[str, int]]) -> None:
        self.places = places
        self.first = frozenset(_FIRST_WORDS.findall("\n".join(places)))
        self.first_lower = frozenset(word.lower() for word in self.first)

    def lower_case(self, key: str) -> str | None:
        """The gazetteer name a lower-case mention stands for ("salford", "new delhi"), if it is a place
        of at least 1,000 people and not on the stop-list."""
        if key in _STOP_NAMES or key in _STOP_WORDS:
            return None
        for name in (key.title(), key.capitalize()):
            if name in self.places and self.places[name][1] >= _LOWER_MIN_SIZE:
                return name
        return None

    def find(self, text: str, lower: str) -> list[PlaceMatch]:
        """Non-overlapping gazetteer names in ``text`` (``lower`` is its lower-cased copy), left to
        right: capitalised ones anywhere, lower-case ones right after a residence cue."""
        found: list[PlaceMatch] = []
        covered = Covered(len(text))
        taken = 0
        for m in _CAPITAL_WORD.finditer(text):
            the = lower.startswith("the ", m.start() - 4) and m.start() >= 4
            if m.start() < taken or not (m.group() in self.first or the):
                continue
            hit = self._longest(text, m.start(), cased=True, the=the)
            if hit is not None:
                found.append(hit)
                covered.add(hit.start, hit.end)
                taken = hit.end
        for m in _LOWER_CUE.finditer(lower):
            start = m.end()
            if start < len(text) and text[start].islower() and not covered.overlaps(start, start + 1):
                hit = self._longest(text, start, cased=False, the=False)
                if hit is not None:
                    found.append(hit)
                    covered.add(hit.start, hit.end)
        return sorted(found)

    def _longest(self, text: str, start: int, *, cased: bool, the: bool) -> PlaceMatch | None:
        """The longest gazetteer name starting at ``start`` (with a "the" before it, when ``the``)."""
        chunk = _CHUNK.match(text, start)
        if chunk is None:
            return None
        raw = chunk.group()
        ends = []
        for run in _RUN_END.finditer(raw):
            ends += [run.end(), run.end() + 1] if raw.startswith(".", run.end()) else [run.end()]
        for end in reversed(ends):
            key = " ".join(raw[:end].split())
            if not cased:
                name = self.lower_case(key) if len(key) > 3 else None
                if name is not None:
                    return PlaceMatch(start, start + end, name, False)
                continue
            if the and "The " + key in self.places:
                return PlaceMatch(start - 4, start + end, "The " + key, True)
            if key in self.places:
                return PlaceMatch(start, start + end, key, True)
        return None


GAZETTEER = Gazetteer(place_gazetteer())


def _name_part(analysis: Analysis, place: PlaceMatch) -> bool:
    """Is the place part of a longer proper name ("Victoria Beckham") or the name of an organisation,
    event or the institution's own site ("our Leeds campus", "Boston Marathon"; a site or team word
    after it, unless the sentence is about care: "a Houston hospital" then says where the patient was)?"""
    if _NOT_BEFORE.search(analysis.text, max(0, place.start - 12), place.start):
        return True
    after = analysis.text[place.end : place.end + 40]
    if _INSTITUTION_AFTER.match(after):
        return True
    if _SITE_AFTER.match(after) and not analysis.about_care(place.start, place.end):
        return True
    following = _NEXT_CAPITAL.match(after)
    return bool(
        following
        and following.group(1) not in GAZETTEER.places
        and following.group(1).lower() not in _STATE_SET
        and following.group(1).lower() not in NOT_NAMES
    )


def away_from_home(analysis: Analysis, start: int, end: int) -> bool:
    """Is the place at ``[start, end)`` in a sentence with an event or travel word and without a
    residence cue before it ("back from ASCO in Chicago", "moving to Hobart to join")? Then it is where
    staff go, not where a patient lives. The post's event words are found once."""
    cached = analysis.role_cues.get("event words")
    if cached is None:
        cached = analysis.role_cues["event words"] = (
            [m.start() for m in _EVENT.finditer(analysis.text)],
            [],
            [],
        )
    return event_sentence(analysis, cached[0], start, end) and not _RESIDENCE.search(
        analysis.before(start, 30)
    )


def event_sentence(analysis: Analysis, events: list[int], start: int, end: int) -> bool:
    """Does the sentence holding ``[start, end)`` have an event or travel word (``events``: where
    the event words start in the post, in order; found once per post, so many places stay linear)?"""
    s_lo, s_hi = analysis.sentence_bounds(start, end)
    i = bisect.bisect_left(events, s_lo)
    return i < len(events) and events[i] < s_hi


def place_confidence(analysis: Analysis, place: PlaceMatch, events: list[int]) -> float | None:
    """How surely a gazetteer name is where a patient lives or comes from (None: not at all).
    ``events``: the starts of the post's event words (see :func:`event_sentence`)."""
    if _name_part(analysis, place) or _ORG_MOVED.search(analysis.before(place.start, 50)):
        return None
    before = analysis.before(place.start, 30)
    if _STRONG.search(before):
        return 0.8
    s_lo = analysis.sentence_bounds(place.start, place.end)[0]
    if event_sentence(analysis, events, place.start, place.end) or analysis.headline(place.start, place.end):
        return None
    key = place.name.lower()
    residence = bool(_RESIDENCE.search(before))
    if not place.cased:
        return 0.7 if residence and analysis.post_about_care() else None
    if key in _STOP_NAMES and GAZETTEER.places[place.name][1] < _NAMESAKE_CITY_SIZE:
        return None
    care = analysis.about_care(place.start, place.end)
    if key in _STOP_WORDS or key in _STOP_NAMES:
        inside = place.start > s_lo  # a sentence's first word is capitalised anyway
        return 0.6 if inside and care and (residence or _PLACE_CUE.search(before)) else None
    if residence and (care or analysis.post_about_care() or _PERSON_FROM.search(before)):
        return 0.8
    return 0.6 if care else None


class LocationRecognizer(Recognizer):
    """LOCATION findings for addresses, cued ZIP codes, counties, cities, towns and districts."""

    name = "LocationRecognizer"
    labels = (IdentifierLabel.LOCATION,)
    triggers = (_DATA.regex("trigger"), _STREET_TRIGGER)
    cased_triggers = (_DATA.regex("cased_trigger"), _DATA.regex("cased_trigger_numbers"))
    _cue_trigger = _DATA.regex("place_cue_trigger")
    """Gazetteer places need a residence cue (this, in the lower-cased text) or care context."""

    def triggered(self, analysis: Analysis) -> bool:
        """The triggers, or what a gazetteer place needs: a cue word, a care word or a care finding."""
        return (
            super().triggered(analysis)
            or analysis.has_match(self._cue_trigger)
            or bool(analysis.spans(CARE_KEY))
            or any(f.label in _CARE_LABELS for f in analysis.findings)
        )

    def trigger_regexes(self) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
        """The triggers and the place-cue trigger."""
        return (*self.triggers, self._cue_trigger), self.cased_triggers

    def analyze(self, analysis: Analysis) -> list[Finding]:
        events = [m.start() for m in _EVENT.finditer(analysis.text)]
        found = self._addresses(analysis, events)
        taken = Covered(len(analysis.text))
        for f in (*analysis.findings, *found):
            taken.add(f.start, f.end)
        for place in GAZETTEER.find(analysis.text, analysis.lower):
            if taken.overlaps(place.start, place.end):
                continue
            start, end = place.start, place.end
            confidence = place_confidence(analysis, place, events)
            code = _PLACE_POSTCODE.match(analysis.text, end)
            if code is not None and not event_sentence(analysis, events, start, end):
                confidence = max(confidence or 0.0, 0.8)  # "Leeds LS1 4AP"
                # the code joins the town unless the postcode recognizer found it already
                end = end if taken.overlaps(code.end() - 1, code.end()) else code.end()
            if confidence is not None:
                found.append(self.finding(IdentifierLabel.LOCATION, start, end, confidence))
                taken.add(start, end)
        for m in _UNKNOWN_PLACE.finditer(analysis.text):
            place, start, end = m.group("place"), m.start("place"), m.end("place")
            if taken.overlaps(start, end):
                continue  # a gazetteer place said so already
            if place.lower() not in _STATE_SET and place.split()[0].lower() not in NOT_NAMES:
                found.append(self.finding(IdentifierLabel.LOCATION, start, end, 0.6))
        return found

    def _addresses(self, analysis: Analysis, events: list[int]) -> list[Finding]:
        """Street addresses (the whole address: unit, town, state, postcode and country lines after the
        street), cued ZIP codes, counties and PO boxes. An address needs no care context: it identifies
        whoever lives there. An address in an event sentence that is not about care is a venue."""
        text = analysis.text
        found: list[Finding] = []
        covered = Covered(len(text))
        present = _present(text)
        for start, end, confidence in _street_spans(text, present):
            end = extend_address(text, end)
            prefix = _PREFIX.search(text, max(0, start - 30), start)
            start = prefix.start() if prefix is not None else start
            if covered.overlaps(start, end):
                continue  # a cued address the street regex found too
            if event_sentence(analysis, events, start, end) and not analysis.about_care(start, end):
                continue
            finding = self.finding(IdentifierLabel.LOCATION, start, end, confidence)
            found.append(dataclasses.replace(finding, attributes=_STREET_LEVEL))
            covered.add(start, end)
        for m in _scan(_ZIP_CUED, text, present):
            group = "zip" if m.group("zip") is not None else "code"
            start, end = m.start(group), m.end(group)
            if not covered.overlaps(start, end):
                finding = self.finding(IdentifierLabel.LOCATION, start, end, 0.85)
                found.append(dataclasses.replace(finding, attributes=_POSTCODE_LEVEL))
        found += [
            self.finding(IdentifierLabel.LOCATION, m.start(), m.end(), 0.8) for m in _COUNTY.finditer(text)
        ]
        return found


_ADDRESS_SCANS = (_STREET, _CROSS, _ADDRESS_CUED, _BOX, _SHIP, _INTERNATIONAL, _CORNER, _AFTER_CUE)
_ADDRESS_SCANS += (_ZIP_CUED, _INCIDENT_ROAD)
_SCANNER = RegexScanner(_ADDRESS_SCANS)
"""The address scans' prefilter: which of them match the text at all, in one Hyperscan pass."""
_GATED = True
"""Skip a scan the prefilter rules out; off only to test that it changes nothing."""


def _present(text: str) -> set[re.Pattern[str]] | None:
    """The address scans that match ``text`` (None: not prefiltered, run them all)."""
    return _SCANNER.matching(text) if _GATED else None


def _scan(
    pattern: re.Pattern[str], text: str, present: set[re.Pattern[str]] | None
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, or nothing when the prefilter found no match of it."""
    if present is not None and pattern not in present:
        return iter(())
    return pattern.finditer(text)


def _street_spans(text: str, present: set[re.Pattern[str]] | None = None) -> list[tuple[int, int, float]]:
    """Street-level address candidates, most specific first: (start, end, confidence); ``present``:
    :func:`_present` of the text, when the caller has it."""
    present = _present(text) if present is None else present
    spans = [(m.start(), m.end(), 0.9) for m in _scan(_STREET, text, present)]
    spans += [(m.start(), m.end(), 0.85) for m in _scan(_CROSS, text, present)]
    spans += [(m.start("addr"), m.end("addr"), 0.85) for m in _scan(_ADDRESS_CUED, text, present)]
    spans += [(m.start(), m.end(), 0.85) for m in _scan(_BOX, text, present)]
    spans += [(m.start(), m.end(), 0.85) for m in _scan(_SHIP, text, present)]
    spans += [(m.start(), m.end(), 0.85) for m in _scan(_INTERNATIONAL, text, present)]
    spans += [(m.start("addr"), m.end("addr"), 0.8) for m in _scan(_CORNER, text, present)]
    spans += [(m.start("addr"), m.end("addr"), 0.8) for m in _scan(_AFTER_CUE, text, present)]
    spans += [(m.start("addr"), m.end("addr"), 0.8) for m in _scan(_INCIDENT_ROAD, text, present)]
    return spans + _address_lines(text)


def extend_address(text: str, end: int) -> int:
    """Where an address that ends its street part at ``end`` really ends: after the unit, town, state,
    postcode and country parts that follow it on the same line (after commas) or on the next lines."""
    return _extend(text, end)[0]


def _extend(text: str, end: int) -> tuple[int, list[str]]:
    """:func:`extend_address`, with the kinds of the parts joined ("unit", "code", "state", "place")."""
    kinds: list[str] = []
    for _ in range(_MAX_PARTS):
        m = _PART.match(text, end)
        if m is None or not _part_ok(text, m, after_code=bool(kinds) and kinds[-1] == "code"):
            break
        kinds.append(next(k for k in ("unit", "code", "state", "place") if m.group(k) is not None))
        end = m.end()
    return end, kinds


def _address_lines(text: str) -> list[tuple[int, int, float]]:
    """Street lines of addresses in any language: a number-and-words line start that a unit or
    postcode and at least one more address part follow, to the line's end or on the next lines."""
    spans = []
    if "\n" not in text:
        return spans
    for m in _LINE.finditer(text):
        end, kinds = _extend(text, m.end("addr"))
        at_line_end = end == len(text) or text[end] in "\r\n"
        if at_line_end and len(kinds) >= 2 and ("unit" in kinds or "code" in kinds):
            spans.append((m.start("addr"), end, 0.8))
    return spans


def _part_ok(text: str, m: re.Match[str], *, after_code: bool) -> bool:
    """Is this ``address_part`` match part of the address? A town after a plain space only follows a
    postcode ("3011 Rotterdam"); a capitalised code is a state only when a postcode follows it."""
    sep = m.group("sep")
    if m.group("place") is not None:
        if "," not in sep and "\n" not in sep and not after_code:
            return False  # a capitalised word after a plain space is the sentence going on
        return m.group("place").split()[0].lower() not in NOT_NAMES
    state = m.group("state")
    if state is not None and state.lower() not in _STATE_SET:
        nxt = _PART.match(text, m.end())
        return nxt is not None and nxt.group("code") is not None
    return True
