"""Vehicle plates, part 2 (issue 8): Irish year-county-sequence plates (alone when hyphenated), Australian,
Canadian and US plates after a cue right before them or earlier in the sentence, each with its ``region``
where the format or a jurisdiction word says which; ordinary codes never become plates."""

from __future__ import annotations

import pytest
from identifier_support import findings
from postguard.domain.identifiers.recognizers.vehicle import ie_year_valid

pytestmark = pytest.mark.unit


def _plates(text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.attribute("region")) for f in findings(text) if f.label == "VEHICLE_ID"]


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("A silver car, 191-D-12345, was parked across the ambulance bay", "191-D-12345"),
        ("Hit by 08-KY-2109 on the main road", "08-KY-2109"),
        ("The van 231 WX 405 left before the gardaí came", "231 WX 405"),
        ("Her reg is 05 C 1234 if anyone saw it", "05 C 1234"),
        ("registration plate 12D4567 on the report", "12D4567"),
        ("A 142-MH-97 was blocking the entrance", "142-MH-97"),
        ("A car, reg 142-MH-9, was blocking the entrance", "142-MH-9"),
    ],
)
def test_irish_plates(text: str, plate: str) -> None:
    assert _plates(text) == [(plate, "IE")]


@pytest.mark.parametrize(
    "text",
    [
        "Seen 05 C 1234 times",  # a spaced two-digit year needs a cue
        "Code 191-Q-12345 in the log",  # Q is no county
        "Item 45-D-123 on the list",  # 45 is no plate year
        "Batch 251-X-1 failed",  # X is no county
        "Version 163-D-2 of the form",  # half-year 3
        "Ward 4-D-12 is closed",  # one-digit year
        "Ward 12-C-34 is closed and rota 05-D-22 is out",  # a ward or document word before it
        "Meet at 131-D-7 tomorrow",  # a one-digit sequence needs a cue
    ],
)
def test_irish_plate_look_alikes_are_not_plates(text: str) -> None:
    assert _plates(text) == []


def test_irish_plate_years() -> None:
    assert ie_year_valid("87") and ie_year_valid("99") and ie_year_valid("00") and ie_year_valid("12")
    assert not ie_year_valid("13") and not ie_year_valid("50")
    assert ie_year_valid("131") and ie_year_valid("252") and not ie_year_valid("133")
    assert not ie_year_valid("121")  # 2012 had two-digit plates


@pytest.mark.parametrize(
    ("text", "plate", "region"),
    [
        ("Her rego in NSW was AB12CD, the police have it", "AB12CD", "AU"),
        ("NSW rego CF 45 HJ noted by triage", "CF 45 HJ", "AU"),
        ("SA plate S 123 ABC towed from the car park", "S 123 ABC", "AU"),
        ("The Victorian number plate 1AB 2CD was on the form", "1AB 2CD", "AU"),
        ("Queensland rego 123 XYZ on the report", "123 XYZ", "AU"),
        ("rego of the ute was 1ABC 234", "1ABC 234", "AU"),
        ("Ontario licence plate CBKR 418 towed", "CBKR 418", "CA"),
        ("licence plate BXTR 229 from Quebec", "BXTR 229", "CA"),
        ("A BC licence plate, maybe RX5 31T, drove off", "RX5 31T", "CA"),
        ("Alberta plate number CFR-2093 on the ticket", "CFR-2093", "CA"),
        ("California license plate 7ABC123 in the bay", "7ABC123", "US"),
        ("The car had Texas plates reading ABC-1234.", "ABC-1234", "US"),
        ("a New York license plate, something like KDJ 4471", "KDJ 4471", "US"),
        ("The plate NSW AB12CD was on the ambulance report", "AB12CD", "AU"),
        ("a NT plate CA 12 AB on the form", "CA 12 AB", "AU"),
        ("WA rego 1ABC 234 noted", "1ABC 234", "AU"),
    ],
)
def test_plates_after_a_cue_carry_their_region(text: str, plate: str, region: str) -> None:
    assert _plates(text) == [(plate, region)]


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("license plate number is 8XYZ123", "8XYZ123"),
        ("tag number ABC 1234 was reported", "ABC 1234"),
        ("His plate: XK 7710", "XK 7710"),
        ("The car that hit him had the plate, I think, ABC 123", "ABC 123"),
        ("The plate was reported as ABC-123 by the driver", "ABC-123"),
        ("plaque d'immatriculation FGH 123 sur le rapport", "FGH 123"),
    ],
)
def test_a_plate_without_a_region_word_is_still_a_plate(text: str, plate: str) -> None:
    assert [p for p, _ in _plates(text)] == [plate]


@pytest.mark.parametrize(
    "text",
    [
        "COVID-19 on ICU-2, then A&E; her B12 was low",
        "Ward 7B and bay C4 are closed until 2025",
        "Metformin 500MG twice daily, 2024 review",
        "The new XR500 scanner and model ABC-123 arrive Monday",
        "ORIF with a plate at L4-L5 and 6 screws",
        "Plate and screws removed from the T12 level",
        "The reg saw her at 0300 and asked for an ABG",
        "Our med reg, an ST4, was brilliant",
        "Rego sticker expired, she takes 500MG at night",
        "registration number 2024 for the conference",
        "My number plate collection hit 2000 items",
        "FY25 CPD budget and FY24 NHS targets",
        "H1N1 and G2P1 noted; FFP3 masks fitted",
        "Lots of plates and 3 screws",
        "Dinner plates reading the menu at 7pm",
        "GMC reg 7654321 is on the register",
        "NMC registration 12A3456E renewed",
        "Plate fixation; she drove in with pain, XR450 implant in the notes",
        "The plate was reported as ABC-123 in the lab log",
        "New licence plate cameras were installed, model LPR-500X",
    ],
)
def test_ordinary_codes_are_never_plates(text: str) -> None:
    assert _plates(text) == []


def test_two_letter_codes_elsewhere_in_the_sentence_are_not_regions() -> None:
    """'MS', 'OR', 'CT' are clinical words: a code counts only right before the plate or its cue."""
    assert _plates("MS clinic follow-up; car plate ABC 123 was logged") == [("ABC 123", "")]
    assert _plates("CT done, rego ABC 123") == [("ABC 123", "AU")]  # rego is Australian


def test_a_vehicle_cue_in_an_earlier_sentence_does_not_reach_a_code() -> None:
    assert _plates("She lost her licence plate. Ward AB12CD is closed") == []
    assert _plates("She lost her licence plate; it read AB12CD, she thinks") == [("AB12CD", "")]
