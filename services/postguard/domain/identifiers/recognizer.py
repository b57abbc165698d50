"""The recognizer contract: patterns for the shared matchers plus an ``analyze`` step per post."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.messages import reason_for, suggestion_for
from postguard.domain.types import Category, Finding

TokenPattern = list[dict[str, Any]]


class Recognizer(ABC):
    """Finds one identifier (or a close family) in an :class:`Analysis`.

    ``token_patterns`` / ``phrase_patterns`` are compiled once into the registry's shared spaCy
    ``Matcher`` / ``PhraseMatcher`` under ``"<name>:<key>"``; ``analyze`` reads their matches with
    :meth:`spans` and returns findings.
    """

    name: ClassVar[str]
    labels: ClassVar[tuple[str, ...]]

    def token_patterns(self) -> Mapping[str, list[TokenPattern]]:
        """spaCy Matcher patterns by local key."""
        return {}

    def phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        """Phrases (matched case-insensitively on tokens) by local key."""
        return {}

    def cased_phrase_patterns(self) -> Mapping[str, Iterable[str]]:
        """Phrases matched case-sensitively (proper names such as cities)."""
        return {}

    @abstractmethod
    def analyze(self, analysis: Analysis) -> list[Finding]:
        """Findings in one post."""

    def key(self, local: str) -> str:
        """The registry-wide matcher key for a local pattern name."""
        return f"{self.name}:{local}"

    def spans(self, analysis: Analysis, local: str) -> list:
        """Matches of this recognizer's pattern ``local``."""
        return analysis.spans(self.key(local))

    def finding(
        self,
        label: str,
        start: int,
        end: int,
        confidence: float,
        *,
        reason: str | None = None,
        suggestion: str | None = None,
    ) -> Finding:
        """A finding from this recognizer with the label's standard reason and suggestion."""
        return Finding(
            category=Category.IDENTIFIER,
            label=str(label),
            start=start,
            end=end,
            confidence=round(min(max(confidence, 0.0), 1.0), 3),
            detector=self.name,
            reason=reason or reason_for(label),
            suggestion=suggestion or suggestion_for(label),
        )
