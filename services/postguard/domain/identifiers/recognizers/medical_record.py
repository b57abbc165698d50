"""Medical record numbers: a record / chart / patient number introduced by its cue words."""

from __future__ import annotations

from typing import ClassVar

from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.types import IdentifierLabel


class MedicalRecordRecognizer(ContextualNumberRecognizer):
    """``MRN 00123456``, ``medical record #A123456``, ``chart number 88812``."""

    name = "MedicalRecordRecognizer"
    labels = (IdentifierLabel.MEDICAL_RECORD_NUMBER,)
    context: ClassVar[tuple[str, ...]] = (
        "mrn", "medical record", "medical records", "record", "chart", "hospital number", "patient id",
        "pt id", "patient number", "encounter", "visit number", "case number", "accession", "nhs number",
        "unit number", "emr", "ehr",
    )  # fmt: skip
    min_digits = 4
    context_confidence = 0.95
