"""Locating and loading the trained spaCy models shipped in the repo. STUB until models exist."""

from __future__ import annotations

from postguard.domain.advice import TextCategoryModel
from postguard.domain.identifiers import NamedEntityModel


def load_ner_model() -> NamedEntityModel | None:
    """The shipped identifier NER model, or None when it has not been built."""
    return None


def load_advice_model() -> TextCategoryModel | None:
    """The shipped content classifiers, or None when they have not been built."""
    return None
