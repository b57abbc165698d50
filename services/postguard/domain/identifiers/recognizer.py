"""The recognizer contract: patterns for the shared matchers plus an ``analyze`` step per post."""

from __future__ import annotations

import bisect
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, ClassVar

from postguard.domain.engine.regex_scan import simple_case
from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.messages import reason_for, suggestion_for
from postguard.domain.types import Category, Finding

TokenPattern = list[dict[str, Any]]


__all__ = ["Recognizer", "simple_case"]


class Recognizer(ABC):
    """Finds one identifier (or a close family) in an :class:`Analysis`.

    ``token_patterns`` / ``phrase_patterns`` are compiled once into the registry's shared spaCy
    ``Matcher`` / ``PhraseMatcher`` under ``"<name>:<key>"``; ``analyze`` reads their matches with
    :meth:`spans` and returns findings.
    """

    name: ClassVar[str]
    labels: ClassVar[tuple[str, ...]]
    triggers: ClassVar[tuple[re.Pattern[str], ...]] = ()
    """The cheap prefilter, searched in the lower-cased text: the ``trigger`` entries of the recognizer's
    data file; ``analyze`` cannot find anything unless one of them (or of the others below) is found."""
    cased_triggers: ClassVar[tuple[re.Pattern[str], ...]] = ()
    """The same for the case-sensitive patterns, searched in the text as written."""
    trigger_keys: ClassVar[tuple[str, ...]] = ()
    """Local matcher keys whose matches also trigger the recognizer (the matcher pass is shared)."""

    def has_trigger(self) -> bool:
        """Does this recognizer declare a prefilter (else it always runs)?"""
        return bool(self.triggers or self.cased_triggers or self.trigger_keys)

    def triggered(self, analysis: Analysis) -> bool:
        """May ``analyze`` find anything in this post? False only when it certainly cannot: none of the
        triggers is found. Only sound on :func:`simple_case` texts (the registry checks)."""
        if not self.has_trigger():
            return True
        if any(analysis.has_match(p) for p in self.triggers):
            return True
        if any(analysis.has_match(p, cased=True) for p in self.cased_triggers):
            return True
        return any(analysis.spans(self.key(local)) for local in self.trigger_keys)

    def trigger_regexes(self) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
        """Every regex ``triggered`` searches: ``(in the lower-cased text, in the text as written)``,
        for the registry to scan all recognizers' at once."""
        return self.triggers, self.cased_triggers

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
        attributes: Iterable[tuple[str, str]] = (),
    ) -> Finding:
        """A finding from this recognizer with the label's standard reason and suggestion; ``attributes``
        are (name, value) facts that are not post text ("region", "scheme"), stored sorted."""
        return Finding(
            category=Category.IDENTIFIER,
            label=str(label),
            start=start,
            end=end,
            confidence=round(min(max(confidence, 0.0), 1.0), 3),
            detector=self.name,
            reason=reason or reason_for(label),
            suggestion=suggestion or suggestion_for(label),
            attributes=tuple(sorted((str(k), str(v)) for k, v in attributes)),
        )


def inherit_attributes(findings: list[Finding]) -> list[Finding]:
    """Findings without attributes take those of an overlapping finding of the same label that has them
    (a cue-then-value match over a validated number: whichever is kept when they merge keeps the facts).
    The findings with attributes are expected not to overlap one another (one recognizer's validated
    formats); a bisection per finding, so thousands of numbers stay cheap."""
    known = sorted((f for f in findings if f.attributes), key=lambda f: f.start)
    if not known:
        return findings
    starts = [f.start for f in known]
    out = []
    for f in findings:
        i = bisect.bisect_left(starts, f.end) - 1  # the last known finding starting before f ends
        donor = known[i] if i >= 0 and not f.attributes else None
        if (
            donor is not None
            and donor.label == f.label
            and donor.end > f.start
            and f.in_text == donor.in_text
        ):
            f = replace(f, attributes=donor.attributes)
        out.append(f)
    return out
