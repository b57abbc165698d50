"""US Social Security numbers, validated against the SSA's area / group / serial rules, and the national ID
numbers of national_id.py (Indian Aadhaar and PAN, Canadian SIN, Irish PPSN)."""

from __future__ import annotations

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.recognizers.national_id import scheme_findings
from postguard.domain.identifiers.validators import ssn_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("ssn.yaml")
_DELIMITED = _DATA.regex("delimited")
_BARE = _DATA.regex("bare")
_CUE = _DATA.regex("cue")
_US = (("region", "US"), ("scheme", "ssn"))


class SsnRecognizer(Recognizer):
    """``123-45-6789`` anywhere; nine bare digits only after an SSN cue; Aadhaar ``2341 2341 2346`` and
    SIN ``123-456-782`` when their check digit holds, a PAN ``ABCPE1234F`` after its cue (national_id.py)."""

    name = "SsnRecognizer"
    labels = (IdentifierLabel.SSN,)
    triggers = (_DATA.regex("trigger"), _DATA.regex("pan_trigger"))

    def analyze(self, analysis: Analysis) -> list[Finding]:
        found = []
        for m in _DELIMITED.finditer(analysis.text):
            if ssn_valid(m.group()):
                cued = bool(_CUE.search(analysis.before(m.start(), 30)))
                confidence = 1.0 if cued else 0.85
                found.append(
                    self.finding(IdentifierLabel.SSN, m.start(), m.end(), confidence, attributes=_US)
                )
        for m in _BARE.finditer(analysis.text):
            if ssn_valid(m.group()) and _CUE.search(analysis.before(m.start(), 30)):
                found.append(self.finding(IdentifierLabel.SSN, m.start(), m.end(), 0.95, attributes=_US))
        return found + scheme_findings(self, analysis, IdentifierLabel.SSN)
