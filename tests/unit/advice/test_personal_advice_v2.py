"""PERSONAL_ADVICE (issue 9 part 4): answering one person versus general education.

Dev examples written for this file; none come from the gold or hold-out sets.
"""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.advice.rules import personal_advice as pa
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

ADVICE = ContentLabel.PERSONAL_ADVICE.value
DISCLAIMER = ContentLabel.MISSING_DISCLAIMER.value


@pytest.mark.parametrize(
    "text",
    [
        "@jo 400mg is fine, just not on an empty stomach.",
        "@jo in your case the usual dose is 500mg twice a day.",
        "@ben for a toddler his size, 5ml of Calpol every 6 hours.",
        "In your case 20mg at night would be my choice.",
    ],
)
def test_a_dose_told_to_one_person_is_personal_advice(classifier, text):
    (finding,) = findings_for(classifier, text, ADVICE)
    assert finding.confidence == pa.REPLY_DOSE_CONFIDENCE
    assert finding.reason == pa.REASON_DOSE


@pytest.mark.parametrize(
    "text",
    [
        # dose figures framed as general information, even in a reply
        "@jo generally adults take 1000mg paracetamol up to four times a day.",
        "@jo the usual adult dose on the packet is 2 tablets every 4 hours.",
        # numbers that are not doses, a referral alongside
        "@jo we ran 5k in 30 minutes today!",
        "@jo the leaflet says 2 tablets every 4 hours, check with your pharmacist.",
        # a tip to every reader naming 'your <symptom>' with no dose, drug or modal
        "Cut down on salt to lower your blood pressure.",
    ],
)
def test_general_information_is_not_personal_advice(classifier, text):
    assert findings_for(classifier, text, ADVICE) == []


def test_general_dose_information_gets_the_disclaimer_finding_instead(classifier):
    text = "@jo generally adults take 1000mg paracetamol up to four times a day."
    assert findings_for(classifier, text, DISCLAIMER)
    assert findings_for(classifier, text, ADVICE) == []
