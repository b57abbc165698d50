"""Licence and certificate numbers: driver's / professional licences, DEA and NPI numbers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import dea_valid, npi_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("license.yaml")


_DEA = _DATA.regex("dea")
_NPI = _DATA.regex("npi")
_NPI_CUE = _DATA.regex("npi_cue")


class LicenseNumberRecognizer(ContextualNumberRecognizer):
    """``driver's license D1234567``, ``licence no. RN-448812``, DEA ``AB1234563`` (checksum)."""

    name = "LicenseNumberRecognizer"
    labels = (IdentifierLabel.LICENSE_NUMBER,)
    triggers = (_DATA.regex("trigger_numbers"),)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    not_followed_by = _DATA.regex("not_followed_by").pattern
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _DEA.finditer(analysis.text):
            if dea_valid(m.group()):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("dea_confidence"))
        for m in _NPI.finditer(analysis.text):
            if npi_valid(m.group()) and _NPI_CUE.search(analysis.before(m.start(), 25)):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("npi_confidence"))
