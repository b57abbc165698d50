"""The shipped recognizers, one per identifier (or close family), in the order they must run."""

from __future__ import annotations

from importlib import resources

from postguard.domain.identifiers.lexicons import DATA_PACKAGE
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
from postguard.domain.identifiers.recognizers.postcode import PostcodeRecognizer
from postguard.domain.identifiers.recognizers.quasi import QuasiIdentifierRecognizer
from postguard.domain.identifiers.recognizers.ssn import SsnRecognizer
from postguard.domain.identifiers.recognizers.url import UrlRecognizer
from postguard.domain.identifiers.recognizers.vehicle import VehicleRecognizer
from postguard.domain.rule_data import parse_registry

_CLASSES: tuple[type[Recognizer], ...] = (
    AccountNumberRecognizer,
    AgeRecognizer,
    DateRecognizer,
    DeviceRecognizer,
    EmailRecognizer,
    FacilityRecognizer,
    HealthPlanRecognizer,
    IpAddressRecognizer,
    LicenseNumberRecognizer,
    LocationRecognizer,
    MedicalRecordRecognizer,
    PersonRecognizer,
    PhoneRecognizer,
    PostcodeRecognizer,
    QuasiIdentifierRecognizer,
    SsnRecognizer,
    UrlRecognizer,
    VehicleRecognizer,
)
RECOGNIZERS: dict[str, type[Recognizer]] = {cls.name: cls for cls in _CLASSES}
"""Every shipped recognizer by its registry name."""
REGISTRY_FILE = "recognizers.yaml"
ENABLED: tuple[str, ...] = tuple(
    parse_registry(
        resources.files(DATA_PACKAGE).joinpath(REGISTRY_FILE).read_text(encoding="utf-8"),
        f"{DATA_PACKAGE.replace('.', '/')}/{REGISTRY_FILE}",
        RECOGNIZERS,
    )
)
"""The enabled recognizers in the order data/recognizers.yaml gives."""


def default_recognizers() -> list[Recognizer]:
    """The recognizers data/recognizers.yaml enables, in its order: structured identifiers first, then
    context ones; location, date and quasi-identifier read the findings made before them."""
    return [RECOGNIZERS[name]() for name in ENABLED]


__all__ = ["ENABLED", "RECOGNIZERS", "Recognizer", "default_recognizers"]
