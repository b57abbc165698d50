"""MISSING_DISCLAIMER rules: health education needs a not-medical-advice statement or a referral."""

from __future__ import annotations

import pytest
from advice_support import findings_for, make_post
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.MISSING_DISCLAIMER.value

POSITIVES = [
    "Eating more fiber can help lower cholesterol. Aim for 25 g a day.",
    "Adults should get 150 minutes of exercise a week.",
    "5 tips to sleep better: keep a schedule, limit caffeine, avoid screens before bed.",
    "Did you know? Sunscreen every day helps prevent skin cancer.",
    "Statins lower cholesterol. Take yours at the same time every evening.",
    "Drink 8 glasses of water a day to protect your kidneys!",
    "Kids need 9-12 hours of sleep. Screens off an hour before bed helps.",
]

NEGATIVES = [
    # disclaimer or referral present
    "Eating more fiber can help lower cholesterol. This is general information, not medical advice.",
    "Adults should get 150 minutes of exercise a week. Talk to your doctor before starting a new routine.",
    "Tips to sleep better: limit caffeine and avoid screens. #NotMedicalAdvice",
    "Sunscreen helps prevent skin cancer (for educational purposes only).",
    # not health education
    "Congratulations to our nursing team on their award!",
    "Our new cardiology wing opens Monday.",
    "Join us for a free blood pressure check at the community fair on Saturday.",
    "Thank you to everyone who came to the staff barbecue.",
    "Get some sleep tonight, team. You earned it!",
    "Stop by our booth for a free blood pressure check!",
]

CLEAN_EDUCATION_POST = (
    "Heart health tip: adults should aim for 150 minutes of moderate exercise a week, which helps lower "
    "blood pressure (WHO guidelines). General information only, not medical advice - talk to your own "
    "clinician about what is right for you."
)


@pytest.mark.parametrize("text", POSITIVES)
def test_missing_disclaimer_is_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert len(found) == 1
    assert 0.5 <= found[0].confidence <= 0.8
    assert "not medical advice" in found[0].suggestion


@pytest.mark.parametrize("text", NEGATIVES)
def test_disclaimer_present_or_not_education(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_span_is_the_health_advice_sentence(classifier):
    text = "Happy Monday, team! Eating more fiber can help lower cholesterol."
    (finding,) = findings_for(classifier, text, LABEL)
    assert text[finding.start : finding.end] == "Eating more fiber can help lower cholesterol."


def test_clean_education_post_with_disclaimer_has_no_findings_at_all(classifier):
    assert classifier.classify(make_post(CLEAN_EDUCATION_POST)) == []
