"""Email addresses."""

from __future__ import annotations

import re

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_EMAIL = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w\-])"
)


class EmailRecognizer(Recognizer):
    """``name@example.org`` (a dotted domain with an alphabetic top-level domain)."""

    name = "EmailRecognizer"
    labels = (IdentifierLabel.EMAIL,)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        return [
            self.finding(IdentifierLabel.EMAIL, m.start(), m.end(), 0.95)
            for m in _EMAIL.finditer(analysis.text)
        ]
