"""The engine matcher finds exactly what spaCy's own Matcher / PhraseMatcher find for the shipped cues."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import spacy
from postguard.domain.advice.classifier import build_nlp
from postguard.domain.advice.rules import (
    ClaimsRule,
    ConductRule,
    DisclaimerRule,
    PersonalAdviceRule,
    PromotionRule,
    SolicitationRule,
)
from postguard.domain.advice.rules.base import merge_cue_specs
from postguard.domain.advice.rules.cues import shared_patterns, shared_phrases
from postguard.domain.engine.flags import FlagTable, lexeme_predicates
from postguard.domain.engine.matcher import (
    CompiledPatterns,
    EngineMatcher,
    GatedMatcher,
    MatchSpec,
    expand_to_phrases,
    max_length,
)
from postguard.domain.identifiers.recognizers import default_recognizers
from postguard.domain.identifiers.registry import identifier_nlp, match_spec
from spacy.matcher import Matcher, PhraseMatcher

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "posts.jsonl"


def advice_spec() -> MatchSpec:
    rules = (
        PersonalAdviceRule(),
        SolicitationRule(),
        ClaimsRule(),
        ConductRule(),
        PromotionRule(),
        DisclaimerRule(),
    )
    specs = [(shared_patterns(), shared_phrases())] + [(r.token_patterns(), r.phrases()) for r in rules]
    patterns, phrases = merge_cue_specs(specs)
    return MatchSpec(patterns, phrases)


def pattern_words(spec: MatchSpec) -> list[str]:
    """Every literal word the patterns and phrases name (to build texts that hit them)."""
    found: set[str] = set()
    for patterns in spec.token_patterns.values():
        for token in (t for p in patterns for t in p):
            for value in token.values():
                if isinstance(value, str):
                    found.add(value)
                elif isinstance(value, dict):
                    for arg in value.values():
                        if isinstance(arg, list):
                            found.update(a for a in arg if isinstance(a, str))
    for texts in (*spec.phrases.values(), *spec.cased_phrases.values()):
        found.update(" ".join(texts).split())
    return sorted(found)


def texts_for(spec: MatchSpec, count: int = 400, seed: int = 13) -> list[str]:
    """Sample posts plus word salad from the cue words (cased three ways, with punctuation and numbers)."""
    rng = random.Random(seed)
    words = [*pattern_words(spec), "the", "a", "and", ",", ".", "!", "?", "#ad", "5mg", "10", "Dr.", "x-rays"]
    texts = [
        json.loads(line)["text"] for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    for _ in range(count):
        picked = [rng.choice(words) for _ in range(rng.randint(3, 25))]
        picked = [
            w.capitalize() if rng.random() < 0.2 else w.upper() if rng.random() < 0.05 else w for w in picked
        ]
        texts.append(" ".join(picked) + rng.choice(["", ".", "!", "\n\nOk."]))
    return texts


def reference_matches(nlp: spacy.language.Language, spec: MatchSpec, texts: list[str]) -> list[set]:
    matcher = Matcher(nlp.vocab)
    for key, patterns in spec.token_patterns.items():
        matcher.add(key, patterns)
    lower, cased = PhraseMatcher(nlp.vocab, attr="LOWER"), PhraseMatcher(nlp.vocab, attr="ORTH")
    for phrase_matcher, phrases in ((lower, spec.phrases), (cased, spec.cased_phrases)):
        for key, words in phrases.items():
            phrase_matcher.add(key, list(nlp.tokenizer.pipe(sorted(set(words)))))
    strings = nlp.vocab.strings
    out = []
    for doc in nlp.pipe(texts):
        hits = [*matcher(doc), *lower(doc), *cased(doc)]
        out.append({(strings[k], s, e) for k, s, e in hits})
    return out


@pytest.mark.parametrize("which", ["advice", "identifiers"])
def test_engine_matcher_finds_what_spacy_finds(which: str) -> None:
    if which == "advice":
        spec, make = advice_spec(), build_nlp
    else:
        spec, make = match_spec(default_recognizers()), identifier_nlp
    texts = texts_for(spec)
    expected = reference_matches(make(), spec, texts)
    nlp = make()
    engine = EngineMatcher(nlp, CompiledPatterns(spec))
    got = [set(engine(doc)) for doc in nlp.pipe(texts)]
    assert sum(len(e) for e in expected) > len(texts)  # the texts do hit the cues
    assert got == expected


def test_flag_bits_stand_in_for_python_predicates() -> None:
    spec = MatchSpec({"K": [[{"LOWER": {"IN": ["cat", "dog"]}}, {"TEXT": {"REGEX": "^[0-9]+$"}, "OP": "?"}]]})
    compiled = CompiledPatterns(spec)
    assert len(compiled.flags) == 2
    tokens = compiled.token_patterns["K"][0]
    assert not any(isinstance(v, dict) for t in tokens for v in t.values())  # no Python predicate left
    nlp = spacy.blank("en")
    doc = nlp("The Cat 42 and a DOG x")
    assert sorted(EngineMatcher(nlp, compiled)(doc)) == [("K", 1, 2), ("K", 1, 3), ("K", 5, 6)]


def test_not_in_shares_the_in_bit_and_unknown_predicates_stay_with_spacy() -> None:
    table = FlagTable()
    spec = {"LOWER": {"NOT_IN": ["a", "b"]}}
    predicates = lexeme_predicates(spec)
    assert predicates == [("LOWER", "NOT_IN", frozenset({"a", "b"}))]
    assert lexeme_predicates({"NORM": {"IN": ["x"]}}) is None  # NORM is set per token by special cases
    assert lexeme_predicates({"_": {"custom": True}}) is None
    assert table.allocate(("LOWER", "IN", frozenset({"a", "b"}))) is not None


def test_plain_word_patterns_become_phrases() -> None:
    assert expand_to_phrases([{"LOWER": {"IN": ["you", "u"]}}, {"LOWER": "should", "OP": "?"}]) == (
        "LOWER",
        [("u",), ("u", "should"), ("you",), ("you", "should")],
    )
    assert expand_to_phrases([{"LOWER": "Dr"}]) == ("LOWER", [])  # never matched a lower-cased token
    assert expand_to_phrases([{"LOWER": "a"}, {"IS_ALPHA": True}]) is None
    assert expand_to_phrases([{"LOWER": "a", "OP": "*"}]) is None


def test_first_token_tests_past_the_flag_bits_share_union_bits_and_are_checked_exactly() -> None:
    # 60 distinct first-token word sets: more tests than the 45 flag bits, so some share a union bit
    # (a superset); each candidate's first token is then checked, so the matches stay spaCy's.
    words = [f"w{i}" for i in range(60)]
    patterns = {
        f"K{i}": [[{"LOWER": {"IN": [words[i], words[(i + 1) % 60]]}}, {"TEXT": {"REGEX": "^[0-9]+$"}}]]
        for i in range(60)
    }
    spec = MatchSpec(patterns)
    compiled = CompiledPatterns(spec)
    assert compiled.start_checked  # some patterns went through union bits
    assert len(compiled.flags) <= 45
    rng = random.Random(5)
    texts = [" ".join(rng.choice([*words, "7", "x", "W3", "12"]) for _ in range(30)) for _ in range(200)]
    expected = reference_matches(spacy.blank("en"), spec, texts)
    nlp = spacy.blank("en")
    engine = EngineMatcher(nlp, compiled)
    got = [set(engine(doc)) for doc in nlp.pipe(texts)]
    assert sum(len(e) for e in expected) > 200
    assert got == expected


def random_pattern(rng: random.Random, words: list[str]) -> list[dict]:
    """A token pattern of 1-4 specs: words, word sets, cased words, shapes, with every kind of OP."""
    specs = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.4:
            spec: dict = {"LOWER": rng.choice(words)}
        elif kind < 0.7:
            spec = {"LOWER": {"IN": rng.sample(words, 3)}}
        elif kind < 0.75:
            spec = {"ORTH": rng.choice(words).capitalize()}
        elif kind < 0.8:
            spec = {"ORTH": {"IN": [w.capitalize() for w in rng.sample(words, 2)]}}
        elif kind < 0.9:
            spec = {rng.choice(["IS_DIGIT", "LIKE_NUM", "IS_PUNCT"]): True}
        else:
            spec = {"LOWER": {"NOT_IN": rng.sample(words, 4)}}
        op = rng.choice([None, None, None, "?", "*", "+", "{0,2}", "{1,3}", "!"])
        if op is not None:
            spec["OP"] = op
        specs.append(spec)
    return specs


def test_gated_matchers_find_what_one_matcher_finds() -> None:
    # Each pattern runs only where its first token's gate opens it, over a token window: the windows
    # and gates must never lose a match that one spaCy Matcher over the whole doc finds.
    rng = random.Random(29)
    words = [f"w{i}" for i in range(12)]
    patterns = {f"K{i}": [random_pattern(rng, words) for _ in range(2)] for i in range(80)}
    nlp = spacy.blank("en")
    reference = Matcher(nlp.vocab)
    for key, group in patterns.items():
        reference.add(key, group)
    gated = GatedMatcher(nlp.vocab, [(key, p, []) for key, group in patterns.items() for p in group])
    assert 1 < len(gated) <= 160  # split by gate
    texts = [
        " ".join(
            rng.choice([*words, *(w.capitalize() for w in words), "7", "x", ".", "ten"]) for _ in range(40)
        )
        for _ in range(300)
    ]
    found = 0
    for doc in nlp.pipe(texts):
        expected = set(reference(doc))
        assert set(gated(doc)) == expected
        found += len(expected)
    assert found > 300
    assert len(gated.open_matchers(nlp("nothing here at all"))) <= 1  # only the ungated matcher runs


def test_max_length_bounds_every_match() -> None:
    assert max_length([{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}, {"OP": "{0,3}"}]) == 5
    assert max_length([{"LOWER": "a"}, {"OP": "!", "LOWER": "b"}]) == 2
    assert max_length([{"LOWER": "a"}, {"OP": "*"}]) is None
    assert max_length([{"LOWER": "a", "OP": "+"}]) is None
    assert max_length([{"LOWER": "a", "OP": "{2,}"}]) is None
