"""Vehicle identifiers: licence plates after a cue, current UK and Indian plates on their own, and VINs
with a valid check digit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizer import inherit_attributes
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import vin_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("vehicle.yaml")


_VIN = _DATA.regex("vin")
_UK_PLATE = _DATA.regex("uk_plate")
_INDIA_PLATE = _DATA.template(
    "india_plate",
    states="|".join(sorted(map(re.escape, _DATA.phrases("india_states")), key=len, reverse=True)),
)
_NOT_PLATE_PREFIXES = frozenset(_DATA.phrases("not_plate_prefixes"))
_NOT_PLATE_SUFFIXES = frozenset(_DATA.phrases("not_plate_suffixes"))
_PLATE_CONFIDENCE = _DATA.number("plate_confidence")


class VehicleRecognizer(ContextualNumberRecognizer):
    """``license plate 7ABC123``, ``rego ABC 123``, UK ``AB12 CDE``, India ``KA 01 AB 1234``, VIN
    ``1HGCM82633A004352`` (checksum)."""

    name = "VehicleRecognizer"
    labels = (IdentifierLabel.VEHICLE_ID,)
    triggers = (_DATA.regex("trigger"),)
    cased_triggers = (_DATA.regex("cased_trigger"),)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    value_pattern = _DATA.regex("value").pattern
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")

    def validate(self, value: str) -> bool:
        compact = value.replace("-", "").replace(" ", "")
        if compact.isdigit() and len(compact) == 4 and 1900 <= int(compact) <= 2099:
            return False  # "registration number 2024" is a year
        return 4 <= len(compact) <= 8 and any(c.isdigit() for c in compact) and compact.upper() == compact

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _VIN.finditer(analysis.text):
            if vin_valid(m.group()):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("vin_confidence"))
        for m in _UK_PLATE.finditer(analysis.text):
            if m.group("tag") not in _NOT_PLATE_PREFIXES and m.group("letters") not in _NOT_PLATE_SUFFIXES:
                yield self._plate(m, "GB")
        for m in _INDIA_PLATE.finditer(analysis.text):
            yield self._plate(m, "IN")

    def _plate(self, match: re.Match[str], region: str) -> Finding:
        return self.finding(
            self.labels[0], match.start(), match.end(), _PLATE_CONFIDENCE, attributes=(("region", region),)
        )

    def analyze(self, analysis: Analysis) -> list[Finding]:
        return inherit_attributes(super().analyze(analysis))
