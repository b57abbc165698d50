"""The engine's array paths give what spaCy's per-token Python paths give: sentence starts (the array
sentencizer against spaCy's ``Sentencizer``), the content rules' token-test hits (cached per word
against a test per token), and token tables built with a known text."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
import spacy
from postguard.domain.advice.classifier import _shared_rule_engine, build_nlp
from postguard.domain.advice.rules.base import CueMatcher
from postguard.domain.advice.rules.cues import looks_like_drug
from postguard.domain.engine.sentences import FACTORY, ArraySentencizer
from postguard.domain.engine.tokens import Tokens, tokenizer_signature
from postguard.domain.text_guard import guarded_doc

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_embedded import generate  # noqa: E402

_PIECES = [
    *("Hi", "there", ".", "!", "?", "...", "?!", "。", "！", "‼", '"', ")", "(", "Dr.", "St."),
    *("e.g.", "3.5", "mg", "-", "—", "#ad", "x-rays", "metformin", "ok", "U.S.", "\n", "\n\n", "  "),
]


def texts() -> list[str]:
    rng = random.Random(5)
    samples = ROOT / "samples" / "posts.jsonl"
    out = [json.loads(x)["text"] for x in samples.read_text(encoding="utf-8").splitlines() if x.strip()]
    out += [p["text"] for p in generate(600)]
    for _ in range(1500):
        parts = [rng.choice(_PIECES) for _ in range(rng.randint(0, 25))]
        out.append("".join(p + rng.choice(("", " ", " ", "\n")) for p in parts))
    return [*out, "", " ", ".", "!!!", "a"]


def test_array_sentencizer_sets_the_sentences_spacys_sentencizer_sets() -> None:
    ours, theirs = build_nlp(), spacy.blank("en")
    theirs.tokenizer = ours.tokenizer
    theirs.add_pipe("sentencizer")
    assert ours.pipe_names == [FACTORY]
    checked = 0
    for text in texts():
        a, b = ours(text), theirs(text)
        assert [t.is_sent_start for t in a] == [t.is_sent_start for t in b], text
        if len(a):
            assert [s.start for s in a.sents] == [s.start for s in b.sents]
        checked += len(a)
    assert checked > 20_000


def test_array_sentencizer_keeps_boundaries_set_before_it() -> None:
    nlp = spacy.blank("en")
    sentencizer = ArraySentencizer(nlp.vocab.strings)
    doc = nlp.make_doc("one two. three four")
    doc[1].is_sent_start = True  # set by someone earlier: kept, as spaCy's sentencizer keeps it
    sentencizer(doc)
    assert [t.is_sent_start for t in doc] == [True, True, False, True, False]


def test_token_tests_run_per_word_give_the_per_token_hits() -> None:
    engine = _shared_rule_engine()
    matcher = CueMatcher.bound(engine.text.matcher, {"DRUG": looks_like_drug, "TITLE": lambda t: t.is_title})
    found = 0
    for text in texts():
        doc = guarded_doc(engine.nlp.tokenizer, text)
        expected = sorted(
            [("DRUG", t.i, t.i + 1) for t in doc if looks_like_drug(t)]
            + [("TITLE", t.i, t.i + 1) for t in doc if t.is_title]
        )
        assert sorted(matcher._token_hits(doc)) == expected, text
        found += len(expected)
    assert found > 1_000


def test_a_token_table_made_with_its_text_is_the_table_made_from_the_doc() -> None:
    nlp = spacy.blank("en")
    signature = tokenizer_signature(nlp.tokenizer)
    for text in texts()[:800]:
        doc = guarded_doc(nlp.tokenizer, text)
        assert Tokens.of(doc, signature, text) == Tokens.of(doc, signature)
