"""Device identifiers: serial numbers, UDIs and IMEIs of implants and equipment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import luhn_valid
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("device.yaml")


_UDI = _DATA.regex("udi")
"""GS1 unique device identifier: (01) 14-digit GTIN followed by application identifiers."""
_IMEI = _DATA.regex("imei")
_IMEI_CUE = _DATA.regex("imei_cue")


class DeviceRecognizer(ContextualNumberRecognizer):
    """``pacemaker serial no. PJN123456``, ``S/N 88-1123``, UDI ``(01)00844588003288(17)...``."""

    name = "DeviceRecognizer"
    labels = (IdentifierLabel.DEVICE_ID,)
    triggers = (_DATA.regex("trigger_numbers"),)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _UDI.finditer(analysis.text):
            yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("udi_confidence"))
        for m in _IMEI.finditer(analysis.text):
            if luhn_valid(m.group()) and _IMEI_CUE.search(analysis.before(m.start(), 20)):
                yield self.finding(self.labels[0], m.start(), m.end(), _DATA.number("imei_confidence"))
