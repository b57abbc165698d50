"""National health and ID numbers with their check digits (issue 8): NHS, Ontario and BC health numbers,
Australian Medicare (HEALTH_PLAN_NUMBER); Aadhaar and SIN (SSN). Valid numbers are generated with
python-stdnum's own checks; each finding carries its ``region`` and ``scheme``."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from identifier_support import findings
from postguard.domain.identifiers import validators
from stdnum.ca import bc_phn, sin
from stdnum.gb import nhs
from stdnum.in_ import aadhaar

pytestmark = pytest.mark.unit


def _numbers(valid: Callable[[str], bool], length: int, first: str, *, want: bool, seed: int) -> list[str]:
    """Three random digit strings of ``length`` starting with one of ``first`` that ``valid`` accepts
    (``want``) or rejects."""
    rng, out = random.Random(seed), []
    while len(out) < 3:
        digits = rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(length - 1))
        if valid(digits) == want and len(set(digits)) > 2:
            out.append(digits)
    return out


def _ids(text: str) -> list[tuple[str, str, str, str]]:
    return [
        (f.label, text[f.start : f.end], f.attribute("region"), f.attribute("scheme"))
        for f in findings(text)
        if f.label in {"HEALTH_PLAN_NUMBER", "SSN", "PHONE"}
    ]


def _spaced(digits: str, *groups: int) -> str:
    parts, at = [], 0
    for size in groups:
        parts.append(digits[at : at + size])
        at += size
    return " ".join(parts)


@pytest.mark.parametrize("digits", _numbers(nhs.is_valid, 10, "4679", want=True, seed=1))
def test_a_valid_nhs_number_is_a_health_number_never_a_phone(digits: str) -> None:
    for text, number in (
        (f"NHS number {_spaced(digits, 3, 3, 4)} on her wristband", _spaced(digits, 3, 3, 4)),
        (f"nhs no: {digits} checked at handover", digits),
        (f"Her NHS {digits} was on the wrong form", digits),
        (f"Bloods for {_spaced(digits, 3, 3, 4)} are back", _spaced(digits, 3, 3, 4)),
    ):
        assert _ids(text) == [("HEALTH_PLAN_NUMBER", number, "GB", "nhs")], text


@pytest.mark.parametrize("digits", _numbers(nhs.is_valid, 10, "4679", want=False, seed=2))
def test_an_invalid_nhs_number_without_a_cue_is_no_health_number(digits: str) -> None:
    text = f"Bloods for {digits[:3]}-{digits[3:6]}-{digits[6:]} are back"
    assert all(label != "HEALTH_PLAN_NUMBER" for label, *_ in _ids(text))


def test_a_phone_cue_keeps_a_valid_nhs_shape_a_phone() -> None:
    digits = _numbers(nhs.is_valid, 10, "4679", want=True, seed=3)[0]
    text = f"Call me on {_spaced(digits, 3, 3, 4)} tonight"
    assert [label for label, *_ in _ids(text)] == ["PHONE"]


@pytest.mark.parametrize("digits", _numbers(aadhaar.is_valid, 12, "23456789", want=True, seed=4))
def test_a_valid_aadhaar_counts_with_a_cue_or_in_its_printed_format(digits: str) -> None:
    printed = _spaced(digits, 4, 4, 4)
    assert _ids(f"Her Aadhaar: {digits}") == [("SSN", digits, "IN", "aadhaar")]
    assert _ids(f"Copy of {printed} left at the desk") == [("SSN", printed, "IN", "aadhaar")]


def test_an_invalid_aadhaar_or_one_inside_a_card_number_is_not_found() -> None:
    bad = _numbers(aadhaar.is_valid, 12, "23456789", want=False, seed=5)[0]
    assert _ids(f"Copy of {_spaced(bad, 4, 4, 4)} left at the desk") == []
    good = _numbers(aadhaar.is_valid, 12, "23456789", want=True, seed=6)[0]
    assert [s for _, _, _, s in _ids(f"Paid with {_spaced(good, 4, 4, 4)} 1234")] == []


@pytest.mark.parametrize("digits", _numbers(sin.is_valid, 9, "1234567", want=True, seed=7))
def test_a_valid_sin_counts_after_its_cue_or_in_3_3_3(digits: str) -> None:
    dashed = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    assert _ids(f"SIN {digits} on the intake form") == [("SSN", digits, "CA", "sin")]
    assert _ids(f"Form shows {dashed} at the top") == [("SSN", dashed, "CA", "sin")]


def test_a_sin_shape_with_a_bad_check_digit_needs_its_cue() -> None:
    bad = _numbers(sin.is_valid, 9, "1234567", want=False, seed=8)[0]
    dashed = f"{bad[:3]}-{bad[3:6]}-{bad[6:]}"
    assert _ids(f"Form shows {dashed} at the top") == []
    assert _ids(f"Social insurance number {dashed}") == [("SSN", dashed, "CA", "sin")]
    assert _ids("It is a sin 123 456 789 times over") == []  # lower-case "sin" is a word


@pytest.mark.parametrize("digits", _numbers(bc_phn.is_valid, 10, "9", want=True, seed=9))
def test_a_valid_bc_personal_health_number(digits: str) -> None:
    printed = _spaced(digits, 4, 3, 3)
    assert _ids(f"PHN {digits} confirmed") == [("HEALTH_PLAN_NUMBER", digits, "CA", "bc_phn")]
    assert _ids(f"Card reads {printed}") == [("HEALTH_PLAN_NUMBER", printed, "CA", "bc_phn")]


def test_ontario_health_numbers_use_the_luhn_check_and_a_version_code() -> None:
    valid = _numbers(validators.ohip_valid, 10, "12345678", want=True, seed=10)[0]
    invalid = _numbers(validators.ohip_valid, 10, "12345678", want=False, seed=11)[0]
    card = f"{valid[:4]}-{valid[4:7]}-{valid[7:]}-KT"
    assert _ids(f"Card {card} on file") == [("HEALTH_PLAN_NUMBER", card, "CA", "ohip")]
    assert _ids(f"Card {invalid[:4]}-{invalid[4:7]}-{invalid[7:]}-KT on file") == []
    cued = f"{invalid[:4]} {invalid[4:7]} {invalid[7:]}"
    assert _ids(f"her OHIP {cued}") == [("HEALTH_PLAN_NUMBER", cued, "CA", "ohip")]


def _medicare(seed: int) -> str:
    rng = random.Random(seed)
    head = rng.choice("23456") + "".join(rng.choice("0123456789") for _ in range(7))
    check = sum(int(d) * w for d, w in zip(head, (1, 3, 7, 9, 1, 3, 7, 9), strict=True)) % 10
    return f"{head}{check}{rng.choice('123456789')}"


@pytest.mark.parametrize("seed", [12, 13, 14])
def test_an_australian_medicare_number_with_its_weighted_check_digit(seed: int) -> None:
    digits = _medicare(seed)
    printed = _spaced(digits, 4, 5, 1)
    assert validators.medicare_au_valid(digits)
    assert _ids(f"Medicare card {digits}")[0][1:] == (digits, "AU", "medicare_au")
    assert _ids(f"Her card {printed} is in the notes") == [
        ("HEALTH_PLAN_NUMBER", printed, "AU", "medicare_au")
    ]
    wrong = digits[:8] + str((int(digits[8]) + 1) % 10) + digits[9]
    assert _ids(f"Her card {_spaced(wrong, 4, 5, 1)} is in the notes") == []


def test_validators_reject_wrong_lengths_and_ranges() -> None:
    assert not validators.medicare_au_valid("7123456701")  # first digit 2-6
    assert not validators.medicare_au_valid("2123456700")  # issue number 0
    assert validators.medicare_au_valid("21234567011")  # with the individual reference number
    assert not validators.ohip_valid("0000000000")
    assert not validators.nhs_valid("123456789")


def test_a_medicare_mbi_carries_region_and_scheme() -> None:
    assert _ids("His MBI 1EG4-TE5-MK73 was wrong") == [("HEALTH_PLAN_NUMBER", "1EG4-TE5-MK73", "US", "mbi")]
