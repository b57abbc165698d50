"""PERSONAL_ADVICE rules: advice aimed at one person vs general education."""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.PERSONAL_ADVICE.value

POSITIVES = [
    "You should take 40 mg of atorvastatin every night.",
    "In your case I would stop the metformin.",
    "Your rash sounds like shingles.",
    "Sounds like you have strep, honestly.",
    "You probably have a UTI from what you describe.",
    "@jane_d honestly just double your sertraline dose tonight",
    "If I were you I would stop taking the prednisone.",
    "Given your history you need to increase the insulin to 20 units.",
    "You can take 1000mg of paracetamol with it, that's fine.",
    "Don't stop your antibiotics, you should finish the amoxicillin.",
    "That's probably just eczema, you should try hydrocortisone cream on your rash.",
    "If you have a fever, take 1000 mg paracetamol every 6 hours.",
    # hedged diagnoses and a clinician's own prescription
    "Based on your symptoms, it's possible that you have pityriasis rosea.",
    "It seems that you may have mastoiditis.",
    "From what you describe, I suspect you have a vocal cord polyp.",
    "I recommend trying meclizine for the vertigo.",
    "I will prescribe you a short course of modafinil.",
]

NEGATIVES = [
    # general education, generic subjects
    "Adults should get 150 minutes of exercise a week.",
    "People with diabetes should check their feet every day.",
    "Patients on warfarin should avoid sudden changes in vitamin K intake.",
    "Children under 12 should not be given aspirin.",
    # generic conditional without a dose
    "If you have diabetes, you should check your feet daily.",
    "If you have chest pain, call 911.",
    # referral is the recommended redirect, not personal advice
    "Talk to your doctor before you stop any medication.",
    "Never stop your meds without talking to your doctor first.",
    # preventive public-health messaging
    "You should get your flu shot this fall!",
    "Remember to book your mammogram screening.",
    # no medical content
    "You should come to our open day on Saturday!",
    "I would love to see you all at the gala.",
    "Looks like flu season is here early this year.",
    # health-news headlines and hedges that are not about the reader
    "Lower Risk for Bowel Obstruction With Less Invasive Surgery: Study",
    "Your ears may be older than you think. Take this test to find out.",
    "Before you take a pill, try lifestyle changes to improve your sleep.",
    "You may have heard that statins cause muscle pain.",
    "You could have high blood pressure and not know it.",
    "If you are experiencing chest pain, call 911.",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_personal_advice_is_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert found, f"expected {LABEL}"
    finding = found[0]
    assert 0.6 <= finding.confidence <= 1.0
    assert finding.detector == f"rules:{LABEL}"
    assert finding.end > finding.start
    assert "clinician" in finding.suggestion


@pytest.mark.parametrize("text", NEGATIVES)
def test_general_education_is_not_personal_advice(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_span_covers_the_advice_not_the_whole_post(classifier):
    text = "Great question from a follower today! You should take 40 mg of atorvastatin every night."
    (finding,) = findings_for(classifier, text, LABEL)
    covered = text[finding.start : finding.end]
    assert covered.startswith("You should take 40 mg")
    assert "atorvastatin" in covered
    assert "Great question" not in covered


def test_dose_advice_is_more_confident_than_symptom_advice(classifier):
    (dose,) = findings_for(classifier, "You should take 40 mg of atorvastatin.", LABEL)
    (symptom,) = findings_for(classifier, "You should rest your sore ankle and keep it up.", LABEL)
    assert dose.confidence > symptom.confidence
