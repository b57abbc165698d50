"""Shared helpers for the identifier tests: one detector per process and a (label, text) view."""

from __future__ import annotations

from functools import lru_cache

from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import Finding, Post


@lru_cache(maxsize=1)
def detector() -> IdentifierDetector:
    """The rules-only detector (building the spaCy matchers once keeps the tests fast)."""
    return IdentifierDetector()


def post(text: str, post_id: str = "p1") -> Post:
    return Post(post_id=post_id, institution_id="inst-1", platform="x", text=text)


def findings(text: str) -> list[Finding]:
    return detector().detect(post(text))


def labelled(text: str) -> set[tuple[str, str]]:
    """``{(label, covered text)}`` for every finding in ``text``."""
    return {(f.label, text[f.start : f.end]) for f in findings(text)}
