"""The shipped recognizers, one per identifier (or close family), in the order they must run."""

from __future__ import annotations

from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.recognizers.account import AccountNumberRecognizer
from postguard.domain.identifiers.recognizers.age import AgeRecognizer
from postguard.domain.identifiers.recognizers.date import DateRecognizer
from postguard.domain.identifiers.recognizers.device import DeviceRecognizer
from postguard.domain.identifiers.recognizers.email import EmailRecognizer
from postguard.domain.identifiers.recognizers.facility import FacilityRecognizer
from postguard.domain.identifiers.recognizers.health_plan import HealthPlanRecognizer
from postguard.domain.identifiers.recognizers.ip_address import IpAddressRecognizer
from postguard.domain.identifiers.recognizers.license import LicenseNumberRecognizer
from postguard.domain.identifiers.recognizers.location import LocationRecognizer
from postguard.domain.identifiers.recognizers.medical_record import MedicalRecordRecognizer
from postguard.domain.identifiers.recognizers.person import PersonRecognizer
from postguard.domain.identifiers.recognizers.phone import PhoneRecognizer
from postguard.domain.identifiers.recognizers.quasi import QuasiIdentifierRecognizer
from postguard.domain.identifiers.recognizers.ssn import SsnRecognizer
from postguard.domain.identifiers.recognizers.url import UrlRecognizer
from postguard.domain.identifiers.recognizers.vehicle import VehicleRecognizer


def default_recognizers() -> list[Recognizer]:
    """Structured identifiers first, then context ones; location, date and quasi-identifier read the
    findings made before them (an age or a patient's name in the sentence ties it to care)."""
    return [
        EmailRecognizer(),
        UrlRecognizer(),
        IpAddressRecognizer(),
        PhoneRecognizer(),
        SsnRecognizer(),
        MedicalRecordRecognizer(),
        HealthPlanRecognizer(),
        AccountNumberRecognizer(),
        LicenseNumberRecognizer(),
        VehicleRecognizer(),
        DeviceRecognizer(),
        FacilityRecognizer(),
        PersonRecognizer(),
        AgeRecognizer(),
        LocationRecognizer(),
        DateRecognizer(),
        QuasiIdentifierRecognizer(),
    ]


__all__ = ["Recognizer", "default_recognizers"]
