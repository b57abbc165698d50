"""Shape features of a model entity and the per-label logistic calibration fitted on them.

The NER pipeline (a BIO tagger read back as entities) gives no score per span. A fixed confidence per
label (its dev precision) treats "Summary" at a sentence start like "Harold Jenkins": both 0.82. The
calibration instead maps a few shape facts of the span to the probability that the span is (part of) a
real entity of its label, a logistic model per label fitted on the NER dev split
(``training.ner.evaluate --calibrate``) and stored in the model's ``calibration.json``
(``shape_model``). The facts are read from the span and its neighbour only, never from post-level
context (roles and care context are decided later, in ``roles``):

- ``multi``: two or more word tokens; ``lower`` / ``upper``: all lower / upper case;
- ``initial``: the span starts the text, a line or a sentence (after . ! ? : ; or a bullet or emoji),
  where every word is capitalised;
- ``given``: a token is a listed given name that is not an English word (first_names.yaml);
  ``word_name``: a listed given name that is also a word ("Grace", "Hope");
- ``words``: every word token is a lower-case English dictionary word (SCOWL, ``english_words.txt``)
  or medical word (MedQuAD, ``medical_words.txt``) and none is a listed given name;
  ``initial_words``: both ``initial`` and ``words``;
- ``place``: the span is a gazetteer place (GeoNames).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from postguard.domain.identifiers.lexicons import english_words, medical_words, place_gazetteer, rule_file

FEATURES = ("multi", "lower", "upper", "initial", "given", "word_name", "words", "initial_words", "place")
"""The features in the order of the fitted weights."""
_NOT_INITIAL_BEFORE = frozenset(",&@#'’/+-") | {"'s", "’s"}
"""Punctuation before a span that does not start a sentence ("thanks, Harold", "Ana & Tom")."""


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    """(listed given names that are not words, listed given names that are words), lower case."""
    data = rule_file("first_names.yaml")
    return data.words("first_names"), data.words("word_names")


def _initial(ent: Any) -> bool:
    """Does the span start the text, a line or a sentence?"""
    if ent.start == 0:
        return True
    prev = ent.doc[ent.start - 1]
    if "\n" in prev.whitespace_ or prev.text.strip() == "":
        return True
    return not (prev.is_alpha or prev.is_digit or prev.text in _NOT_INITIAL_BEFORE or prev.like_num)


def shape_features(ent: Any) -> dict[str, bool]:
    """The shape facts of a spaCy entity span (see the module docstring)."""
    words = [t for t in ent if t.is_alpha]
    lowered = [t.lower_ for t in words]
    given, word_names = _names()
    dictionary, medical = english_words(), medical_words()
    text = ent.text
    initial = _initial(ent)
    all_words = (
        bool(lowered)
        and all(w in dictionary or w in medical for w in lowered)
        and not any(w in given for w in lowered)
    )
    return {
        "multi": len(words) >= 2,
        "lower": text.islower(),
        "upper": text.isupper(),
        "initial": initial,
        "given": any(w in given for w in lowered),
        "word_name": any(w in word_names for w in lowered),
        "words": all_words,
        "initial_words": initial and all_words,
        "place": text in place_gazetteer(),
    }


@dataclass(frozen=True, slots=True)
class ShapeCalibration:
    """One label's logistic model: ``sigmoid(bias + sum of the weights of the features that hold)``."""

    bias: float
    weights: Mapping[str, float]

    def confidence(self, features: Mapping[str, bool]) -> float:
        z = self.bias + sum(w for name, w in self.weights.items() if features.get(name))
        return round(1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0))), 4)

    @classmethod
    def from_mapping(cls, raw: Any) -> ShapeCalibration:
        """From ``{"bias": float, "weights": {feature: float}}``; ``ValueError`` naming what is wrong."""
        if not isinstance(raw, Mapping) or not isinstance(raw.get("weights"), Mapping):
            raise ValueError("a shape model needs a bias and a weights object")
        bias = raw.get("bias")
        values = {"bias": bias, **raw["weights"]}
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} is not a finite number")
        unknown = set(raw["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature {sorted(unknown)[0]!r}")
        return cls(float(bias), {str(k): float(v) for k, v in raw["weights"].items()})  # type: ignore[arg-type]
