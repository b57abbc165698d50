"""UNSUPPORTED_CLAIM rules: absolute, miracle and anti-vaccine claims; sourced claims pass."""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.UNSUPPORTED_CLAIM.value

POSITIVES = [
    "This supplement cures anxiety, 100% guaranteed!",
    "Turmeric cures arthritis. No need for pills.",
    "Our new protocol is 100% effective against migraines.",
    "This vaccine reduces hospitalisation by 90%.",
    "Vaccines cause autism, do your research.",
    "The MMR jab is linked to autism in boys.",
    "Say no to the jab, natural immunity is better.",
    "This tea detoxes your liver and melts belly fat. Doctors hate it!",
    "Clinically proven to lower blood pressure in two weeks.",
    "This cream has no side effects and is completely safe for everyone with eczema.",
    "Alkaline water cures cancer.",
    "Intermittent fasting reverses diabetes.",
    "Drink 8 glasses of water a day to flush toxins from your kidneys!",
]

NEGATIVES = [
    # cites a source
    "This vaccine reduces hospitalisation by 90% (NEJM 2021, link).",
    "Statins lower LDL cholesterol by about 30% according to a Cochrane review.",
    "New data from the CDC: the flu vaccine cuts hospital admissions by 40%.",
    "Clinically proven to lower blood pressure: https://doi.org/10.1000/xyz123",
    # negated or debunked
    "There is no cure for the common cold, so rest and drink fluids.",
    "Vaccines do not cause autism.",
    "Debunking the myth that vaccines cause autism.",
    "No treatment is 100% effective, so keep your follow-up appointments.",
    # noun use of cure
    "We are one step closer to a cure for sickle cell disease.",
    # not a health claim
    "Our cafeteria's new menu is 100% guaranteed to make you smile.",
    "Cured meats are a treat at our staff barbecue.",
    "There is no treatment that has been proven to be beneficial for this rash.",
    "Researchers seek ways to treat, prevent and ultimately cure lupus.",
    "Healthy diet may reverse aging, study finds https://example.org/study",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_unsupported_claim_is_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert found, f"expected {LABEL}"
    assert found[0].confidence >= 0.6


@pytest.mark.parametrize("text", NEGATIVES)
def test_sourced_negated_or_non_health_claims_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_antivax_claim_is_not_excused_by_a_link(classifier):
    found = findings_for(classifier, "Vaccines cause autism, read this: https://example.org/truth", LABEL)
    assert found and found[0].confidence >= 0.9


def test_unsourced_quantified_claim_is_less_confident_than_absolute_claim(classifier):
    (quantified,) = findings_for(classifier, "This vaccine reduces hospitalisation by 90%.", LABEL)
    (absolute,) = findings_for(classifier, "Our new protocol is 100% effective against migraines.", LABEL)
    assert quantified.confidence < absolute.confidence


def test_cure_claim_span_covers_subject_and_ailment(classifier):
    text = "Ivermectin cures COVID. Wake up people."
    (finding,) = findings_for(classifier, text, LABEL)
    assert text[finding.start : finding.end] == "Ivermectin cures COVID"
