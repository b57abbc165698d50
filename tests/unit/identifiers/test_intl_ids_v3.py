"""International health and ID numbers, part 2 (issue 8): Scottish CHI and Northern Irish H&C numbers,
the other Canadian provinces' health numbers, the Australian IHI and Indian ABHA number
(HEALTH_PLAN_NUMBER) and the Irish PPSN (SSN). Valid numbers are generated here with the check-digit
rules written out in the test (not with the code under test); each finding carries ``region`` and
``scheme``."""

from __future__ import annotations

import random

import pytest
from identifier_support import findings
from postguard.domain.identifiers.recognizers import national_id

pytestmark = pytest.mark.unit


def _ids(text: str) -> list[tuple[str, str, str, str]]:
    return [
        (f.label, text[f.start : f.end], f.attribute("region"), f.attribute("scheme"))
        for f in findings(text)
        if f.label in {"HEALTH_PLAN_NUMBER", "SSN", "PHONE"}
    ]


def _confidence(text: str, label: str) -> float:
    (found,) = [f for f in findings(text) if f.label == label]
    return found.confidence


def _mod11_check(nine: str) -> int | None:
    """The NHS / CHI / H&C check digit: weights 10 down to 2, 11 - (sum mod 11); 11 is 0, 10 is unusable."""
    check = 11 - sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    return None if check == 10 else check % 11


def _chi(seed: int) -> str:
    """A CHI number: a birth date DDMMYY, three digits and the mod-11 check digit."""
    rng = random.Random(seed)
    while True:
        birth = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(0, 99):02d}"
        nine = birth + f"{rng.randint(0, 999):03d}"
        check = _mod11_check(nine)
        if check is not None:
            return nine + str(check)


def _hc_ni(seed: int) -> str:
    rng = random.Random(seed)
    while True:
        nine = str(rng.randint(320, 399)) + f"{rng.randint(0, 999999):06d}"
        check = _mod11_check(nine)
        if check is not None:
            return nine + str(check)


