"""Checksums and format rules that turn a digit pattern into a validated identifier."""

from __future__ import annotations

import ipaddress
import re

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
