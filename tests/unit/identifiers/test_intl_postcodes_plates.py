"""Postcodes with context (US, UK, Canada, India, Australia) as LOCATION with ``granularity`` postcode,
and UK / Indian plates on their own, other plates after a cue (issue 8)."""

from __future__ import annotations

from functools import cache

import pytest
from identifier_support import findings, post
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.identifiers.recognizers import RECOGNIZERS, default_recognizers
from postguard.domain.identifiers.recognizers.postcode import PostcodeRecognizer, au_postcode_valid
from postguard.domain.identifiers.registry import RecognizerRegistry

pytestmark = pytest.mark.unit


@cache
def _detector() -> IdentifierDetector:
    """The default recognizers, plus the postcode one if the registry does not list it yet."""
    recognizers = default_recognizers()
    if "PostcodeRecognizer" not in RECOGNIZERS:
        at = next(i for i, r in enumerate(recognizers) if r.name == "LocationRecognizer")
        recognizers.insert(at, PostcodeRecognizer())
    return IdentifierDetector(registry=RecognizerRegistry(recognizers))


def _postcodes(text: str) -> list[tuple[str, str]]:
    return [
        (text[f.start : f.end], f.attribute("region"))
        for f in _detector().detect(post(text))
        if f.attribute("granularity") == "postcode"
    ]


@pytest.mark.parametrize(
    ("text", "code", "region"),
    [
        ("Visited him at home in EH3 9HA after discharge", "EH3 9HA", "GB"),
        ("Her flat is near M14 5TP", "M14 5TP", "GB"),
        ("Discharged to an address in W1D 3QF", "W1D 3QF", "GB"),
        ("The family moved to Halifax NS B3H 4R2", "B3H 4R2", "CA"),
        ("Lives off Main St, Ottawa, K2P 1L4", "K2P 1L4", "CA"),
        ("Zip code 60614 per the intake form", "60614", "US"),
        ("Grew up in the 94110 area", "94110", "US"),
        ("Admitted from Austin, TX 78701 yesterday", "78701", "US"),
        ("Home in Dayton 45402 where her sister lives", "45402", "US"),
        ("A grandmother from Chennai 600020 was admitted", "600020", "IN"),
        ("Address: 4 Station Rd, Pune - 411 001", "411 001", "IN"),
        ("Pincode 682016 on the referral", "682016", "IN"),
        ("Lives in Karnataka 560034", "560034", "IN"),
        ("Moved to Brunswick VIC 3056 in June", "3056", "AU"),
        ("Parramatta NSW 2150 was her last address", "2150", "AU"),
        ("She is back home in Geelong, 3220", "3220", "AU"),
    ],
)
def test_postcodes_with_context(text: str, code: str, region: str) -> None:
    assert _postcodes(text) == [(code, region)]


@pytest.mark.parametrize(
    "text",
    [
        "We saw 10001 patients in 2023 and 25000 visits",
        "The SA 2020 conference and the NSW 1999 report",
        "Sydney 2000 Olympics memories from the team",
        "Vitamin B12 levels and HbA1c of 48 mmol",
        "Dose 250000 units over 24 hours",
        "Fiscal year FY25 plan",
        "Dial-in 0330 088 5830, PIN 123456",
    ],
)
def test_bare_numbers_and_codes_are_not_postcodes(text: str) -> None:
    assert _postcodes(text) == []


def test_australian_postcodes_are_checked_against_their_state() -> None:
    assert au_postcode_valid("VIC", "3056") and not au_postcode_valid("VIC", "2150")
    assert au_postcode_valid("nt", "0870") and au_postcode_valid("", "6000")


def test_a_zip_plus4_alone_is_a_low_confidence_postcode() -> None:
    (found,) = [f for f in _detector().detect(post("Mail went to 02139-4307")) if f.label == "LOCATION"]
    assert found.confidence < 0.7 and found.attribute("region") == "US"


def _plates(text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.attribute("region")) for f in findings(text) if f.label == "VEHICLE_ID"]


@pytest.mark.parametrize(
    ("text", "plate", "region"),
    [
        ("A blue van, LR63 WKX, hit her outside the shop", "LR63 WKX", "GB"),
        ("Witnesses saw YK08 HPT leave the scene", "YK08 HPT", "GB"),
        ("His bike MH 12 DE 1433 was found near the station", "MH 12 DE 1433", "IN"),
        ("Auto-rickshaw TN-09-BK-5521 brought him in", "TN-09-BK-5521", "IN"),
    ],
)
def test_uk_and_indian_plates_count_alone(text: str, plate: str, region: str) -> None:
    assert _plates(text) == [(plate, region)]


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("Her rego XYZ 987 was on the crash report", "XYZ 987"),
        ("Ontario licence plate CBKR 418 towed", "CBKR 418"),
        ("The car reg BD51 SMR was noted", "BD51 SMR"),
    ],
)
def test_other_plates_after_a_cue(text: str, plate: str) -> None:
    assert [p for p, _ in _plates(text)] == [plate]


@pytest.mark.parametrize(
    "text",
    [
        "FY25 CPD budget and FY24 NHS targets",
        "The SP25 NEW intake starts soon",
        "XYZ 987 without any cue",
        "Registration number 2024 is open",
        "Postcode SW1A 1AA is the palace",
        "Lots of plates and 3 screws",
    ],
)
def test_codes_and_uncued_plates_are_not_vehicles(text: str) -> None:
    assert _plates(text) == []


def test_the_new_modules_regexes_have_no_backtracking_hazard() -> None:
    """postcode.py and national_id.py are not in identifier_regexes.MODULES yet: the same structural check."""
    import re

    from postguard.domain.identifiers.recognizers import national_id, postcode
    from regex_shape import hazards

    patterns = [v for m in (postcode, national_id) for v in vars(m).values() if isinstance(v, re.Pattern)]
    patterns += [p for s in national_id.SCHEMES for p in (s.shape, s.cue, s.display)]
    assert len(patterns) > 25
    assert [(p.pattern, hazards(p)) for p in patterns if hazards(p)] == []
