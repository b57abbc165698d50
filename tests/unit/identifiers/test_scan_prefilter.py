"""The location, date and age recognizers' one-pass prefilter (``engine.regex_scan``): the address and date
patterns it rules out never match, on thousands of texts and odd casings / digits, and both recognizers
find the same with and without it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from postguard.domain.identifiers.recognizers import age, date, location

sys.path.insert(0, str(Path(__file__).parent))
from test_prefilter import _analysis, corpus, registries

pytestmark = pytest.mark.unit

_ODD = [
    "lives at 5 Elm Street",
    "LIVES AT 12 Oak Road",
    "reſides at 4 Main St",  # the long s: IGNORECASE folds it to "s"
    "Lıves at 7 Rd",  # dotless i
    "𝟓 x",  # a mathematical digit: \d in Python
    "٣ days",  # an Arabic-Indic digit
    "seen 3/4\x1c at 10 Downing Street",  # a character only Python's \s takes: re fallback
]


def test_a_ruled_out_pattern_never_matches() -> None:
    scanners = [
        (location._SCANNER, location._ADDRESS_SCANS),
        (date._SCANNER, [*(p for _, p in date._PATTERNS), date.RELATIVE]),
        (age._SCANNER, [p for _, p in age._PATTERNS]),
    ]
    ruled_out = 0
    for text in [*corpus()[::2], *_ODD]:
        for scanner, patterns in scanners:
            present = scanner.matching(text)
            for pattern in patterns:
                assert (pattern in present) == (pattern.search(text) is not None), (
                    pattern.pattern[:60],
                    text,
                )
                ruled_out += pattern not in present
    assert ruled_out > 5_000  # the prefilter does rule scans out


def test_recognizers_find_the_same_with_and_without_the_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = registries()[1]  # no trigger prefilter: every text reaches them
    names = ("LocationRecognizer", "DateRecognizer", "AgeRecognizer")
    chosen = [r for r in registry.recognizers if r.name in names]
    texts = [*corpus()[::2], *_ODD]
    analyses = [_analysis(registry, t) for t in texts]
    gated = [[r.analyze(a) for r in chosen] for a in analyses]
    monkeypatch.setattr(location, "_GATED", False)
    monkeypatch.setattr(date, "_GATED", False)
    monkeypatch.setattr(age, "_GATED", False)
    analyses = [_analysis(registry, t) for t in texts]
    plain = [[r.analyze(a) for r in chosen] for a in analyses]
    for text, a, b in zip(texts, gated, plain, strict=True):
        assert a == b, text
    assert sum(len(f) for group in plain for f in group) > 300
