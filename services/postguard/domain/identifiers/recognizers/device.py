"""Device identifiers: serial numbers, UDIs and IMEIs of implants and equipment."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.identifiers.validators import luhn_valid
from postguard.domain.types import Finding, IdentifierLabel

# GS1 unique device identifier: (01) 14-digit GTIN followed by application identifiers.
_UDI = re.compile(r"\(01\)\d{14}(?:\(\d{2,4}\)[A-Za-z0-9\-]+)*")
_IMEI = re.compile(r"(?<![\w-])\d{15}(?![\w-])")
_IMEI_CUE = re.compile(r"\bimei\b", re.IGNORECASE)


class DeviceRecognizer(ContextualNumberRecognizer):
    """``pacemaker serial no. PJN123456``, ``S/N 88-1123``, UDI ``(01)00844588003288(17)...``."""

    name = "DeviceRecognizer"
    labels = (IdentifierLabel.DEVICE_ID,)
    context: ClassVar[tuple[str, ...]] = (
        "serial number", "serial no", "serial", "s/n", "sn", "device id", "device number",
        "udi", "imei", "implant id", "pump id", "lot number",
    )  # fmt: skip
    min_digits = 4
    context_confidence = 0.9

    def standalone(self, analysis: Analysis) -> Iterable[Finding]:
        for m in _UDI.finditer(analysis.text):
            yield self.finding(self.labels[0], m.start(), m.end(), 0.95)
        for m in _IMEI.finditer(analysis.text):
            if luhn_valid(m.group()) and _IMEI_CUE.search(analysis.before(m.start(), 20)):
                yield self.finding(self.labels[0], m.start(), m.end(), 0.95)
