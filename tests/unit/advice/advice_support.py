"""Helpers for the advice-classification unit tests (a uniquely named module, unlike conftest)."""

from __future__ import annotations

from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import Finding, Post


def make_post(text: str, post_id: str = "p-1") -> Post:
    return Post(post_id=post_id, institution_id="inst-1", platform="x", text=text)


def findings_for(classifier: AdviceClassifier, text: str, label: str) -> list[Finding]:
    return [f for f in classifier.classify(make_post(text)) if f.label == label]
