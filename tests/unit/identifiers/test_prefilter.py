"""The recognizers' cheap prefilter (``Recognizer.triggered``): it never skips a recognizer that would
have found something, on generated posts, the samples, every rule-data example and random strings built
from the recognizers' own cue words, digits and separators."""

from __future__ import annotations

import json
import random
import re
import sys
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
import yaml
from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import DATA_PACKAGE
from postguard.domain.identifiers.recognizer import simple_case
from postguard.domain.identifiers.registry import RecognizerRegistry
from spacy.tokens import Span
from spacy.util import filter_spans

sys.path.insert(0, str(Path(__file__).parent))
from regex_shape import hazards

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_embedded import generate  # noqa: E402

DATA_DIR = Path(str(resources.files(DATA_PACKAGE)))
_WORDS = re.compile(r"[A-Za-z][A-Za-z']*")
_GLUE = (" ", " ", " ", " ", "", ", ", ". ", "\n", "-", "/", ":", " #", "(", ") ", "@", "://", "'s ")
_SHAPES = (
    "{d}",
    "{d}{d}",
    "{d}/{d}",
    "{d}:{d}{d}",
    "{d}-{d}-{d}",
    "{d}.{d}.{d}.{d}",
    "({d}) {d}-{d}",
    "{d}{d}{d}",
)


@cache
def registries() -> tuple[RecognizerRegistry, RecognizerRegistry]:
    """One registry with the prefilter and one without (built once: spaCy matchers are slow to build)."""
    return RecognizerRegistry(prefilter=True), RecognizerRegistry(prefilter=False)


def _strings(node: object) -> list[str]:
    """Every string in a parsed YAML document."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


@cache
def rule_texts() -> tuple[list[str], list[str]]:
    """(every ``example`` of every identifier rule-data file, every word in those files)."""
    examples: list[str] = []
    words: set[str] = set()
    for path in sorted(DATA_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in document.values() if isinstance(document, dict) else ():
            for entry in section.values() if isinstance(section, dict) else ():
                if isinstance(entry, dict) and isinstance(entry.get("example"), str):
                    examples.append(entry["example"])
        for text in _strings(document):
            words.update(_WORDS.findall(re.sub(r"\\.", " ", text)))
    return examples, sorted(words)


def _token(rng: random.Random, words: list[str]) -> str:
    if rng.random() < 0.35:
        shape = rng.choice(_SHAPES)
        return re.sub(r"\{d\}", lambda _: str(rng.randrange(10 ** rng.randint(1, 5))), shape)
    word = rng.choice(words)
    return rng.choice((word, word.lower(), word.capitalize(), word.upper()))


def random_texts(count: int, seed: int = 13) -> list[str]:
    """Strings of the recognizers' own words, numbers in date / phone / address shapes, and glue."""
    rng = random.Random(seed)
    words = rule_texts()[1]
    texts = []
    for _ in range(count):
        parts = [_token(rng, words) + rng.choice(_GLUE) for _ in range(rng.randint(2, 14))]
        texts.append("".join(parts).strip())
    return texts


@cache
def corpus() -> list[str]:
    samples = ROOT / "samples" / "posts.jsonl"
    sample_texts = [
        json.loads(line)["text"] for line in samples.read_text(encoding="utf-8").splitlines() if line
    ]
    return [p["text"] for p in generate(3000)] + sample_texts + rule_texts()[0] + random_texts(3000)


def _analysis(registry: RecognizerRegistry, text: str) -> Analysis:
    doc = registry.engine.docs([text])[0]
    grouped: dict[str, list[Span]] = {}
    for key, start, end in registry.engine.match(doc):
        grouped.setdefault(key, []).append(Span(doc, start, end, label=key))
    return Analysis(
        doc=doc, matches={k: sorted(filter_spans(v), key=lambda s: s.start) for k, v in grouped.items()}
    )


def test_every_recognizer_but_none_declares_a_trigger() -> None:
    with_trigger = {r.name for r in registries()[0].recognizers if r.has_trigger()}
    assert with_trigger == {r.name for r in registries()[0].recognizers}


def test_the_triggers_have_no_backtracking_hazard() -> None:
    for recognizer in registries()[0].recognizers:
        cue = getattr(recognizer, "_cue_trigger", None)
        for pattern in (*recognizer.triggers, *recognizer.cased_triggers, *([cue] if cue else [])):
            assert hazards(pattern) == [], (recognizer.name, pattern.pattern)


def test_a_skipped_recognizer_would_have_found_nothing() -> None:
    """Each recognizer, run in registry order on the unfiltered analysis (so the location, date and
    quasi recognizers see every earlier finding): when its trigger is absent it finds nothing and credits
    no one. Also counts skips, so a trigger that never fires on this corpus fails the test."""
    registry = registries()[1]
    skips = dict.fromkeys((r.name for r in registry.recognizers), 0)
    checked = 0
    for text in corpus():
        analysis = _analysis(registry, text)
        simple = simple_case(text)
        for recognizer in registry.recognizers:
            credited = len(analysis.credited)
            found = recognizer.analyze(analysis)
            if simple and not recognizer.triggered(analysis):
                skips[recognizer.name] += 1
                assert found == [] and len(analysis.credited) == credited, (recognizer.name, text, found)
            checked += bool(found)
            analysis.findings.extend(found)
    assert checked > 3000  # the corpus exercises the recognizers
    assert all(count > 100 for count in skips.values()), skips


def test_the_registry_finds_the_same_with_and_without_the_prefilter() -> None:
    filtered, unfiltered = registries()
    texts = corpus()
    with_prefilter = filtered.analyze_texts(texts)
    without = unfiltered.analyze_texts(texts)
    for text, (a, found), (b, expected) in zip(texts, with_prefilter, without, strict=True):
        assert found == expected, text
        assert a.credited == b.credited, text


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("My patient came in la\u017ft night to the ED.", "DATE"),
        ("Her pt \u0131d 55512345 was on the wristband.", "MEDICAL_RECORD_NUMBER"),
    ],
)
def test_texts_whose_case_folding_is_not_ascii_run_every_recognizer(text: str, label: str) -> None:
    """IGNORECASE folds the long s and the dotless i into ASCII letters and ``str.lower`` does not,
    so the lower-cased triggers are not searched there: everything runs and the finding is kept."""
    filtered, unfiltered = registries()
    expected = unfiltered.analyze_texts([text])[0][1]
    assert label in {f.label for f in expected}
    assert filtered.analyze_texts([text])[0][1] == expected


def test_simple_case_accepts_ascii_and_uncased_symbols_only() -> None:
    assert simple_case("Call 555-0123 \U0001fa7a \u2014 thanks!")
    assert not simple_case("la\u017ft night")
    assert not simple_case("Jos\u00e9")
    assert not simple_case("4\u212a")


def test_the_date_trigger_is_skipped_only_without_any_date_shape() -> None:
    date = next(r for r in registries()[0].recognizers if r.name == "DateRecognizer")
    registry = registries()[0]
    assert not date.triggered(_analysis(registry, "Great team huddle, proud of everyone."))
    for text in (
        "seen 3/14",
        "back on Tuesday",
        "came in last night",
        "at 0300 hrs",
        "over Christmas",
        "two days ago",
    ):
        assert date.triggered(_analysis(registry, text)), text
