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


# Shared mailboxes of an organisation, not a person.
_ROLE_MAILBOX = re.compile(
    r"(?:info|contact|press|media|news|newsroom|healthcare|education|help|support|hello|admin|office|team|"
    r"ask\w*|feedback|enquiries|inquiries|appointments|webmaster|noreply|no-reply|communications|comms|"
    r"marketing|events|careers|jobs|editor|editors|tips|letters|community|outreach|privacy)@",
    re.IGNORECASE,
)


class EmailRecognizer(Recognizer):
    """``name@example.org``; shared mailboxes (``press@...``) get a low confidence."""

    name = "EmailRecognizer"
    labels = (IdentifierLabel.EMAIL,)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        return [
            self.finding(
                IdentifierLabel.EMAIL, m.start(), m.end(), 0.4 if _ROLE_MAILBOX.match(m.group()) else 0.95
            )
            for m in _EMAIL.finditer(analysis.text)
        ]
