"""The shared text engine: a rebuilt vocab keeps the compiled flag tests, and one lock serialises use."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import spacy
from postguard.domain.engine.matcher import MatchSpec
from postguard.domain.engine.text import TextEngine, string_count

SPEC = MatchSpec(
    {"PET": [[{"LOWER": {"IN": ["cat", "dog"]}}, {"TEXT": {"REGEX": "^[0-9]+$"}}]]},
    {"CARE": ["ward round"]},
    {"CITY": ["Springfield"]},
)
TEXT = "Dog 42 on the Ward round in Springfield, cat 7 and springfield"
EXPECTED = [("CARE", 4, 6), ("CITY", 7, 8), ("PET", 0, 2), ("PET", 9, 11)]


def test_matches_survive_a_vocab_reset() -> None:
    engine = TextEngine(lambda: spacy.blank("en"), SPEC, max_size=2_000)
    first = engine.nlp
    with engine.lock:
        assert sorted(engine.match(engine.doc(TEXT))) == EXPECTED
        engine.docs([" ".join(f"w{i}x" for i in range(3_000))])
        assert engine.reset_if_full()
    assert engine.nlp is not first and engine.rebuilds == 1
    assert len(engine.nlp.vocab) < 2_000
    with engine.lock:
        assert sorted(engine.match(engine.doc(TEXT))) == EXPECTED  # flags installed on the new vocab
        assert not engine.reset_if_full()


def test_size_policy_can_count_strings() -> None:
    engine = TextEngine(lambda: spacy.blank("en"), SPEC, max_size=10**9, size=string_count)
    assert not engine.over_limit()
    engine.max_size = 0
    assert engine.over_limit()


def test_concurrent_callers_under_the_lock_get_the_same_matches() -> None:
    engine = TextEngine(lambda: spacy.blank("en"), SPEC, max_size=500)

    def run(i: int) -> list:
        with engine.lock:
            docs = engine.docs([TEXT, f"filler{i} " * 50])
            found = sorted(engine.match(docs[0]))
            engine.reset_if_full()
        return found

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(40)))
    assert all(r == EXPECTED for r in results)
    assert engine.rebuilds > 0
