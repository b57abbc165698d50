"""Vehicle identifiers: licence plates after a cue and VINs with a valid check digit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import vin_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("vehicle.yaml")


_VIN = _DATA.regex("vin")


class VehicleRecognizer(ContextualNumberRecognizer):
    """``license plate 7ABC123``, ``plates ABC-1234``, VIN ``1HGCM82633A004352`` (checksum)."""

    name = "VehicleRecognizer"
    labels = (IdentifierLabel.VEHICLE_ID,)
    triggers = (_DATA.regex("trigger"),)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    value_pattern = _DATA.regex("value").pattern
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")

    def validate(self, value: str) -> bool:
        compact = value.replace("-", "").replace(" ", "")
        return 4 <= len(compact) <= 8 and any(c.isdigit() for c in compact) and compact.upper() == compact

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _VIN.finditer(analysis.text):
            if vin_valid(m.group()):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("vin_confidence"))