def _luhn_complete(partial: str) -> str:
    """``partial`` plus its Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return partial + str((10 - total % 10) % 10)


def _ihi(seed: int) -> str:
    rng = random.Random(seed)
    return _luhn_complete("800360" + "".join(rng.choice("0123456789") for _ in range(9)))


def _ppsn(seed: int) -> str:
    """Seven digits and the check letter: weights 8 down to 2, mod 23, 0 is W, else A=1 ... V=22."""
    rng = random.Random(seed)
    digits = "".join(rng.choice("0123456789") for _ in range(7))
    remainder = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True)) % 23
    return digits + ("W" if remainder == 0 else chr(64 + remainder))


def _spaced(digits: str, *groups: int, sep: str = " ") -> str:
    parts, at = [], 0
    for size in groups:
        parts.append(digits[at : at + size])
        at += size
    return sep.join(parts)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_scottish_chi_number_is_found_with_its_cue_or_in_its_printed_format(seed: int) -> None:
    chi = _chi(seed)
    printed = _spaced(chi, 6, 4)
    assert _ids(f"CHI {chi} on the wristband") == [("HEALTH_PLAN_NUMBER", chi, "GB", "chi")]
    assert _ids(f"Bloods for {printed} came back") == [("HEALTH_PLAN_NUMBER", printed, "GB", "chi")]
    nhs_style = _spaced(chi, 3, 3, 4)
    assert _ids(f"His NHS number is {nhs_style}") == [("HEALTH_PLAN_NUMBER", nhs_style, "GB", "chi")]
    assert _confidence(f"CHI {chi} on the wristband", "HEALTH_PLAN_NUMBER") > _confidence(
        f"Bloods for {printed} came back", "HEALTH_PLAN_NUMBER"
    )


def test_a_chi_shape_needs_a_real_birth_date_and_check_digit_without_a_cue() -> None:
    chi = _chi(4)
    wrong_check = chi[:9] + str((int(chi[9]) + 1) % 10)
    assert _ids(f"Bloods for {_spaced(wrong_check, 6, 4)} came back") == []
    nine = "311390123"  # 31/13/90 is no date
    bad_date = nine + str(_mod11_check(nine))
    assert all(scheme != "chi" for *_, scheme in _ids(f"Bloods for {_spaced(bad_date, 6, 4)} came back"))
    assert _ids(f"Bloods for {_spaced(bad_date, 6, 4)} came back") == []


def test_a_phone_cue_keeps_a_chi_shaped_number_off_the_health_numbers() -> None:
    chi = _chi(5)
    assert all(
        label != "HEALTH_PLAN_NUMBER" for label, *_ in _ids(f"Call me on {_spaced(chi, 6, 4)} tonight")
    )


@pytest.mark.parametrize("seed", [6, 7])
def test_a_northern_irish_health_and_care_number(seed: int) -> None:
    number = _hc_ni(seed)
    printed = _spaced(number, 3, 3, 4)
    assert _ids(f"H&C number {number} checked") == [("HEALTH_PLAN_NUMBER", number, "GB", "hc_ni")]
    assert _ids(f"Label shows {printed} at the top") == [("HEALTH_PLAN_NUMBER", printed, "GB", "hc_ni")]
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert [label for label, *_ in _ids(f"Label shows {_spaced(wrong, 3, 3, 4)} at the top")] in (
        [],
        ["PHONE"],
    )


@pytest.mark.parametrize(
    ("text", "number", "scheme"),
    [
        ("Her RAMQ card TREM 5803 1219 was expired", "TREM 5803 1219", "ramq"),
        ("carte soleil GAGL58531217 photocopied", "GAGL58531217", "ramq"),
        ("AHCIP 12345-6789 on the requisition", "12345-6789", "ab_phn"),
        ("Alberta health card number 987 654 321", "987 654 321", "ab_phn"),
        ("Saskatchewan health card 123 456 780", "123 456 780", "sk_hsn"),
        ("his PHIN is 112233445", "112233445", "mb_phin"),
        ("New Brunswick Medicare 555 444 333", "555 444 333", "nb_medicare"),
        ("Nova Scotia health card 1234 567 890", "1234 567 890", "ns_msi"),
        ("MCP 123 456 789 012 on the form", "123 456 789 012", "nl_mcp"),
        ("PEI health card 1234 5678 in the chart", "1234 5678", "pe_health"),
        ("ABHA number 91-1234-5678-9012 linked", "91-1234-5678-9012", "abha"),
        ("her Ayushman Bharat health ID 12 3456 7890 1234", "12 3456 7890 1234", "abha"),
    ],
)
def test_schemes_without_a_public_check_digit_count_after_their_cue(
    text: str, number: str, scheme: str
) -> None:
    region = "IN" if scheme == "abha" else "CA"
    assert _ids(text) == [("HEALTH_PLAN_NUMBER", number, region, scheme)]


@pytest.mark.parametrize(
    "text",
    [
        "Copied TREM 5803 1219 into the wrong box",
        "Ref 12345-6789 was the courier",
        "Seen 112233445 times",
        "Batch 91-1234-5678-9012 of the vaccine",
        "MCP joint swelling, ref 123 456 789 012",
        "Her RAMQ card TREM 5813 1219",  # month 13: no birth date
        "Her RAMQ card TREM 5803 1209",  # the eleventh character is never 0
    ],
)
def test_unchecked_shapes_without_their_cue_are_not_health_numbers(text: str) -> None:
    assert [label for label, *_ in _ids(text) if label == "HEALTH_PLAN_NUMBER"] == []


@pytest.mark.parametrize("seed", [8, 9, 10])
def test_an_australian_ihi_counts_alone_when_its_prefix_and_luhn_digit_hold(seed: int) -> None:
    ihi = _ihi(seed)
    printed = _spaced(ihi, 4, 4, 4, 4)
    assert _ids(f"IHI {ihi} for the My Health Record") == [("HEALTH_PLAN_NUMBER", ihi, "AU", "ihi")]
    assert _ids(f"Her card {printed} is scanned") == [("HEALTH_PLAN_NUMBER", printed, "AU", "ihi")]
    wrong = ihi[:15] + str((int(ihi[15]) + 1) % 10)
    assert _ids(f"Her card {_spaced(wrong, 4, 4, 4, 4)} is scanned") == []


def test_a_practitioner_identifier_is_not_an_ihi() -> None:
    """HPI-I numbers (800361...) identify clinicians, not patients: not the IHI scheme."""
    hpi = _luhn_complete("800361" + "123456789")
    assert all(scheme != "ihi" for *_, scheme in _ids(f"Her card {_spaced(hpi, 4, 4, 4, 4)} is scanned"))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_an_irish_ppsn_is_a_national_id_with_its_check_letter(seed: int) -> None:
    ppsn = _ppsn(seed)
    assert _ids(f"PPSN {ppsn} on the form") == [("SSN", ppsn, "IE", "ppsn")]
    assert _ids(f"Form shows {ppsn} at the top") == [("SSN", ppsn, "IE", "ppsn")]
    assert _confidence(f"PPSN {ppsn} on the form", "SSN") > _confidence(
        f"Form shows {ppsn} at the top", "SSN"
    )
    letter = ppsn[7]
    wrong = ppsn[:7] + ("A" if letter != "A" else "B")
    assert _ids(f"Form shows {wrong} at the top") == []
    assert _ids(f"her PPS number {wrong}") == [("SSN", wrong, "IE", "ppsn")]


def test_ppsn_shapes_in_lower_case_or_inside_codes_are_not_found() -> None:
    ppsn = _ppsn(14)
    assert _ids(f"Form shows {ppsn.lower()} at the top") == []
    assert _ids(f"Part AB-{ppsn} shipped") == []


def test_the_medicare_mbi_format_follows_the_cms_character_positions() -> None:
    """Positions 2, 5, 8, 9 are letters without S L O I B Z; 3 and 6 letters or digits; 1 is 1-9."""
    assert _ids("Card 1EG4-TE5-MK73 on file") == [("HEALTH_PLAN_NUMBER", "1EG4-TE5-MK73", "US", "mbi")]
    assert _ids("Card 9AA9A99AA99 on file") == [("HEALTH_PLAN_NUMBER", "9AA9A99AA99", "US", "mbi")]
    for wrong in ("0EG4TE5MK73", "1SG4TE5MK73", "1EG4TE5MO73", "1EG4TE5MK7A"):
        assert _ids(f"Card {wrong} on file") == [], wrong


def test_scheme_helpers_check_birth_dates_and_ranges() -> None:
    assert national_id.chi_fits("2902000000")  # 29 February 2000
    assert not national_id.chi_fits("3102991234")  # 31 February
    assert national_id.hc_ni_fits("3200000015") and not national_id.hc_ni_fits("4000000000")
    assert national_id.ramq_fits("TREM 5853 1219")  # a woman: month + 50
    assert not national_id.ramq_fits("TREM 5863 1219")
    assert national_id.ihi_valid(_ihi(15)) and not national_id.ihi_valid(_luhn_complete("800361123456789"))
