"""One Hyperscan pass finds exactly the regexes ``re.search`` finds: on the recognizers' own triggers
over generated posts, the samples and those texts mutated with the characters where the engines'
classes can differ (non-ASCII digits and letters, emoji, unusual spaces, control characters)."""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest
from postguard.domain.engine.regex_scan import RegexScanner
from postguard.domain.identifiers.registry import RecognizerRegistry

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_embedded import generate  # noqa: E402

_ODD = [
    "\u0968\u0966",  # Devanagari digits: \d in both engines
    "\uff11\uff12",  # fullwidth digits
    "caf\u00e9",
    "\u00a0",  # no-break space: \s in both
    "\u2009",
    "\u3000",
    "\U0001f489",
    "\u0301",  # a combining mark: not \w in Python
    "\u00b2",  # superscript two: \d in neither, \w in Python
    "\x1c",  # \s in Python only: the scanner must fall back
    "\u0130",  # dotted capital I: lower() makes two characters
    "\n",
    "ß",
]


def texts() -> list[str]:
    rng = random.Random(7)
    samples = (ROOT / "samples" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    base = [p["text"] for p in generate(1500)] + [json.loads(line)["text"] for line in samples if line]
    mutated = []
    for text in base[:800]:
        chars = list(text)
        for _ in range(rng.randint(1, 6)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(_ODD))
        mutated.append("".join(chars))
    return base + mutated


def test_the_scan_finds_what_re_finds_on_every_trigger() -> None:
    registry = RecognizerRegistry()
    lower = [p for r in registry.recognizers for p in r.trigger_regexes()[0]]
    cased = [p for r in registry.recognizers for p in r.trigger_regexes()[1]]
    hits = 0
    for patterns, cased_text in ((lower, False), (cased, True)):
        scanner = RegexScanner(patterns)
        assert scanner.scanned == len(scanner.patterns)  # every trigger goes through Hyperscan
        for text in texts():
            subject = text if cased_text else text.lower()
            expected = {p for p in scanner.patterns if p.search(subject) is not None}
            assert scanner.matching(subject) == expected, (cased_text, text)
            hits += len(expected)
    assert hits > 3000  # the texts do hit the triggers


def test_patterns_hyperscan_widens_or_cannot_take_and_texts_it_must_not_see_use_re() -> None:
    verbose = re.compile(r"a \s b  # a comment", re.VERBOSE)
    backreference = re.compile(r"(\w)\1")  # Hyperscan takes it widened: each report is confirmed
    scanner = RegexScanner([verbose, backreference, re.compile(r"\bdob\b")])
    assert scanner.scanned == 2
    assert scanner.matching("a b, zz, dob") == {verbose, backreference, scanner_pattern(scanner, "dob")}
    assert scanner.matching("ab cd") == set()
    assert scanner.matching("a\x1cb") == {verbose}  # Python's \s takes U+001C, Hyperscan's does not
    assert scanner.matching("dob \ud800") == {scanner_pattern(scanner, "dob")}  # a lone surrogate
    assert RegexScanner([]).matching("anything") == set()


def test_a_pattern_naming_a_character_that_folds_into_ascii_stays_with_re() -> None:
    # Python's IGNORECASE matches the long s to "s" (and the dotless i, dotted I, Kelvin sign to ASCII
    # letters); Hyperscan's caseless mode does not, so such a pattern is never given to Hyperscan.
    long_s = re.compile("\u017ftay", re.IGNORECASE)
    in_range = re.compile("[\u0100-\u0200]ick", re.IGNORECASE)
    word = re.compile(r"\bward\b")
    scanner = RegexScanner([long_s, in_range, word])
    assert scanner.scanned == 1
    assert scanner.exact == 1  # \b is exact on ASCII text
    assert scanner.matching("please stay on the ward") == {long_s, word}
    assert scanner.matching("sick, awkward") == {in_range}


def scanner_pattern(scanner: RegexScanner, fragment: str) -> re.Pattern[str]:
    return next(p for p in scanner.patterns if fragment in p.pattern)


def test_non_ascii_text_is_scanned_as_its_shadow() -> None:
    # Emoji, curly quotes and dashes are neither word nor space characters: the text is scanned with
    # each as U+0001, and a pattern naming a non-ASCII character is searched with re instead.
    dash = re.compile("\\d\u2013\\d")
    word = re.compile(r"\bward\b\W+\w")
    not_letter = re.compile(r"[^a-z ]{2}")
    scanner = RegexScanner([dash, word, not_letter])
    assert scanner.scanned == 3
    texts = {
        "on the ward \U0001f489 now 3\u20134": {dash, word, not_letter},
        "ward\u2019s \u201cday\u201d": {word},
        "ward \u201c\u201d!": {not_letter},
        "caf\u00e9 ward x": {word},  # a non-ASCII letter: re for every pattern
    }
    for text, expected in texts.items():
        assert {p for p in scanner.patterns if p.search(text)} == expected  # what re finds
        assert scanner.matching(text) == expected, text


def test_without_hyperscan_every_pattern_is_searched_with_re(monkeypatch: pytest.MonkeyPatch) -> None:
    # Hyperscan is x86-64 only: elsewhere the package is absent and the scanner must still be exact.
    from postguard.domain.engine import regex_scan

    monkeypatch.setattr(regex_scan, "hyperscan", None)
    patterns = [re.compile(r"\bdob\b"), re.compile(r"(?<!\d)\d{3}(?!\d)"), re.compile("caf\u00e9")]
    scanner = RegexScanner(patterns)
    assert scanner.scanned == 0
    for text in ["dob 123", "1234 caf\u00e9", "", "\U0001f489 dob"]:
        assert scanner.matching(text) == {p for p in patterns if p.search(text)}
