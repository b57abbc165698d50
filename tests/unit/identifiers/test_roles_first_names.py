"""The first-name gazetteer (identifiers/data/first_names.yaml) is what its recipe builds: the given names
of Faker's English-language person providers (MIT), split by whether SCOWL's american-english word list
(the Debian wamerican package) holds the name as a lower-case word. Faker is a dev dependency; the test
is skipped where either source is missing. Rebuild: run this file with Python; it prints the names to
paste into the two lists."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from postguard.domain.rule_data import load_package_rule_data

pytestmark = pytest.mark.unit

LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "en_NZ")
WORDS = Path("/usr/share/dict/american-english")
ATTRIBUTES = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


def given_names() -> set[str]:
    """Faker's given names for LOCALES: ASCII letters only, 3 or more, lower-cased."""
    names: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ATTRIBUTES:
            names |= {n.lower() for n in getattr(provider, attribute, ()) if n.isascii() and n.isalpha()}
    return {n for n in names if len(n) >= 3}


def split(names: set[str]) -> tuple[set[str], set[str]]:
    """(names that are not lower-case English words, names that are)."""
    words = set(WORDS.read_text(encoding="utf-8").split())
    return names - words, names & words


def test_the_shipped_lists_are_the_recipes_output() -> None:
    pytest.importorskip("faker")
    if not WORDS.is_file():
        pytest.skip("SCOWL american-english is not installed (apt-get install wamerican)")
    plain, word_names = split(given_names())
    data = load_package_rule_data("postguard.domain.identifiers.data", "first_names.yaml")
    assert data.words("first_names") == plain
    assert data.words("word_names") == word_names


def test_the_gazetteer_is_small_and_holds_no_stop_words() -> None:
    from spacy.lang.en.stop_words import STOP_WORDS

    data = load_package_rule_data("postguard.domain.identifiers.data", "first_names.yaml")
    plain, word_names = data.words("first_names"), data.words("word_names")
    assert 1000 < len(plain) < 5000 and not plain & word_names
    assert not plain & STOP_WORDS


if __name__ == "__main__":
    plain, word_names = split(given_names())
    print("first_names:", " ".join(sorted(plain)))
    print("word_names:", " ".join(sorted(word_names)))
