"""Web addresses: scheme or www links and bare domains with a common top-level domain."""

from __future__ import annotations

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("url.yaml")
_URL = _DATA.regex("url")
_TRAILING = ".,;:!?)]}'\""
_PERSONAL = _DATA.regex("personal")
"""Links that point at a person (profiles, shared files, record portals) rather than a public page."""


class UrlRecognizer(Recognizer):
    """Links: confident for profile / file / record links, lower for plain public pages."""

    name = "UrlRecognizer"
    labels = (IdentifierLabel.URL,)
    triggers = (_DATA.regex("trigger"),)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in _URL.finditer(analysis.text):
            value = m.group().rstrip(_TRAILING)
            if not value or value[-1] == "@":
                continue
            confidence = 0.9 if _PERSONAL.search(value) else 0.6
            found.append(self.finding(IdentifierLabel.URL, m.start(), m.start() + len(value), confidence))
        return found
