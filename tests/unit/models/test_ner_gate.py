"""The NER gate (``identifiers.ner_gate``): the model runs on the gated sentences only, finds there what
it finds on the whole text, never runs on a post with no candidate, and passes the NER dev split's
entities it claims to."""

from __future__ import annotations

import itertools

import pytest
import spacy
from postguard.domain import models
from postguard.domain.identifiers import ner_gate
from postguard.domain.identifiers.registry import RecognizerRegistry

from training.common import DEFAULT_DATA_DIR, fingerprint, split_three
from training.ner import staff_templates
from training.ner.convert import read_conll, to_doc

pytestmark = pytest.mark.models

FILLER = "the shift was long and the coffee was cold."
"""A sentence with no candidate: all lower case dictionary words."""
WITH_ENTITIES = [
    "Thanks to Dr. Priya Shah for the cover on Ward 7 tonight.",
    "Maria Lopez, 34, from Dayton came in after a fall.",
    "sophia was admitted overnight to St Mary's Hospital in Leeds.",
    "shoutout to @jo_rn and the team at Royal Free Hospital!",
    "Grace in bed 2 is going home to Millbrook tomorrow.",
    "handover: mogire in bed 10 desatted at 4am, now on 2l.",
]


@pytest.fixture(scope="module")
def ner() -> models.SpacyNerModel:
    shipped = models.load_ner_model()
    return models.SpacyNerModel(shipped.nlp, shipped.confidences, shapes=shipped.shapes)


def _both(ner: models.SpacyNerModel, texts: list[str], tokens=None) -> tuple[list, list]:
    ner.gate = True
    gated = ner.find_entities(texts, tokens)
    ner.gate = False
    whole = ner.find_entities(texts, tokens)
    ner.gate = True
    return gated, whole


def test_gated_entities_are_the_whole_texts_entities_with_the_same_offsets(ner) -> None:
    texts = [f"{FILLER} {s} {FILLER}\n{FILLER}" for s in WITH_ENTITIES] + WITH_ENTITIES
    texts += [f"{a} {FILLER} {FILLER} {b}" for a, b in itertools.pairwise(WITH_ENTITIES)]
    assert all(ner_gate.windows([t.text for t in ner.nlp.make_doc(x)]) for x in texts)
    gated, whole = _both(ner, texts)
    assert gated == whole  # labels, character offsets, confidences
    assert sum(len(f) for f in whole) >= len(texts)  # the texts do hold entities the model finds
    for text, found in zip(texts, gated, strict=True):
        assert all(text[f.start : f.end].strip() == text[f.start : f.end] for f in found)


def test_the_filler_around_a_sentence_is_not_run(ner) -> None:
    text = f"{FILLER} {FILLER} {FILLER} Maria Lopez came in. {FILLER} {FILLER}"
    words = [t.text for t in ner.nlp.make_doc(text)]
    (start, end), *more = ner_gate.windows(words)
    assert not more and start > 0 and end < len(words)
    assert "Maria" in words[start:end]


def test_gated_entities_are_the_same_from_the_registrys_token_tables(ner) -> None:
    texts = [f"{FILLER} {s} {FILLER}" for s in WITH_ENTITIES]
    _, tables = RecognizerRegistry().analyze_with_tokens(texts)
    gated, whole = _both(ner, texts, tables)
    assert gated == whole == _both(ner, texts)[1]


def test_a_post_with_no_candidate_never_reaches_the_model(ner) -> None:
    skipped = [FILLER, f"{FILLER} {FILLER}", "", "   ", "we were short staffed again today, 3 nurses down."]
    before = ner.model_docs
    assert ner.find_entities(skipped) == [[] for _ in skipped]
    assert ner.model_docs == before
    ner.find_entities([*skipped, WITH_ENTITIES[0]])
    assert ner.model_docs == before + 1
    ner.gate = False
    try:
        ner.find_entities(skipped)
    finally:
        ner.gate = True
    assert ner.model_docs == before + 1 + len(skipped)  # without the gate every text is run


def test_a_sentence_start_word_is_a_candidate_only_when_it_may_be_a_name() -> None:
    assert not ner_gate.candidate("The", True) and ner_gate.candidate("The", False)
    assert ner_gate.candidate("Sarah", True) and ner_gate.candidate("Grace", True)
    assert ner_gate.candidate("Reading", True)  # a gazetteer place
    assert ner_gate.candidate("dr", False) and ner_gate.candidate("@jo", False)
    assert ner_gate.candidate("mogire", False) and not ner_gate.candidate("coffee", False)


def _dev_docs() -> list:
    """The NER dev split's tweet and staff-post docs, split as ``training.ner.convert`` splits them."""
    data = DEFAULT_DATA_DIR
    sources = {
        "btc": read_conll(data / "broad_twitter_corpus" / "btc.train")
        + read_conll(data / "broad_twitter_corpus" / "btc.dev"),
        "wnut17": read_conll(data / "wnut17_emerging_entities" / "wnut17train.conll")
        + read_conll(data / "wnut17_emerging_entities" / "emerging.dev.conll"),
    }
    examples = []
    for name, found in sources.items():
        unique = list({fingerprint(t): (t, s) for t, s in found}.values())
        examples += split_three(unique, name)[1]
    examples += staff_templates.generate()["dev"]
    nlp = spacy.blank("en")
    return [d for t, s in examples if (d := to_doc(nlp, t, s)) is not None]


def test_the_gate_passes_the_dev_splits_entity_tokens_it_claims() -> None:
    docs = _dev_docs()
    claimed = outside = entities = 0
    for doc in docs:
        words = [t.text for t in doc]
        found = ner_gate.windows(words)
        starts = _sentence_starts(words)
        for ent in doc.ents:
            entities += 1
            inside = any(lo <= ent.start and ent.end <= hi for lo, hi in found)
            outside += not inside
            if any(ner_gate.candidate(words[i], i in starts) for i in range(ent.start, ent.end)):
                claimed += 1
                assert inside, ent.text  # a candidate token's sentence always runs
    assert entities > 1500 and claimed > 0.95 * entities, (entities, claimed, outside)
    assert outside <= 0.01 * entities  # measured on these sources: see docs/engine.md


def _sentence_starts(words: list[str]) -> set[int]:
    starts, new = set(), True
    for i, word in enumerate(words):
        ends, space, _, _ = ner_gate._facts(word)
        if ends:
            new = True
        elif not space:
            if new:
                starts.add(i)
            new = False
    return starts
