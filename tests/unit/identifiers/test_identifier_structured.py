"""Table-driven tests of the structured identifiers: contact details, network addresses and ID numbers."""

from __future__ import annotations

import pytest
from identifier_support import labelled

pytestmark = pytest.mark.unit

CASES: list[tuple[str, set[tuple[str, str]]]] = [
    # PHONE / FAX
    ("Call the family at (617) 555-0123 tonight.", {("PHONE", "(617) 555-0123")}),
    ("Her cell is 617.555.0123", {("PHONE", "617.555.0123")}),
    ("Reach him on +1 212-555-0199 please", {("PHONE", "+1 212-555-0199")}),
    ("Phone 6175550123 for the results", {("PHONE", "6175550123")}),
    ("UK relatives: +44 20 7946 0958", {("PHONE", "+44 20 7946 0958")}),
    ("Fax the referral to 617-555-0124", {("FAX", "617-555-0124")}),
    (
        "Call 617-555-0123 or fax 617-555-0124",
        {("PHONE", "617-555-0123"), ("FAX", "617-555-0124")},
    ),
    # EMAIL
    ("Her email is maria.lopez+notes@gmail.com.", {("EMAIL", "maria.lopez+notes@gmail.com")}),
    # URL
    (
        "Donate: https://www.gofundme.com/f/help-baby-olivia",
        {("URL", "https://www.gofundme.com/f/help-baby-olivia")},
    ),
    ("Read more at www.example.org/heart.", {("URL", "www.example.org/heart")}),
    ("Her page facebook.com/maria.lopez.77 has updates", {("URL", "facebook.com/maria.lopez.77")}),
    (
        "Pinned: http://pinterest.com/pin/34832597087748370/",
        {("URL", "http://pinterest.com/pin/34832597087748370/")},
    ),
    # IP_ADDRESS
    ("The portal logged 192.168.10.45 for her login", {("IP_ADDRESS", "192.168.10.45")}),
    ("Access from 2001:db8::8a2e:370:7334 was blocked", {("IP_ADDRESS", "2001:db8::8a2e:370:7334")}),
    # SSN
    ("SSN 219-09-9999 was on the form", {("SSN", "219-09-9999")}),
    ("social security number 219099999", {("SSN", "219099999")}),
    ("His number 078 05 1120 was on the chart", {("SSN", "078 05 1120")}),
    # MEDICAL_RECORD_NUMBER
    ("MRN: 00481234, please chart", {("MEDICAL_RECORD_NUMBER", "00481234")}),
    ("medical record number is A9981234", {("MEDICAL_RECORD_NUMBER", "A9981234")}),
    ("chart #7781234 reviewed", {("MEDICAL_RECORD_NUMBER", "7781234")}),
    # HEALTH_PLAN_NUMBER
    ("Member ID W123456789 on the card", {("HEALTH_PLAN_NUMBER", "W123456789")}),
    ("Medicare number 1EG4-TE5-MK73", {("HEALTH_PLAN_NUMBER", "1EG4-TE5-MK73")}),
    ("His MBI 1EG4TE5MK73 was wrong", {("HEALTH_PLAN_NUMBER", "1EG4TE5MK73")}),
    # ACCOUNT_NUMBER
    ("Billing account 0042-7781-11 is overdue", {("ACCOUNT_NUMBER", "0042-7781-11")}),
    ("Paid with 4111 1111 1111 1111", {("ACCOUNT_NUMBER", "4111 1111 1111 1111")}),
    # LICENSE_NUMBER
    ("Driver's license D1234567 found in her bag", {("LICENSE_NUMBER", "D1234567")}),
    ("Prescriber DEA AB1234563", {("LICENSE_NUMBER", "AB1234563")}),
    ("Her NPI 1234567893 is listed", {("LICENSE_NUMBER", "1234567893")}),
    # VEHICLE_ID
    ("The car with license plate 7ABC123 hit him", {("VEHICLE_ID", "7ABC123")}),
    ("VIN 1HGCM82633A004352 from the crash report", {("VEHICLE_ID", "1HGCM82633A004352")}),
    # DEVICE_ID
    ("Pacemaker serial number PJN123456 checked", {("DEVICE_ID", "PJN123456")}),
    ("Pump S/N 88-112345 alarmed", {("DEVICE_ID", "88-112345")}),
    (
        "UDI (01)00844588003288(17)141120(10)7654321D on the implant",
        {("DEVICE_ID", "(01)00844588003288(17)141120(10)7654321D")},
    ),
    ("Phone IMEI 490154203237518 traced", {("DEVICE_ID", "490154203237518")}),
]

NEGATIVES: list[str] = [
    "Call 123-456-7890 now",  # NANP: area code cannot start with 1
    "Ratio 1234567890 was computed",  # ten bare digits with no phone cue
    "SSN 000-12-3456 is not a real number",  # area 000 is never issued
    "Number 666-12-3456 and 912-34-5678",  # area 666 and 9xx are never issued
    "Card 4111 1111 1111 1112 declined",  # fails Luhn
    "Version 1.2.3.4 of the app and 999.1.1.1",  # version string, invalid octet
    "Our new policy 2024 starts soon",  # a year is not a plan number
    "Lots of plates and 3 screws were used in the fixation",  # orthopaedic plates
    "Time 12:30 and ratio 1:10",  # not IPv6
    "The licensed nurses joined the team",
    "Write to us with questions about the study",
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_structured_identifier_found_with_exact_span(text: str, expected: set[tuple[str, str]]) -> None:
    assert labelled(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_invalid_or_uncued_numbers_are_not_identifiers(text: str) -> None:
    assert labelled(text) == set()
