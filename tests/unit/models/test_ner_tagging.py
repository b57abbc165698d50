"""The BIO tag scheme of the tagging NER: entities -> tags -> the same entities, and lenient decoding."""

from __future__ import annotations

import spacy
from postguard.domain.ner_tagging import EntitiesFromTags, bio_tags, spans_from_tags
from spacy.tokens import Doc, Span


def test_tags_of_a_doc_read_back_as_its_entities() -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc("Asha Rao from Leeds saw Dr Ng at St Mary Hospital today")
    ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 3, 4, "LOCATION"), Span(doc, 5, 7, "PERSON")]
    ents.append(Span(doc, 8, 11, "FACILITY"))
    doc.set_ents(ents, default="outside")
    tags = bio_tags(doc)
    assert tags[:4] == ["B-PERSON", "I-PERSON", "O", "B-LOCATION"]
    assert spans_from_tags(tags) == [(e.start, e.end, e.label_) for e in ents]


def test_adjacent_entities_of_one_label_stay_apart() -> None:
    assert spans_from_tags(["B-PERSON", "B-PERSON", "I-PERSON"]) == [(0, 1, "PERSON"), (1, 3, "PERSON")]


def test_an_inside_tag_without_its_beginning_starts_an_entity() -> None:
    assert spans_from_tags(["O", "I-PERSON", "I-PERSON", "O"]) == [(1, 3, "PERSON")]
    assert spans_from_tags(["B-PERSON", "I-LOCATION", "I-LOCATION"]) == [(0, 1, "PERSON"), (1, 3, "LOCATION")]


def test_missing_and_unknown_tags_end_an_entity() -> None:
    assert spans_from_tags(["B-ORG", "", "I-ORG", "X", "B-"]) == [(0, 1, "ORG"), (2, 3, "ORG")]
    assert spans_from_tags([]) == []


def test_missing_annotation_becomes_a_missing_tag() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["hi", "@sam_88", "Ravi"])
    doc.set_ents([Span(doc, 2, 3, "PERSON")], missing=[doc[1:2]], default="outside")
    assert bio_tags(doc) == ["O", "", "B-PERSON"]


def test_the_component_sets_doc_ents_from_token_tags() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["met", "Priya", "Shah", "in", "Pune"])
    for token, tag in zip(doc, ["O", "B-PERSON", "I-PERSON", "O", "B-LOCATION"], strict=True):
        token.tag_ = tag
    out = EntitiesFromTags()(doc)
    assert [(e.text, e.label_) for e in out.ents] == [("Priya Shah", "PERSON"), ("Pune", "LOCATION")]


class _Pipeline:
    def __init__(self, encode: dict, pipe_names: list[str]) -> None:
        self.config = {"components": {"tok2vec": {"model": {"encode": encode}}}}
        self.pipe_names = pipe_names


def test_the_gate_keeps_as_much_context_as_the_model_reads() -> None:
    from postguard.domain.identifiers.ner_gate import MARGIN
    from postguard.domain.models import context_reach, load_ner_model

    assert context_reach(_Pipeline({"window_size": 1, "depth": 2}, ["tok2vec", "ner"])) == 3
    tagging = ["tok2vec", "tagger", "entities_from_tags"]
    assert context_reach(_Pipeline({"window_size": 2, "depth": 2}, tagging)) == 4
    assert context_reach(_Pipeline({}, tagging)) == MARGIN
    shipped = load_ner_model()
    assert shipped.margin == context_reach(shipped.nlp)
