"""The advice classifier: rules plus optional trained text classifiers behind one interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from postguard.domain.types import Finding, Post


class TextCategoryModel(Protocol):
    """Seam for trained text classifiers: label -> probability per text.

    ``thresholds`` holds, per label, the probability at or above which the label is reported
    (calibrated on a dev split by the training workflow).
    """

    thresholds: dict[str, float]

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]: ...


class AdviceClassifier:
    """Classifies a post's content. STUB: replaced by the rules implementation."""

    name = "advice-classification"

    def __init__(self, text_model: TextCategoryModel | None = None) -> None:
        self.text_model = text_model

    def classify(self, post: Post) -> list[Finding]:
        return self.classify_batch([post])[0]

    def classify_batch(self, posts: Sequence[Post]) -> list[list[Finding]]:
        return [[] for _ in posts]
