"""Shared machinery for identifiers that are a number introduced by context words ("MRN 1234567")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding

# Words allowed between the context cue and the number: "MRN: 123", "member ID number is 123".
_GLUE = r"(?:[\s:#=.\-]*(?:is|was|number|numbers|no\.?|num|nr|id|ids|#)\b)*[\s:#=.\-]*"


class ContextualNumberRecognizer(Recognizer):
    """An ID value directly after one of ``context`` cues; subclasses add formats valid on their own.

    ``min_digits`` stops plain words after a cue ("record number unknown") from matching.
    """

    context: ClassVar[tuple[str, ...]]
    not_followed_by: ClassVar[str] = r"(?!)"
    value_pattern: ClassVar[str] = r"[A-Z0-9][A-Z0-9\-]{3,19}"
    min_digits: ClassVar[int] = 4
    context_confidence: ClassVar[float] = 0.9

    def __init__(self) -> None:
        cues = "|".join(sorted((re.escape(c) for c in self.context), key=len, reverse=True))
        self._regex = re.compile(
            rf"(?<![\w])(?:{cues}){_GLUE}"
            rf"(?P<value>{self.value_pattern})(?![\w])",
            re.IGNORECASE,
        )
        self._exclude = re.compile(rf"(?:{cues})\s*(?:{self.not_followed_by})", re.IGNORECASE)

    def validate(self, value: str) -> bool:
        """Extra checks on a value found after a cue; a bare year ("policy 2024") is never an ID."""
        if len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2099:
            return False
        return sum(c.isdigit() for c in value) >= self.min_digits

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        """Findings of self-validating formats that need no cue (checksummed numbers)."""
        return ()

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in self._regex.finditer(analysis.text):
            if self._exclude.match(analysis.text, m.start()):
                continue
            value = m.group("value").rstrip("-")
            if not self.validate(value):
                continue
            start = m.start("value")
            found.append(self.finding(self.labels[0], start, start + len(value), self.context_confidence))
        found.extend(self.standalone(analysis))
        return found
