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


@pytest.mark.parametrize(
    "text",
    [
        # a reply word or a colon around the handle opens a reply
        "duet with @mara: hun your toddler's cough is croup, steam in the bathroom and calpol at night",
        "Great question @theo: stop the ibuprofen and rest that wrist for a week.",
        # replies framed by the question they answer, and first-person recommendations
        "Re your question about your dad: in his case I'd decline the extra chemo cycle.",
        "To the commenter with the sore hip: you should be icing it and cutting back the running.",
        "Thanks for posting your bloods. Given what you wrote, I'd come off the HRT for now.",
        # a verdict with a word before it, and telling one person to skip care
        "@lee that's a classic tension headache mate, nothing more.",
        "@ana that sounds like reflux to me. you're fine, don't bother with the GP.",
        "@rory with your history I'd give the flu jab a miss this year",
    ],
)
def test_replies_in_other_wordings_are_personal_advice(classifier, text):
    assert findings_for(classifier, text, ADVICE)


@pytest.mark.parametrize(
    "text",
    [
        # an invitation to send symptoms privately is solicitation, not advice given
        "drop your rash pics in my inbox and i'll tell you what it is",
        # a refusal and a referral in other wordings
        "@kit I can't diagnose anyone over Instagram, please get that rash checked by your own doctor",
        "@kit I'd never give you a dose online, ring your pharmacy instead",
        # a tip with a dose to every reader is education (it needs a disclaimer instead)
        "Period pain? Start ibuprofen 400mg the day before and take it with food.",
    ],
)
def test_solicitations_refusals_and_broadcast_tips_are_not_personal_advice(classifier, text):
    assert findings_for(classifier, text, ADVICE) == []


def test_a_broadcast_dose_tip_needs_a_disclaimer_not_a_personal_advice_finding(classifier):
    text = "Take 2 tablets of ibuprofen every 6 hours for the pain."
    assert findings_for(classifier, text, ADVICE) == []
    assert findings_for(classifier, text, DISCLAIMER)
