"""The regex gates (``regex_gate.RegexGate``) never rule out a scan that would match: the facts read
from parse trees are right on hand-made patterns, every gated pattern's gate agrees with a real search
on thousands of texts, and the location and date recognizers find the same with and without gates."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from postguard.domain.identifiers.recognizers import date, location
from postguard.domain.identifiers.regex_gate import RegexGate

sys.path.insert(0, str(Path(__file__).parent))
from test_prefilter import _analysis, corpus, registries

pytestmark = pytest.mark.unit

_ODD = [
    "lives at 5 Elm Street",
    "LIVES AT 12 Oak Road",
    "reſides at 4 Main St",
    "Lıves at 7 Rd",
    "𝟓 x",
    "٣ days",
]


@pytest.mark.parametrize(
    ("pattern", "needs_digit", "leads"),
    [
        (r"\d", True, ()),
        (r"[0-9]{2}|x\d", True, ()),
        (r"\d?x", False, ()),
        (r"(?:a|\d)", False, ()),  # a match may start with a digit
        (r"(?=\d)x", False, ("x",)),
        (r"(?i:Lives at|lived in)\s+\d+", True, ("lived in", "lives at")),
        (r"\b(?:on|at)\s", False, ("at", "on")),
        (r"(?:on|\w)x", False, ()),
        (r"é\d", True, ()),  # a non-ASCII lead: no literal test
        (r"x*\d+", True, ()),
    ],
)
def test_gate_facts(pattern: str, needs_digit: bool, leads: tuple[str, ...]) -> None:
    gate = RegexGate(re.compile(pattern))
    assert (gate.needs_digit, gate.leads) == (needs_digit, leads)


def test_a_gate_never_rules_out_a_text_its_pattern_matches() -> None:
    patterns = [*location._GATES, *(p for _, p in date._PATTERNS)]
    ruled_out = 0
    for text in [*corpus()[::2], *_ODD]:
        lower = text.lower()
        for pattern in patterns:
            if (
                not RegexGate(pattern).possible(text, lower)
                if pattern not in location._GATES
                else not (location._GATES[pattern].possible(text, lower))
            ):
                assert pattern.search(text) is None, (pattern.pattern[:60], text)
                ruled_out += 1
    assert ruled_out > 5_000  # the gates do rule scans out


def test_recognizers_find_the_same_with_and_without_gates(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = registries()[1]  # no trigger prefilter: every text reaches both recognizers
    chosen = [r for r in registry.recognizers if r.name in ("LocationRecognizer", "DateRecognizer")]
    texts = [*corpus()[::2], *_ODD]
    analyses = [_analysis(registry, t) for t in texts]
    gated = [[r.analyze(a) for r in chosen] for a in analyses]
    monkeypatch.setattr(location, "_GATED", False)
    monkeypatch.setattr(date, "_GATED", False)
    analyses = [_analysis(registry, t) for t in texts]
    plain = [[r.analyze(a) for r in chosen] for a in analyses]
    for text, a, b in zip(texts, gated, plain, strict=True):
        assert a == b, text
    assert sum(len(f) for group in plain for f in group) > 300
