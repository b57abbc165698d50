"""The named-day scan's precheck (``date._NAMES_STARTING``: a first word none of whose names starts
there is skipped) finds the same named days as the scan without it, on generated posts and on texts
built from every named day's spellings, offsets and look-alikes."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from postguard.domain.identifiers.recognizers import date

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_embedded import generate  # noqa: E402

_AROUND = ["on", "the day after", "two days before", "over", "last", "this", "the", "new", "a", "ward", "."]
_ENDINGS = ["", "s", "'s", "’s", "-", "day", ".", "'", "x", " party", ","]


def _spellings(name: str, rng: random.Random) -> str:
    words = name.split(" ")
    if rng.random() < 0.3:  # cut a name short or run it into the next word
        words = words[: rng.randint(1, len(words))]
    text = rng.choice([" ", "-", "  "]).join(words)
    text = text.replace("saint", rng.choice(["saint", "st", "st.", "St."]))
    text = rng.choice([text, text.title(), text.upper(), text.capitalize()])
    return text + rng.choice(_ENDINGS)


def texts(count: int = 4000) -> list[str]:
    rng = random.Random(11)
    names = sorted(date.NAMED_DAYS)
    out = [p["text"] for p in generate(1500)]
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 6)):
            parts.append(rng.choice(_AROUND))
            parts.append(_spellings(rng.choice(names), rng))
        out.append(
            " ".join(parts) + rng.choice(["", " é", " ſ", " İ", " \U0001f489", " \u201cok\u201d", " \u2014"])
        )
    return out


def _spans(text: str) -> list[tuple[int, int, str | None]]:
    analysis = SimpleNamespace(text=text, lower=text.lower())
    return [(m.start(), m.end(), m.group("name")) for m in date._named_day_matches(analysis)]  # type: ignore[arg-type]


def test_the_precheck_keeps_every_named_day(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = texts()
    with_precheck = [_spans(t) for t in corpus]
    monkeypatch.setattr(date, "_NAME_PRECHECK", False)
    without = [_spans(t) for t in corpus]
    for text, a, b in zip(corpus, with_precheck, without, strict=True):
        assert a == b, text
    assert sum(map(len, without)) > 3000  # the texts do name days


def test_every_first_word_has_names_and_each_name_is_under_its_first_words() -> None:
    for name in date.NAMED_DAYS:
        for word in date._first_words(name):
            assert date._NAMES_STARTING[word].pattern, word
    assert set(date._NAMES_STARTING) == set(date._NAME_FIRST_WORDS)
