"""Checksums and format rules that turn a digit pattern into a validated identifier."""

from __future__ import annotations

import ipaddress
import re

from stdnum.ca import bc_phn, sin
from stdnum.gb import nhs
from stdnum.in_ import aadhaar

_NON_DIGIT = re.compile(r"\D")


def digits_of(text: str) -> str:
    """Only the digits of ``text``."""
    return _NON_DIGIT.sub("", text)


def luhn_valid(number: str) -> bool:
    """Luhn (mod 10) check used by payment cards, IMEI and NPI."""
    digits = digits_of(number)
    if len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def ssn_valid(number: str) -> bool:
    """SSA rules: area not 000/666/9xx, group not 00, serial not 0000, not one repeated digit."""
    digits = digits_of(number)
    if len(digits) != 9 or len(set(digits)) == 1:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area[0] == "9":
        return False
    return group != "00" and serial != "0000"


def nanp_valid(number: str) -> bool:
    """North American Numbering Plan: NXX-NXX-XXXX with N in 2-9 and no N11 area code."""
    digits = digits_of(number)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        return False
    area, exchange = digits[:3], digits[3:6]
    if area[0] in "01" or exchange[0] in "01":
        return False
    return area[1:] != "11"


def npi_valid(number: str) -> bool:
    """US National Provider Identifier: 10 digits, Luhn over the ``80840`` prefix."""
    digits = digits_of(number)
    return len(digits) == 10 and digits[0] in "12" and luhn_valid("80840" + digits)


def dea_valid(number: str) -> bool:
    """DEA registration: two letters + 7 digits whose last digit is the weighted checksum."""
    value = number.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z9]\d{7}", value):
        return False
    d = [int(c) for c in value[2:]]
    check = (d[0] + d[2] + d[4]) + 2 * (d[1] + d[3] + d[5])
    return check % 10 == d[6]


_VIN_WEIGHTS = (*range(8, 1, -1), 10, 0, *range(9, 1, -1))
"""ISO 3779 check-digit weights by position: 8 down to 2, 10, 0 (the check digit itself), 9 down to 2."""
_VIN_VALUES = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}


def vin_valid(vin: str) -> bool:
    """17-character vehicle identification number with a valid check digit (position 9)."""
    value = vin.upper()
    if len(value) != 17 or any(c not in _VIN_VALUES for c in value):
        return False
    if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    total = sum(_VIN_VALUES[c] * w for c, w in zip(value, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return value[8] == ("X" if check == 10 else str(check))


def iban_valid(iban: str) -> bool:
    """ISO 13616 IBAN: country code, two check digits, and the whole number mod 97 == 1."""
    value = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", value):
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def ip_valid(candidate: str) -> bool:
    """True when ``candidate`` parses as an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def nhs_valid(number: str) -> bool:
    """UK NHS number (England, Wales, Isle of Man): 10 digits, mod-11 check digit (python-stdnum)."""
    return nhs.is_valid(digits_of(number))


def aadhaar_valid(number: str) -> bool:
    """Indian Aadhaar: 12 digits not starting with 0 or 1, Verhoeff check digit (python-stdnum)."""
    return aadhaar.is_valid(digits_of(number))


def sin_valid(number: str) -> bool:
    """Canadian Social Insurance Number: 9 digits, Luhn, first digit not 0 or 8 (python-stdnum)."""
    return sin.is_valid(digits_of(number))


def bc_phn_valid(number: str) -> bool:
    """British Columbia Personal Health Number: 10 digits starting with 9, mod-11 check (python-stdnum)."""
    return bc_phn.is_valid(digits_of(number))


def ohip_valid(number: str) -> bool:
    """Ontario health number: 10 digits (the version code letters aside) passing the Luhn check digit of
    the Ministry of Health's health card validation specification."""
    digits = digits_of(number)
    return len(digits) == 10 and digits[0] != "0" and luhn_valid(digits)


_MEDICARE_AU_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9)


def medicare_au_valid(number: str) -> bool:
    """Australian Medicare card number: 10 digits (plus an optional 11th, the individual reference
    number); the first digit 2-6, the ninth the weighted sum (1 3 7 9 1 3 7 9) of the first eight mod 10,
    the tenth (issue number) not 0."""
    digits = digits_of(number)
    if len(digits) not in (10, 11) or digits[0] not in "23456" or digits[9] == "0":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], _MEDICARE_AU_WEIGHTS, strict=True))
    return total % 10 == int(digits[8])
