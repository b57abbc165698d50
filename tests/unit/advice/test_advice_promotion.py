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


# Round 2 (issue 9): the poster's own shop or referral channel, bare capitals codes, product nouns of gear
# and study tools, and 'to book'-style verb uses that are no product.
SHOP_AND_CODE_POSTS = [
    "honestly the only clogs i wear on shift now, link in my bio, trust me",
    "The penlight I've carried since student days is linked in the description, grab it while it's on sale",
    "Thrilled to recommend StudyNest to every nursing student. Sign up with my link for two weeks free.",
    "Junior docs, if you're not using @ShiftPal yet, game changer. DRJAY gets you 2 months free.",
    "I've been taking this magnesium for a month and sleep like a baby. Message me to order, only a few left",
    "Post-shift skincare ft @dewlab, their new serum is unreal. Tap to shop",
    "DM me for a referral link and a discount on your first year of the platform.",
    "obsessed w these compression socks, linked in stories, NURSEAMY for 15%",
    "finally found scrubs that don't rip 😩 they're in my amazon storefront",
    "The exact thermometer I use at home is linked below, DRLISA for free shipping",
    "Shop with MIDWIFEJO10 for my fave stretch mark oil",
    "nursing students this is the flashcard app that got me through pharm, STUDYJO for a free week",
    "I send all my private clients to ScanWell for a yearly scan. Mention my name when you book.",
    "got my stethoscope from the link in my pinned tweet and so should u",
    "Resident haul: shoes, planner, pens, every link is below and the codes are in the pinned comment",
    "This is the car first aid kit I'd buy, it's in my TikTok shop",
]

NOT_SHOP_POSTS = [
    "#ad I've partnered with @softstep on their clogs, NURSEJO saves 10% (I earn commission).",
    "Everything I use on shift is linked below. These are affiliate links, so I earn a small commission.",
    "not sponsored: the cheap supermarket socks are just as comfy as the fancy ones",
    "Our new paper on night shift sleep is linked below.",
    "Our gift shop is open again, come and grab a coffee!",
    "Treated on the NHS for free, every time. Proud of our service.",
    "The clinic timetable is linked below, call us to book.",
    "Code BLUE for 10 minutes in ICU tonight, well done team.",
    "We had to order more gloves this week, thanks procurement.",
    "Tickets are on sale now for the hospital charity gala!",
    "Ask your pharmacist which shoes insoles suit you, this is general info only.",
]


@pytest.mark.parametrize("text", SHOP_AND_CODE_POSTS)
def test_shops_referrals_and_bare_codes_are_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert found and found[0].confidence >= 0.6


@pytest.mark.parametrize("text", NOT_SHOP_POSTS)
def test_disclosed_research_admin_and_verb_uses_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


# Fresh wordings written after the rule changes, to check the mechanisms generalise.
MORE_PROMOTION = [
    "Been using this hydration powder on every night shift, honestly can't work "
    "without it now. Code NIGHTOWL saves you 20%",
    "My favourite compression socks are back in stock!! link in bio babes",
    "Grab your own Littmann from my Amazon list, it's the one I've used for years",
    'Want glowing skin after 12h shifts? DM me "GLOW" and I\'ll send you my discount',
    "This planner got me through med school. Use NURSEKAT at checkout",
    "Every ICU nurse needs these scrub caps, get 15% off with my link",
    "I only recommend one brand of baby formula to my families, swipe up to grab it",
    "Honestly obsessed with @CalmCo sleep drops, they've changed my nights. Shop via the link in my stories",
    "Hospital managers, if you're not using RotaFlow you're wasting money. Book a "
    "demo through me and get 2 months free",
    "Doctor-approved collagen gummies, order through my website and get free delivery",
]

MORE_NOT_PROMOTION = [
    "Our hospital charity shop on level 2 is open weekdays, all proceeds go to the children's ward.",
    "Huge thanks to @BakeryCo for donating treats to night staff!",
    "Read our new guideline on inhaler technique, link in bio.",
    "Ad: I'm a paid partner of ScrubLife. Their new range is comfy, code NURSE10 saves 10%.",
    "Our pharmacy team can help you plan your repeat prescriptions, call us to book.",
    "Congrats to the resus team on passing their audit!",
    "We use the NEWS2 score on every ward; training slides linked below.",
    "Vote for our midwives in the national awards, link in bio!",
    "Use NEWS2 on every patient, it saves lives. Training is free this month.",
    "Our staff gym has a free week for new starters, just show your badge.",
]


@pytest.mark.parametrize("text", MORE_PROMOTION)
def test_more_promotion_wordings_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL), f"expected {LABEL}"


@pytest.mark.parametrize("text", MORE_NOT_PROMOTION)
def test_more_non_promotion_posts_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


# Own platform shops, referrals, profile links; institution offers and local shops are not promotion.
THIRD_PROMOTION = [
    "Colleagues, I've started recommending NutriMax protein shakes to all my "
    "bariatric patients. You can get them cheaper through the link in my profile.",
    "Can't recommend these blue light glasses enough for night shift, grab a pair using my code SHIFTY",
    "anyone else obsessed with the new Hydroflask? mine was 30% off on their site this week, go go go",
    "Best pens for charting, hands down. Affordable too, get them from my Etsy shop 🖊️",
    "Use my referral and we both get a free month of the CPD app 🙌",
    "Honest review: this thermometer is the only one I trust. Order now before it sells out!",
]

THIRD_NOT_PROMOTION = [
    "Our charity shop on level 1 has 20% off all books this week, proceeds to the cancer unit.",
    "Read our latest audit report via the link in our profile.",
    "The CPD portal is free for all staff, log in with your NHS account.",
    "We're recruiting, apply through the link in bio!",
    "My honest review of nursing school: hard, worth it, drink water.",
    "Got my scrubs from my local shop, bargain.",
]


@pytest.mark.parametrize("text", THIRD_PROMOTION)
def test_own_shops_and_referrals_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL), f"expected {LABEL}"


@pytest.mark.parametrize("text", THIRD_NOT_PROMOTION)
def test_institution_offers_and_local_shops_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []
