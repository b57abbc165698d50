"""Email addresses."""

from __future__ import annotations

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("email.yaml")
_EMAIL = _DATA.regex("email")
_ROLE_MAILBOX = _DATA.regex("role_mailbox")
"""Shared mailboxes of an organisation, not a person."""


class EmailRecognizer(Recognizer):
    """``name@example.org``; shared mailboxes (``press@...``) get a low confidence."""

    name = "EmailRecognizer"
    labels = (IdentifierLabel.EMAIL,)
    triggers = (_DATA.regex("trigger"),)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        return [
            self.finding(
                IdentifierLabel.EMAIL, m.start(), m.end(), 0.4 if _ROLE_MAILBOX.match(m.group()) else 0.95
            )
            for m in _EMAIL.finditer(analysis.text)
        ]
