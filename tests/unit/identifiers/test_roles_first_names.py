"""The first-name gazetteer (identifiers/data/first_names.yaml) is what its recipe builds: the given names
of Faker's person providers (MIT) for the people of our six countries (US, UK, Ireland, India, Canada,
Australia; Faker has no en_AU / en_CA person names, so New Zealand, Irish-language, Pakistani, Nigerian,
Ghanaian, Kenyan, Québécois and Mexican providers stand in for their communities), split by whether
SCOWL's american-english word list (the Debian wamerican package) holds the name as a lower-case word.
Names in Latin letters with accents are kept as written and also without accents ("Róisín", "roisin").
Faker is a dev dependency; the test is skipped where either source is missing. Rebuild: run this file
with Python (``--write`` rewrites the two lists in place)."""

from __future__ import annotations

import importlib
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest
from postguard.domain.rule_data import load_package_rule_data

pytestmark = pytest.mark.unit

LOCALES = (
    "en_US", "en_GB", "en_IE", "ga_IE", "en_IN", "en_NZ", "en_PK", "en_NG", "yo_NG", "ig_NG", "ha_NG",
    "tw_GH", "en_KE", "fr_CA", "es_MX", "sw", "zu_ZA", "id_ID", "vi_VN", "pl_PL", "ro_RO", "tr_TR", "pt_BR",
)  # fmt: skip
DATA = Path(__file__).resolve().parents[3] / "services/postguard/domain/identifiers/data/first_names.yaml"
WORDS = Path("/usr/share/dict/american-english")
ATTRIBUTES = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


def folded(name: str) -> str:
    """``name`` without accents ("róisín" -> "roisin")."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def given_names() -> set[str]:
    """Faker's given names for LOCALES: one word of Latin letters (accents kept, and also folded away),
    3 letters or more, lower-cased."""
    names: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ATTRIBUTES:
            for name in getattr(provider, attribute, ()) or ():
                plain = folded(name.lower())
                if name.isalpha() and plain.isascii() and plain.isalpha():
                    names |= {name.lower(), plain}
    return {n for n in names if len(n) >= 3}


def split(names: set[str]) -> tuple[set[str], set[str]]:
    """(names that are not lower-case English words, names that are)."""
    words = set(WORDS.read_text(encoding="utf-8").split())
    return names - words, names & words


def test_the_shipped_lists_are_the_recipes_output() -> None:
    pytest.importorskip("faker")
    assert WORDS.is_file(), "SCOWL american-english is missing: `make words` (Debian's wamerican) installs it"
    plain, word_names = split(given_names())
    data = load_package_rule_data("postguard.domain.identifiers.data", "first_names.yaml")
    assert data.words("first_names") == plain
    assert data.words("word_names") == word_names


def test_the_gazetteer_is_small_and_holds_no_stop_words() -> None:
    from spacy.lang.en.stop_words import STOP_WORDS

    data = load_package_rule_data("postguard.domain.identifiers.data", "first_names.yaml")
    plain, word_names = data.words("first_names"), data.words("word_names")
    assert 1000 < len(plain) < 8000 and not plain & word_names
    assert not plain & STOP_WORDS


def rewrite(lists: dict[str, set[str]]) -> str:
    """first_names.yaml with each list's words block replaced (100 characters a line)."""
    lines, out, skipping = DATA.read_text(encoding="utf-8").splitlines(), [], False
    current = ""
    for line in lines:
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            current = line.strip()[:-1]
        if skipping and line.startswith("      "):
            continue
        skipping = False
        out.append(line)
        if line.strip() == "words: |" and current in lists:
            out += textwrap.wrap(" ".join(sorted(lists[current])), 100, initial_indent=" " * 6,
                                 subsequent_indent=" " * 6, break_on_hyphens=False)  # fmt: skip
            skipping = True
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    plain, word_names = split(given_names())
    if "--write" in sys.argv:
        DATA.write_text(rewrite({"first_names": plain, "word_names": word_names}), encoding="utf-8")
    print(len(plain), "first names,", len(word_names), "word names")
