"""UNDISCLOSED_PROMOTION rules: codes, affiliate links and product pushing need a disclosure."""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.UNDISCLOSED_PROMOTION.value

POSITIVES = [
    "Use code SAVE20 for 20% off my favourite protein powder!",
    "My go-to vitamin D: https://amzn.to/3xYzAbC",
    "Grab these probiotics at https://shop.example.com/p?ref=drsam",
    "Discount code DRJO15 works on their whole collagen range.",
    "I swear by this magnesium supplement from @VitaCo, link in bio.",
    "Save 30% on the sleep tracker I use, shop now.",
]

NEGATIVES = [
    # disclosed
    "#ad I partnered with VitaCo - use code SAVE20 for 20% off their vitamins.",
    "Paid partnership with @VitaCo: my favourite protein powder, code DRJO15.",
    "My go-to vitamin D (affiliate link): https://amzn.to/3xYzAbC",
    "Disclosure: I am a paid consultant for SleepCo. Their tracker is 25% off this week.",
    "I'm a paid advisor for NovaHealth: their new sleep tracker is 20% off with code NOVA20.",
    # not promotion
    "Code blue in the cafeteria today, great teamwork everyone.",
    "Link in bio for our full study summary.",
    "Flu shots are available at all of our clinics this week.",
    "Register now for our free community health fair!",
    "100 possible Ebola cases reported, but all save 1 are ruled out.",
    "Staff appreciation week: 20% off scrubs at our hospital gift shop, use code THANKYOU.",
    "Try these 5 stretches to ease desk-job back pain: https://example.org/stretches",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_undisclosed_promotion_is_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert found, f"expected {LABEL}"
    assert found[0].confidence >= 0.6
    assert "#ad" in found[0].suggestion


@pytest.mark.parametrize("text", NEGATIVES)
def test_disclosed_or_non_commercial_posts_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_disclosure_anywhere_clears_the_post(classifier):
    text = "Use code SAVE20 for 20% off. Loving these vitamins! #sponsored"
    assert findings_for(classifier, text, LABEL) == []
    assert findings_for(classifier, text.replace(" #sponsored", ""), LABEL)
