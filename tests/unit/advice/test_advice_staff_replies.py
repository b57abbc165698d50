"""PERSONAL_ADVICE and PATIENT_SOLICITATION on posts written the way clinicians answer followers."""

from __future__ import annotations

import pytest
from advice_support import findings_for
from dev_eval import DEV_DIR, score
from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

ADVICE = ContentLabel.PERSONAL_ADVICE.value
SOLICITATION = ContentLabel.PATIENT_SOLICITATION.value


@pytest.mark.parametrize("name", ["personal_advice", "solicitation"])
def test_holdout_precision_and_recall_floor(classifier: AdviceClassifier, name: str) -> None:
    """Regression floor on the hold-out cases (unseen scores at the time are in the commit history)."""
    precision, recall, missed, false_pos = score(classifier, name, DEV_DIR / "holdout")
    assert precision >= 0.9, f"{name}: false positives {len(false_pos)}"
    assert recall >= 0.8, f"{name}: missed {len(missed)}"


@pytest.mark.parametrize(
    "text",
    [
        "@jen with that rash I'd stop the cream and take 10mg cetirizine at night",
        "@nina since you're already on warfarin, skip the aspirin",
        "@rob that mole you showed me looks benign, nothing to worry about",
        "Replying to @kelly: no, don't stop the sertraline cold turkey, taper down over two weeks",
        "For the mom who messaged me: your son's rash is just eczema, use Vaseline twice a day.",
        "Sarah, from what you described you have a classic migraine, take 50mg sumatriptan right away.",
        "@ty honestly you can skip your flu shot this year",
    ],
)
def test_answers_to_one_follower_are_personal_advice(classifier: AdviceClassifier, text: str) -> None:
    assert findings_for(classifier, text, ADVICE)


@pytest.mark.parametrize(
    "text",
    [
        "@jen sorry to hear you're unwell! We can't give medical advice here, please contact your doctor.",
        "@carla so sorry she's sick! Please call your pediatrician or our 24/7 nurse line.",
        "Tom, thank you for 30 years of service to our hospital!",
        "Honestly, your health matters: adults should get a flu shot every year.",
        "Never stop an antidepressant suddenly without talking to your prescriber first.",
        "@ty get your flu shot at any of our clinics this week!",
    ],
)
def test_referrals_refusals_and_thanks_are_not_personal_advice(
    classifier: AdviceClassifier, text: str
) -> None:
    assert not findings_for(classifier, text, ADVICE)


def test_reply_with_a_named_drug_survives_a_tacked_on_referral(classifier: AdviceClassifier) -> None:
    text = "Saw your comment Ken, your BP is too high, double your lisinopril until you see your doctor."
    found = findings_for(classifier, text, ADVICE)
    assert found and "lisinopril" in text[found[0].start : found[0].end]


@pytest.mark.parametrize(
    "text",
    [
        "Stitch this with your symptoms and I'll tell you what I think it is",
        "Got a weird rash? Drop a photo in the comments and I'll take a look",
        "Worried about your thyroid? DM me your TSH and I'll tell you if it's normal",
        "Message me your semen analysis and I'll explain your fertility chances",
        "Tell me where it hurts in the comments and I'll guess what's wrong",
        "Happy to review anyone's CT results, just send them over",
    ],
)
def test_invitations_to_send_personal_health_details(classifier: AdviceClassifier, text: str) -> None:
    assert findings_for(classifier, text, SOLICITATION)


@pytest.mark.parametrize(
    "text",
    [
        "Our inbox is open for media inquiries about the new cancer center.",
        "Comment with your favourite healthy recipe and I'll share the best ones!",
        "Tell us in the comments what you love about our nurses!",
        "DM me and I'll send you the link to our diabetes education class.",
        "I can't diagnose anyone online, so please don't DM me your scans. See your own doctor.",
    ],
)
def test_engagement_and_refusals_are_not_solicitation(classifier: AdviceClassifier, text: str) -> None:
    assert not findings_for(classifier, text, SOLICITATION)


def test_solicitation_span_covers_the_ask_and_the_promise(classifier: AdviceClassifier) -> None:
    text = "Big week. Message me your semen analysis and I'll explain your fertility chances"
    found = findings_for(classifier, text, SOLICITATION)
    assert found
    covered = text[found[0].start : found[0].end]
    assert covered.startswith("Message me") and "explain" in covered
