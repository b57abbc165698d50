"""PATIENT_SOLICITATION rules: inviting people to send symptoms, scans or results."""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.PATIENT_SOLICITATION.value

POSITIVES = [
    "DM me your symptoms and I'll tell you what to do.",
    "Post your scans below and I'll give you my take!",
    "Drop your x-rays in the comments for a free read.",
    "Send me a photo of the rash and I'll tell you if it's infected.",
    "Worried about a mole? Message me a picture of the mole.",
    "I'm happy to review your MRI, just send it over.",
    "Comment below with your symptoms and I'll reply.",
    "Got weird bloodwork? Share your labs with me.",
    "My DMs are open if you're worried about your rash.",
    "Comment below with your kid's symptoms and I'll help.",
]

NEGATIVES = [
    "Please don't post your scans or symptoms here; contact your care team.",
    "Never share your x-rays on social media.",
    "Send us your photos from the hospital 5k fun run!",
    "DM me if you want to join our journal club.",
    "Patients can message their care team through the patient portal.",
    "Share your story of recovery with our community magazine.",
    "Our radiology team reviewed 10,000 scans last year.",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_solicitation_is_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert found, f"expected {LABEL}"
    assert found[0].confidence >= 0.6
    assert "official channels" in found[0].suggestion


@pytest.mark.parametrize("text", NEGATIVES)
def test_non_solicitation_is_not_flagged(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_span_points_at_the_request(classifier):
    text = "Big week in clinic. DM me your symptoms!"
    (finding,) = findings_for(classifier, text, LABEL)
    assert text[finding.start : finding.end] == "DM me your symptoms"
