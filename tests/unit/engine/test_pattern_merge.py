"""Merging a key's patterns (``merge_patterns``) keeps every match: merged and unmerged compiled
patterns find the same spans on generated posts, the samples and cue-word salad, for both detectors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from postguard.domain.advice.classifier import build_nlp
from postguard.domain.engine.matcher import CompiledPatterns, EngineMatcher, merge_patterns
from postguard.domain.identifiers.recognizers import default_recognizers
from postguard.domain.identifiers.registry import identifier_nlp, match_spec

sys.path.insert(0, str(Path(__file__).parent))
from test_matcher import advice_spec, texts_for

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_embedded import generate  # noqa: E402

pytestmark = pytest.mark.unit


def test_patterns_differing_in_one_plain_word_spec_merge() -> None:
    tail = [{"LOWER": "to"}, {"IS_TITLE": True}]
    patterns = [
        [{"LOWER": "thanks"}, *tail],
        [{"LOWER": "kudos"}, *tail],
        [{"LOWER": {"IN": ["hats"]}}, *tail],
    ]
    assert merge_patterns(patterns) == [[{"LOWER": {"IN": ["hats", "kudos", "thanks"]}}, *tail]]


def test_patterns_that_are_not_a_one_spec_word_choice_stay() -> None:
    keep = [
        [[{"LOWER": "a"}, {"LOWER": "b"}], [{"LOWER": "c"}, {"LOWER": "d"}]],  # two positions differ
        [[{"LOWER": "a"}, {"IS_TITLE": True}], [{"ORTH": "A"}, {"IS_TITLE": True}]],  # two attributes
        [[{"LOWER": "a", "OP": "+"}], [{"LOWER": "b", "OP": "+"}]],  # "a a b" is neither's match
        [[{"LOWER": "a", "OP": "?"}, {"LOWER": "x"}], [{"LOWER": "b"}, {"LOWER": "x"}]],  # OPs differ
        [[{"LOWER": "a", "IS_TITLE": True}], [{"LOWER": "b"}]],  # more than a word test
        [[{"LOWER": "a"}], [{"LOWER": "a"}, {"LOWER": "b"}]],  # lengths differ
    ]
    for patterns in keep:
        assert merge_patterns(patterns) == patterns


def test_an_optional_word_spec_merges_keeping_its_op() -> None:
    patterns = [[{"LOWER": "my", "OP": "?"}, {"LOWER": "x"}], [{"LOWER": "our", "OP": "?"}, {"LOWER": "x"}]]
    assert merge_patterns(patterns) == [[{"LOWER": {"IN": ["my", "our"]}, "OP": "?"}, {"LOWER": "x"}]]


@pytest.mark.parametrize("which", ["advice", "identifiers"])
def test_merged_patterns_find_what_the_unmerged_find(which: str) -> None:
    if which == "advice":
        spec, make = advice_spec(), build_nlp
    else:
        spec, make = match_spec(default_recognizers()), identifier_nlp
    merged, plain = CompiledPatterns(spec), CompiledPatterns(spec, merge=False)
    total = lambda c: sum(len(p) for p in c.token_patterns.values())  # noqa: E731
    if which == "identifiers":
        assert total(merged) < total(plain)  # the shipped credit cues do merge
    texts = texts_for(spec, count=1500) + [p["text"] for p in generate(1500)]
    # one vocab per matcher: each installs its own flag bits on its vocab
    nlp_ours, nlp_theirs = make(), make()
    ours, theirs = EngineMatcher(nlp_ours, merged), EngineMatcher(nlp_theirs, plain)
    found = 0
    for text in texts:
        expected = set(theirs(nlp_theirs.make_doc(text)))
        assert set(ours(nlp_ours.make_doc(text))) == expected, text
        found += len(expected)
    assert found > len(texts)
