"""Named entities as a per-token tagging task: BIO tags written by spaCy's ``tagger``, read back as spans.

spaCy's transition-based NER spends ~24 µs per token in its parse loop whatever the encoder size
(``training/README.md``, NER cost study). A ``tagger`` over the same encoder predicts one of
``B-<label>``, ``I-<label>`` or ``O`` per token with a single softmax layer, and this module's
``entities_from_tags`` component turns the tags into ``doc.ents``: a pipeline ``tok2vec, tagger,
entities_from_tags`` reports entities exactly as a ``tok2vec, ner`` one does, so the adapter, the
calibration and the evaluations read it unchanged. Registered as a spaCy factory when this module is
imported, which ``domain.models`` does before loading a pipeline.

Decoding is lenient: an ``I-X`` tag that does not continue an ``X`` entity starts one (the tagger has no
transition constraints, and dropping the token would lose a name's second word).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from spacy.attrs import TAG
from spacy.language import Language
from spacy.scorer import get_ner_prf
from spacy.tokens import Doc, Span

FACTORY = "postguard_entities_from_tags"
OUTSIDE = "O"


def bio_tags(doc: Doc) -> list[str]:
    """The BIO tag of every token of ``doc`` from its entities; ``""`` (missing: not trained on) where
    the entity annotation is missing (``ent_iob_`` empty)."""
    tags = []
    for token in doc:
        if token.ent_iob_ == "":
            tags.append("")
        elif token.ent_iob_ == "O":
            tags.append(OUTSIDE)
        else:
            tags.append(f"{token.ent_iob_}-{token.ent_type_}")
    return tags


def spans_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` token spans read from BIO tags; an ``I-X`` that does not continue an ``X``
    span starts one; any other tag (``O``, empty, unknown) ends the current span."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate(tags):
        prefix, _, name = tag.partition("-")
        if prefix == "I" and name and name == label:
            continue
        if label:
            spans.append((start, i, label))
            start, label = -1, ""
        if prefix in ("B", "I") and name:
            start, label = i, name
    if label:
        spans.append((start, len(tags), label))
    return spans


class EntitiesFromTags:
    """Pipeline component: sets ``doc.ents`` from the tagger's BIO tags (``token.tag_``)."""

    def __init__(self, name: str = "entities_from_tags") -> None:
        self.name = name
        self._names: dict[int, str] = {}
        """Tag string of each tag hash seen (a tagger has a few dozen labels): no Token object per token."""

    def __call__(self, doc: Doc) -> Doc:
        names, strings = self._names, doc.vocab.strings
        tags = []
        for tag_id in doc.to_array(TAG).tolist():
            name = names.get(tag_id)
            if name is None:
                name = names[tag_id] = strings[tag_id] if tag_id else ""
            tags.append(name)
        doc.ents = [Span(doc, s, e, label=label) for s, e, label in spans_from_tags(tags)]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> dict[str, Any]:
        """Entity P/R/F per label (``ents_p``, ``ents_r``, ``ents_f``, ``ents_per_type``) as spaCy's NER
        scores them, so ``spacy train`` can pick the best model by entity F1."""
        return get_ner_prf(examples, **kwargs)


@Language.factory(
    FACTORY,
    default_config={},
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_entities_from_tags(nlp: Language, name: str) -> EntitiesFromTags:
    """spaCy factory of ``EntitiesFromTags``."""
    return EntitiesFromTags(name)
