"""The identifier detector: rules plus an optional trained NER model behind one interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from postguard.domain.types import Finding, Post


class NamedEntityModel(Protocol):
    """Seam for a trained NER model: returns PERSON / LOCATION / FACILITY findings per text."""

    def find_entities(self, texts: Sequence[str]) -> list[list[Finding]]: ...


class IdentifierDetector:
    """Finds identifiers in a post. STUB: replaced by the rules implementation."""

    name = "identifier-detection"

    def __init__(self, ner_model: NamedEntityModel | None = None) -> None:
        self.ner_model = ner_model

    def detect(self, post: Post) -> list[Finding]:
        return self.detect_batch([post])[0]

    def detect_batch(self, posts: Sequence[Post]) -> list[list[Finding]]:
        return [[] for _ in posts]
