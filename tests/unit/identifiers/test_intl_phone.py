"""International phone and fax numbers (issue 8): the national formats of the regions in phone.yaml read
with the phonenumbers library, each finding with its ``region``; times, years, dosages, dates, ranges and
references stay what they are."""

from __future__ import annotations

import pytest
from identifier_support import findings
from postguard.domain.identifiers.recognizers import phone

pytestmark = pytest.mark.unit


def _phones(text: str) -> list[tuple[str, str, str, float]]:
    return [
        (f.label, text[f.start : f.end], f.attribute("region"), f.confidence)
        for f in findings(text)
        if f.label in {"PHONE", "FAX"}
    ]


@pytest.mark.parametrize(
    ("text", "number", "region"),
    [
        ("Ring her son on 0161 496 0789 after six", "0161 496 0789", "GB"),
        ("Grandad's landline is 0113 496 0555, leave a message", "0113 496 0555", "GB"),
        ("His partner is on 07825 123456 if the ward needs her", "07825 123456", "GB"),
        ("Her brother in Cork: 021 490 1234", "021 490 1234", "IE"),
        ("Mobile 085 123 4567 for the family liaison", "085 123 4567", "IE"),
        ("Mum's mobile 0412 345 678 is on the chart", "0412 345 678", "AU"),
        ("The daughter rang from (03) 9555 1234 this morning", "(03) 9555 1234", "AU"),
        ("Contact the wife on +61 2 5550 1234", "+61 2 5550 1234", "AU"),
        ("Uncle's WhatsApp +91 98450 12345 for updates", "+91 98450 12345", "IN"),
        ("Text her father at 98450 12345 tonight", "98450 12345", "IN"),
        ("Clinic landline 080 2345 6789 in Bengaluru", "080 2345 6789", "IN"),
        ("Her son in Vancouver, (604) 555-0143, called twice", "(604) 555-0143", "CA"),
        ("Call the husband at (617) 555-0123 tonight", "(617) 555-0123", "US"),
    ],
)
def test_national_and_international_numbers_carry_their_region(text: str, number: str, region: str) -> None:
    assert [(label, value, r) for label, value, r, _ in _phones(text)] == [("PHONE", number, region)]


def test_an_unallocated_drama_range_mobile_still_counts_in_its_own_grouping() -> None:
    (found,) = _phones("Her niece's number is 07700 900981")
    assert found[:3] == ("PHONE", "07700 900981", "GB") and 0.5 < found[3] < 0.85


def test_the_nearer_fax_cue_makes_a_national_number_a_fax() -> None:
    text = "Phone 020 7946 0321 or fax 020 7946 0999 for the referral"
    assert [(label, value) for label, value, *_ in _phones(text)] == [
        ("PHONE", "020 7946 0321"),
        ("FAX", "020 7946 0999"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Freephone 0800 123 4567 for the helpline",
        "Ring 1800 123 456 for the national line",
        "Bookings on 1300 975 707",
    ],
)
def test_organisation_numbers_get_the_low_toll_free_confidence(text: str) -> None:
    (found,) = _phones(text)
    assert found[3] == 0.4


def test_a_bare_national_digit_run_needs_a_phone_cue() -> None:
    assert _phones("Reference 07825123456 on the form") == []
    assert [v for _, v, *_ in _phones("Call 07825123456 tonight")] == ["07825123456"]
    assert _phones("Batch 9845012345 was recalled") == []
    assert _phones("Contact his wife on 9820123456 (mobile)")[0][1:3] == ("9820123456", "IN")


@pytest.mark.parametrize(
    "text",
    [
        "Day shift 0730-1930, nights 1930 - 0730 on Ward 5",
        "Between 2015-2023 we ran 3 clinics",
        "Amoxicillin 500 mg three times a day, 1000 mg at most",
        "Seen 03.04.2024 at 0930 and again on 2024-03-04",
        "Rooms 1201-1205 are closed; order 12345678 arrives Monday",
        "We vaccinated 12 450 people across 0 to 18 year olds",
        "Ref 2024-00123-45 for the audit",
        "Shipping label 02139-4307 on the box",
        "BP 120/80, HR 88, RR 16, SpO2 98",
        "Scores 09 08 07 06 05 04 across the week",
    ],
)
def test_times_years_doses_dates_ranges_and_references_are_not_phones(text: str) -> None:
    assert _phones(text) == []


def test_the_regions_are_data() -> None:
    assert set(phone._REGIONS) >= {"US", "CA", "GB", "IE", "IN", "AU"}
    assert "US" not in phone._NATIONAL_REGIONS and "GB" in phone._NATIONAL_REGIONS
    assert phone.region_of("+353 85 123 4567") == "IE" and phone.region_of("not a number") == ""
