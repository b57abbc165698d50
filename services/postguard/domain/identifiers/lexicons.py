"""Word lists the recognizers share: care context, places, rare conditions, roles and names of days.

The lists live in ``data/lexicons.yaml`` (each with a description, source and example); this module
loads them once at import under the names the recognizers and the registry import.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from postguard.domain.rule_data import RuleData, expand_list_references, load_package_rule_data

DATA_PACKAGE = "postguard.domain.identifiers.data"
LEXICONS: RuleData = load_package_rule_data(DATA_PACKAGE, "lexicons.yaml")

CARE_TERMS: tuple[str, ...] = LEXICONS.phrases("care_terms")
CARE_ACRONYMS: tuple[str, ...] = LEXICONS.phrases("care_acronyms")
"""Matched case-sensitively: "Ed" is a name, "er" a hesitation, "ct" the end of a state code."""
EVENT_TERMS: tuple[str, ...] = LEXICONS.phrases("event_terms")
MONTHS: dict[str, int] = {
    name: number for number, names in enumerate(LEXICONS.phrases("months"), start=1) for name in names.split()
}
"""Month name or abbreviation (lower case) -> month number."""
WEEKDAYS: tuple[str, ...] = LEXICONS.phrases("weekdays")
HONORIFICS: tuple[str, ...] = LEXICONS.phrases("honorifics")
CLINICIAN_TITLES: tuple[str, ...] = LEXICONS.phrases("clinician_titles")
PATIENT_ROLES: tuple[str, ...] = LEXICONS.phrases("patient_roles")
RELATIVES: tuple[str, ...] = LEXICONS.phrases("relatives")
CREDIT_CUES: tuple[str, ...] = LEXICONS.phrases("credit_cues")
NOT_NAMES: frozenset[str] = LEXICONS.words("not_names")
"""Capitalised words that are not names even after "patient" or "Mrs." (sentence words, time words)."""
US_CITIES: tuple[str, ...] = LEXICONS.phrases("us_cities")
US_STATES: tuple[str, ...] = LEXICONS.phrases("us_states")
PLACE_STOP_NAMES: frozenset[str] = LEXICONS.words("place_stop_names")
"""Gazetteer places that are also first names, months, weekdays or stop words (generated)."""
PLACE_STOP_WORDS: frozenset[str] = LEXICONS.words("place_stop_words")
"""Gazetteer places that are also English dictionary words (generated)."""
RARE_CONDITIONS: tuple[str, ...] = LEXICONS.phrases("rare_conditions")
"""Rare conditions and unusual circumstances that make a case memorable (quasi-identifiers)."""
SEX_TERMS: tuple[str, ...] = LEXICONS.phrases("sex_terms")
RELATIVE_TIME: tuple[str, ...] = LEXICONS.phrases("relative_time")


GAZETTEER_FILE = "gazetteer.txt"
ENGLISH_WORDS_FILE = "english_words.txt"
MEDICAL_WORDS_FILE = "medical_words.txt"
_GAZETTEER_LINE = re.compile(r"^([^\t#\n][^\t\n]*)\t([A-Z,]+)\t(\d+)$", re.MULTILINE)
"""Cities, towns and districts from GeoNames (CC BY 4.0), built by ``devtools/build_gazetteer.py``."""


@cache
def place_gazetteer() -> dict[str, tuple[str, int]]:
    """Place name as written -> (comma-separated country codes, digits of its largest population).

    The generated GeoNames gazetteer plus ``us_cities`` (US places of at least 6 digits: the team's list
    of cities worth naming). Loaded once, on first use (about 60,000 names)."""
    text = resources.files(DATA_PACKAGE).joinpath(GAZETTEER_FILE).read_text(encoding="utf-8")
    shared: dict[tuple[str, str], tuple[str, int]] = {}  # one value object per (countries, size)
    places = {
        name: shared.setdefault((countries, size), (countries, int(size)))
        for name, countries, size in _GAZETTEER_LINE.findall(text)
    }
    for city in US_CITIES:
        name = "The" + city[3:] if city.startswith("the ") else city
        countries, size = places.get(name, ("", 0))
        places[name] = (",".join(sorted({*countries.split(","), "US"} - {""})), max(size, 6))
    return places


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words (SCOWL american-english, ``english_words.txt``; about 64,000): a shape
    feature of the NER adapter's confidence calibration. Loaded once, on first use."""
    return _word_file(ENGLISH_WORDS_FILE)


@cache
def medical_words() -> frozenset[str]:
    """Lower-case medical words from MedQuAD (CC BY 4.0, ``medical_words.txt``; about 2,500) that are
    not SCOWL words: with ``english_words`` the NER calibration's dictionary. Loaded once, on first use."""
    return _word_file(MEDICAL_WORDS_FILE)


def _word_file(name: str) -> frozenset[str]:
    text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if line and not line.startswith("#"))


def rule_file(filename: str) -> RuleData:
    """A recognizer's rule-data file from ``data/`` (loaded once, at the recognizer module's import)."""
    return load_package_rule_data(DATA_PACKAGE, filename)


expand_patterns = expand_list_references
"""Token patterns with ``{IN: [$name]}`` references filled in (the content rules' syntax)."""
