"""Web addresses: scheme or www links and bare domains with a common top-level domain."""

from __future__ import annotations

import re

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.types import Finding, IdentifierLabel

_TLDS = "com|org|net|edu|gov|io|co|us|info|health|me|ly|uk|ca|au|de|fr|nl|app|ai|link|page|care|clinic"
_URL = re.compile(
    r"(?<![\w@/.\-])(?:(?:https?|ftp)://[^\s<>\"']+|www\.[^\s<>\"']+"
    rf"|(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:{_TLDS})(?![\w\-@])(?:[/?#][^\s<>\"']*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""
# Links that point at a person (profiles, shared files, record portals) rather than a public page.
_PERSONAL = re.compile(
    r"facebook\.com/|instagram\.com/|tiktok\.com/@|x\.com/|twitter\.com/|linkedin\.com/in/|gofundme|"
    r"drive\.google|dropbox|/patients?/|mrn=|patient_?id=|[?&](?:id|user|uid)=|mychart",
    re.IGNORECASE,
)


class UrlRecognizer(Recognizer):
    """Links: confident for profile / file / record links, lower for plain public pages."""

    name = "UrlRecognizer"
    labels = (IdentifierLabel.URL,)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in _URL.finditer(analysis.text):
            value = m.group().rstrip(_TRAILING)
            if not value or value[-1] == "@":
                continue
            confidence = 0.9 if _PERSONAL.search(value) else 0.6
            found.append(self.finding(IdentifierLabel.URL, m.start(), m.start() + len(value), confidence))
        return found
