"""US Social Security numbers, validated against the SSA's area / group / serial rules."""

from __future__ import annotations

import re

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.validators import ssn_valid
from postguard.domain.types import Finding, IdentifierLabel

_DELIMITED = re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])")
_BARE = re.compile(r"(?<![\w-])\d{9}(?![\w-])")
_CUE = re.compile(r"\b(?:ssn|ss#|ss no|social security|social sec|soc sec)\b", re.IGNORECASE)


class SsnRecognizer(Recognizer):
    """``123-45-6789`` anywhere; nine bare digits only after an SSN cue."""

    name = "SsnRecognizer"
    labels = (IdentifierLabel.SSN,)

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in _DELIMITED.finditer(analysis.text):
            if ssn_valid(m.group()):
                cued = bool(_CUE.search(analysis.before(m.start(), 30)))
                found.append(self.finding(IdentifierLabel.SSN, m.start(), m.end(), 1.0 if cued else 0.85))
        for m in _BARE.finditer(analysis.text):
            if ssn_valid(m.group()) and _CUE.search(analysis.before(m.start(), 30)):
                found.append(self.finding(IdentifierLabel.SSN, m.start(), m.end(), 0.95))
        return found
