"""One tokenisation per post: token tables rebuild the models' own docs, and the pipeline shares them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from postguard.domain import models
from postguard.domain.advice.classifier import build_nlp
from postguard.domain.engine.tokens import SharedTokens, Tokens, docs_for, tokenizer_signature
from postguard.domain.identifiers.registry import identifier_nlp
from postguard.domain.pipeline import ScreeningPipeline
from postguard.domain.text_guard import guarded_doc
from postguard.domain.types import Post
from spacy.attrs import LOWER, NORM, ORTH, PREFIX, SHAPE, SPACY, SUFFIX

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "posts.jsonl"
TRICKY = [
    "don't can't won't I'm gonna #ad x-rays co-workers :) U.S. Dr. Smith's 3pm e.g. don’t",
    "call 555-123-4567 or mail jo@x.org http://example.com/a?b=c",
    "!" * 400 + " then " + "x" * 300,
    "  two  spaces\n\nand lines ",
]
FEATURES = [ORTH, NORM, SPACY, LOWER, SHAPE, PREFIX, SUFFIX]


def sample_texts() -> list[str]:
    lines = SAMPLES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()] + TRICKY


@pytest.fixture(scope="module", params=["ner", "textcat"])
def model(request: pytest.FixtureRequest):
    if request.param == "ner":
        return models.load_ner_model()
    return models.load_advice_model()


def test_identifier_tokenizer_is_the_models_tokenizer(model) -> None:
    assert tokenizer_signature(identifier_nlp().tokenizer) == model.signature
    # the advice engine splits differently ('#ad', 'x-rays'): its tables are never reused by a model
    assert tokenizer_signature(build_nlp().tokenizer) != model.signature


def test_tables_rebuild_exactly_the_docs_the_model_would_make(model) -> None:
    source = identifier_nlp()
    signature = tokenizer_signature(source.tokenizer)
    texts = sample_texts()
    tables = [Tokens.of(guarded_doc(source.tokenizer, text), signature) for text in texts]
    rebuilt = docs_for(model.nlp.vocab, model.signature, texts, tables)
    for text, doc in zip(texts, rebuilt, strict=True):
        own = guarded_doc(model.nlp.tokenizer, text)
        assert doc is not None and doc.text == text
        assert (doc.to_array(FEATURES) == own.to_array(FEATURES)).all()


def test_tables_of_another_tokenizer_or_text_are_not_reused(model) -> None:
    source = build_nlp()
    table = Tokens.of(source.make_doc("#ad x-rays"), tokenizer_signature(source.tokenizer))
    assert docs_for(model.nlp.vocab, model.signature, ["#ad x-rays"], [table]) == [None]
    same = identifier_nlp()
    table = Tokens.of(same.make_doc("one text"), tokenizer_signature(same.tokenizer))
    assert docs_for(model.nlp.vocab, model.signature, ["another text"], [table]) == [None]


def test_each_post_is_tokenised_once_for_rules_ner_and_textcat(monkeypatch) -> None:
    pipeline = ScreeningPipeline.default()
    texts = sample_texts()
    posts = [
        Post(post_id=f"p{i}", institution_id="demo-hospital", platform="x", text=t)
        for i, t in enumerate(texts)
    ]
    alone_ner = pipeline.identifiers.ner_model.find_entities(texts)
    alone_advice = pipeline.advice.classify_batch(posts)  # the textcat tokenises for itself
    calls: list[str] = []
    real = models.guarded_doc
    monkeypatch.setattr(
        models, "guarded_doc", lambda tokenizer, text: calls.append(text) or real(tokenizer, text)
    )
    shared = SharedTokens()
    pipeline.identifiers.detect_batch(posts, shared=shared)
    shared_advice = pipeline.advice.classify_batch(posts, shared=shared)
    assert calls == []  # neither the NER nor the textcat tokenised again
    assert shared_advice == alone_advice
    _, tables = pipeline.identifiers.registry.analyze_with_tokens(texts)
    assert pipeline.identifiers.ner_model.find_entities(texts, tables) == alone_ner
    assert calls == []
    pipeline.screen_batch(posts)  # the embedded pipeline shares them the same way
    assert calls == []


def test_shared_tokens_by_text() -> None:
    shared = SharedTokens()
    nlp = identifier_nlp()
    table = Tokens.of(nlp.make_doc("a b"), tokenizer_signature(nlp.tokenizer))
    shared.put([table])
    assert shared.get(["a b", "c"]) == [table, None]
