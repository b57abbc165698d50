"""Licence and certificate numbers: driver's / professional licences, DEA and NPI numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import dea_valid, npi_valid
from postguard.domain.types import Finding, IdentifierLabel

_DEA = re.compile(r"(?<![\w-])[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}(?![\w-])")
_NPI_CUE = re.compile(r"\bnpi\b", re.IGNORECASE)


class LicenseNumberRecognizer(ContextualNumberRecognizer):
    """``driver's license D1234567``, ``licence no. RN-448812``, DEA ``AB1234563`` (checksum)."""

    name = "LicenseNumberRecognizer"
    labels = (IdentifierLabel.LICENSE_NUMBER,)
    context: ClassVar[tuple[str, ...]] = (
        "license", "licence", "licensed", "driver's license", "drivers license", "driver license",
        "driving licence", "dl", "dl#", "certificate", "cert", "certification", "dea", "npi",
        "registration number", "permit", "passport", "state id",
    )  # fmt: skip
    not_followed_by = r"plates?\b|tags?\b"
    min_digits = 4
    context_confidence = 0.9

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _DEA.finditer(analysis.text):
            if dea_valid(m.group()):
                yield self.finding(self.labels[0], m.start(), m.end(), 0.85)
        for m in re.finditer(r"(?<!\d)\d{10}(?!\d)", analysis.text):
            if npi_valid(m.group()) and _NPI_CUE.search(analysis.before(m.start(), 25)):
                yield self.finding(self.labels[0], m.start(), m.end(), 0.95)
