"""Indian PAN (Permanent Account Number) after its cue, reported as SSN with region IN, scheme pan
(national_id.yaml ``pan``; structure checked by python-stdnum, the check letter is unpublished)."""

from __future__ import annotations

import pytest
from identifier_support import findings

pytestmark = pytest.mark.unit


def _pans(text: str) -> list[tuple[str, str, str | None]]:
    return [
        (text[f.start : f.end], f.label, f.attribute("scheme"))
        for f in findings(text)
        if f.attribute("scheme") == "pan"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Patient left her PAN card (ABCPE1234F) at the front desk",
        "pan no: abcpe1234f, please shred the photocopy",
        "His Permanent Account Number is AAAPL1234C for the billing form",
        "PAN - BNZCP9081K",
    ],
)
def test_a_pan_after_its_cue_is_a_national_id(text: str) -> None:
    [(span, label, scheme)] = _pans(text)
    assert label == "SSN" and scheme == "pan"
    assert span.upper() in text.upper() and len(span) == 10


@pytest.mark.parametrize(
    "text",
    [
        "Use voucher ABCPE1234F at the canteen",  # the shape without a cue
        "PAN ABCXE1234F",  # X is no holder type
        "PAN card AAAPL0000C",  # serial 0000 is never issued
        "Grab a pan, then batch ABCPE1234F goes in the oven",  # 'pan' the word
    ],
)
def test_not_a_pan(text: str) -> None:
    assert _pans(text) == []
