"""Checksums and numbering rules behind the structured recognizers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from postguard.domain.identifiers import validators as v

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("func", "value", "ok"),
    [
        (v.luhn_valid, "4111 1111 1111 1111", True),
        (v.luhn_valid, "4111 1111 1111 1112", False),
        (v.ssn_valid, "219-09-9999", True),
        (v.ssn_valid, "000-12-3456", False),
        (v.ssn_valid, "666-12-3456", False),
        (v.ssn_valid, "912-34-5678", False),
        (v.ssn_valid, "123-00-4567", False),
        (v.ssn_valid, "123-45-0000", False),
        (v.ssn_valid, "111-11-1111", False),
        (v.nanp_valid, "(617) 555-0123", True),
        (v.nanp_valid, "+1 617 555 0123", True),
        (v.nanp_valid, "123-456-7890", False),
        (v.nanp_valid, "617-155-0123", False),
        (v.nanp_valid, "911-555-0123", False),
        (v.npi_valid, "1234567893", True),
        (v.npi_valid, "1234567890", False),
        (v.dea_valid, "AB1234563", True),
        (v.dea_valid, "AB1234564", False),
        (v.vin_valid, "1HGCM82633A004352", True),
        (v.vin_valid, "1HGCM82633A004353", False),
        (v.ip_valid, "192.168.0.1", True),
        (v.ip_valid, "2001:db8::1", True),
        (v.ip_valid, "256.1.1.1", False),
        (v.ip_valid, "12:30:45", False),
    ],
)
def test_validator(func: Callable[[str], bool], value: str, ok: bool) -> None:
    assert func(value) is ok
