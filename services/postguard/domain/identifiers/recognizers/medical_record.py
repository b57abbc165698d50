"""Medical record numbers: a record / chart / patient number introduced by its cue words."""

from __future__ import annotations

from typing import ClassVar

from postguard.domain.identifiers.lexicons import rule_file
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.types import IdentifierLabel

_DATA = rule_file("medical_record.yaml")


class MedicalRecordRecognizer(ContextualNumberRecognizer):
    """``MRN 00123456``, ``medical record #A123456``, ``chart number 88812``."""

    name = "MedicalRecordRecognizer"
    labels = (IdentifierLabel.MEDICAL_RECORD_NUMBER,)
    context: ClassVar[tuple[str, ...]] = _DATA.phrases("context")
    min_digits = int(_DATA.number("min_digits"))
    context_confidence = _DATA.number("context_confidence")
