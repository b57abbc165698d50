"""Shared machinery for identifiers that are a number introduced by context words ("MRN 1234567")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding

DATA = rule_file("numbered.yaml")
"""The cue-then-value templates every contextual-number recognizer fills with its own cues."""
_VALUE_TRIGGER = DATA.regex("value_trigger")


class ContextualNumberRecognizer(Recognizer):
    """An ID value directly after one of ``context`` cues; subclasses add formats valid on their own.

    ``min_digits`` stops plain words after a cue ("record number unknown") from matching.
    """

    context: ClassVar[tuple[str, ...]]
    not_followed_by: ClassVar[str] = r"(?!)"
    value_pattern: ClassVar[str] = DATA.regex("value").pattern
    min_digits: ClassVar[int] = 4
    context_confidence: ClassVar[float] = 0.9

    def __init__(self) -> None:
        cues = "|".join(sorted((re.escape(c) for c in self.context), key=len, reverse=True))
        self._regex = DATA.template(
            "cue_then_value", check_example=False, cues=cues, value=self.value_pattern
        )
        self._exclude = DATA.template(
            "excluded_cue", check_example=False, cues=cues, not_followed_by=self.not_followed_by
        )
        lowered = sorted({re.escape(c.lower()) for c in self.context}, key=len, reverse=True)
        self._cue_trigger = DATA.template("cue_trigger", check_example=False, cues="|".join(lowered))

    def triggered(self, analysis: Analysis) -> bool:
        """A cue and a digit (for a cue-then-value finding), or a format valid on its own (the
        subclass's ``triggers`` / ``cased_triggers``)."""
        if not analysis.has_match(_VALUE_TRIGGER):  # the cue search is the dearer one
            return super().triggered(analysis)
        return analysis.has_match(self._cue_trigger) or super().triggered(analysis)

    def trigger_regexes(self) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
        """The format triggers, the digit trigger and the cue trigger."""
        return (*self.triggers, _VALUE_TRIGGER, self._cue_trigger), self.cased_triggers

    def has_trigger(self) -> bool:
        return True

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
