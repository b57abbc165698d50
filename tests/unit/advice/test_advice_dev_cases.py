"""Per-label precision/recall floors on the hand-written dev cases (tests/unit/advice/dev_cases)."""

from __future__ import annotations

import pytest
from advice_support import findings_for
from dev_eval import DEV_LABELS, load_cases, score
from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

FLOORS = {
    "unprofessional": (0.9, 0.85),
    "promotion": (0.9, 0.85),
    "disclaimer": (0.9, 0.85),
    "personal_advice": (0.9, 0.85),
    "solicitation": (0.9, 0.85),
}


@pytest.mark.parametrize("name", sorted(DEV_LABELS))
def test_dev_set_precision_and_recall(classifier: AdviceClassifier, name: str) -> None:
    cases = load_cases(name)
    assert sum(e for _, e in cases) >= 20 and sum(not e for _, e in cases) >= 20
    precision, recall, missed, false_pos = score(classifier, name)
    min_p, min_r = FLOORS[name]
    assert precision >= min_p, f"{name}: P={precision:.2f}, false positives {len(false_pos)}"
    assert recall >= min_r, f"{name}: R={recall:.2f}, missed {len(missed)}"


@pytest.mark.parametrize(
    "text",
    [
        "Guy in bed 4 smelled like a brewery lol",
        "Another frequent flyer faking chest pain",
        "These anti-vax parents are idiots",
        "Why are the ED nurses always so lazy about reassessing pain scores",
    ],
)
def test_plain_words_mockery_is_unprofessional(classifier: AdviceClassifier, text: str) -> None:
    assert findings_for(classifier, text, ContentLabel.UNPROFESSIONAL.value)


def test_brand_endorsement_without_code_is_promotion(classifier: AdviceClassifier) -> None:
    label = ContentLabel.UNDISCLOSED_PROMOTION.value
    text = "I've switched all my patients to BrandX collagen, link in bio"
    found = findings_for(classifier, text, label)
    assert found and "BrandX" in text[found[0].start : found[0].end]
    assert not findings_for(classifier, "#ad " + text, label)


@pytest.mark.parametrize(
    "text",
    [
        "Triamcinolone Topical Product twice daily should settle the rash; I recommend it.",
        "Read our new paper on probiotics in preterm infants (link in bio).",
        "Shout out to our MedStar team, the best nurses in the city!",
    ],
)
def test_generic_drugs_papers_and_team_posts_are_not_promotion(
    classifier: AdviceClassifier, text: str
) -> None:
    assert not findings_for(classifier, text, ContentLabel.UNDISCLOSED_PROMOTION.value)


@pytest.mark.parametrize(
    "text",
    [
        "We're hiring! Join our diabetes education team and help patients improve their lives.",
        "New study from our researchers links poor sleep to a higher risk of heart disease.",
        "Meet our new chief nursing officer, who led the sepsis program that helped reduce deaths by 30%.",
    ],
)
def test_news_hiring_and_team_posts_need_no_disclaimer(classifier: AdviceClassifier, text: str) -> None:
    assert not findings_for(classifier, text, ContentLabel.MISSING_DISCLAIMER.value)


def test_advice_inside_an_announcement_post_still_needs_a_disclaimer(classifier: AdviceClassifier) -> None:
    text = "Join us Saturday for our heart health fair! Drink less alcohol to lower your blood pressure."
    assert findings_for(classifier, text, ContentLabel.MISSING_DISCLAIMER.value)
