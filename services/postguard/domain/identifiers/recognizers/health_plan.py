"""Health plan numbers: insurance member / policy / Medicare numbers (MBI format validated alone)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.types import Finding, IdentifierLabel

# Medicare Beneficiary Identifier: 11 characters, letters without S L O I B Z, fixed digit positions.
_A = "[AC-HJKMNP-RT-Y]"
_AN = "[AC-HJKMNP-RT-Y0-9]"
_MBI = re.compile(rf"(?<![\w-])[1-9]{_A}{_AN}[0-9]-?{_A}{_AN}[0-9]-?{_A}{_A}[0-9]{{2}}(?![\w-])")


class HealthPlanRecognizer(ContextualNumberRecognizer):
    """``member ID W123456789``, ``policy number 55-1234``, Medicare MBI ``1EG4-TE5-MK73``."""

    name = "HealthPlanRecognizer"
    labels = (IdentifierLabel.HEALTH_PLAN_NUMBER,)
    context: ClassVar[tuple[str, ...]] = (
        "member id", "member number", "member", "insurance id", "insurance number", "insurance",
        "policy number", "policy", "subscriber id", "subscriber", "medicare number", "medicare id",
        "medicare", "medicaid number", "medicaid id", "medicaid", "health plan", "plan id", "group number",
        "beneficiary id", "beneficiary", "mbi", "insurer",
    )  # fmt: skip
    min_digits = 4
    context_confidence = 0.9

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _MBI.finditer(analysis.text):
            yield self.finding(self.labels[0], m.start(), m.end(), 0.8)
