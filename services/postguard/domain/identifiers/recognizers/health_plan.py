"""Health plan numbers: insurance member / policy / Medicare numbers (MBI format validated alone) and the
national health numbers of national_id.py (NHS, Ontario, BC, Australian Medicare)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import inherit_attributes
from postguard.domain.identifiers.recognizers.national_id import scheme_findings
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("health_plan.yaml")


_MBI = _DATA.regex("mbi")
"""Medicare Beneficiary Identifier: 11 characters, letters without S L O I B Z, fixed digit positions."""
_MBI_ATTRIBUTES = (("region", "US"), ("scheme", "mbi"))


class HealthPlanRecognizer(ContextualNumberRecognizer):
    """``member ID W123456789``, ``policy number 55-1234``, Medicare MBI ``1EG4-TE5-MK73``, NHS number
    ``401 023 2137``, Ontario ``1234-567-897-AB``, Australian Medicare ``2123 45670 1``."""

    name = "HealthPlanRecognizer"
    labels = (IdentifierLabel.HEALTH_PLAN_NUMBER,)
    triggers = (_DATA.regex("trigger"),)
    cased_triggers = (_DATA.regex("cased_trigger"),)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _MBI.finditer(analysis.text):
            yield self.finding(
                self.labels[0], m.start(), m.end(), _DATA.number("mbi_confidence"), attributes=_MBI_ATTRIBUTES
            )
        yield from scheme_findings(self, analysis, self.labels[0])

    def analyze(self, analysis: Analysis) -> list[Finding]:
        return inherit_attributes(super().analyze(analysis))
