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


# Round 2 (issue 9): offers of second opinions and reviews, 'who wants X checked', private channels,
# email/inbox/forward requests, imperatives after a negated clause, and nouns that look like share verbs.
OFFERS_AND_PRIVATE_REQUESTS = [
    "I'm offering a few free second-opinion reviews of CT reports this month. "
    "Message me privately with your report and a short history.",
    "Any parents worried about their baby's cough at night, inbox me a video and "
    "I'll let you know if it needs seeing",
    "Pharmacist here offering medication reviews: send me a list of everything you "
    "take and I'll flag the interactions.",
    "ok who wants their rashes checked?? dm me close ups, bored on nights",
    "DMs open for anyone with long covid who wants me to look over their test results.",
    "share ur pelvic pain struggles w me privately, i read every message and reply with a personal plan",
    "Found a lump? Don't wait, DM me where it is and I'll triage you tonight.",
    "If someone in your family has a confusing discharge summary, forward it to me "
    "directly and I'll translate it.",
    "Not sure your scar is healing right after surgery? Send me a photo in a private "
    "message and I'll have a look.",
    "@mum_of_two kindly send your lab report on WhatsApp, I will review and revert with advice.",
    "GP of 15 years. Happy to review endoscopy or biopsy reports for anyone anxious. "
    "Confidential messages only.",
    "NP here, shoot me an email with your symptoms and current meds and I'll get back to you within a day.",
    "my DMs are a free clinic tonight. Symptoms, pics, meds list, whatever.",
]

NOT_SOLICITATION = [
    "@raj as per reports shared in comment your TSH is high, please see your GP.",
    "We're sorry to read this. We can't discuss anyone's care here, please send us a private message.",
    "@shaz sorry to hear that. Please DM us and our patient relations team will get in touch.",
    "Please don't send us photos of wounds or test results via Messenger, contact your GP practice.",
    "DMs open for questions about our nursing apprenticeship scheme",
    "Send us your questions for next week's menopause Q&A, general questions only, no personal details.",
    "stitch this with ur worst nursing school exam story",
    "Share your best night-shift snack in the comments",
    "Talk to me directly if you want to swap shifts this week.",
    "Who wants their flu jab done at work? Book via the staff portal.",
    "Never, ever DM me your scans.",
    "Please don't post your scans here - I can't look at them.",
    "our night shift is chaos and the ward is full of flu, shoot me now",
]


@pytest.mark.parametrize("text", OFFERS_AND_PRIVATE_REQUESTS)
def test_offers_and_private_requests_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL), f"expected {LABEL}"


@pytest.mark.parametrize("text", NOT_SOLICITATION)
def test_institution_replies_refusals_and_idioms_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


# Fresh wordings written after the rule changes, to check the mechanisms generalise.
MORE_SOLICITATION = [
    "Worried about your baby's poo colour? Pop a pic in my inbox and I'll tell you if it's normal.",
    "Got test results you don't understand? DM them to me and I'll explain them tonight.",
    "Ladies, if your smear came back abnormal, message me the report and I'll go through it with you.",
    "Physio here, happy to look at anyone's knee MRI for free this weekend, just DM.",
    "Send over your ECG strips and I'll read them for you, no charge.",
    "Comment your symptoms below and I'll tell you which specialist to see.",
    "Drop your HbA1c in the comments and I'll tell you if you need meds.",
    "Any runners with heel pain, WhatsApp me a video of your gait and I'll diagnose it.",
    "Dermatology nurse here, free skin checks via DM this week, send clear photos of any spots.",
    "If your child has a rash, email me a photo and I'll advise before you go to A&E.",
]

MORE_NOT_SOLICITATION = [
    "Please don't post your scans or results here, we can't advise on social media. Call 111.",
    "DM us for details of our free diabetes education class.",
    "Message me if you want to swap your Saturday shift.",
    "Comment below with your favourite nurse memory!",
    "Our ward team is happy to answer general questions at the open day, no personal medical advice.",
    "Email me your CV if you're interested in the band 5 post.",
    "Send your photos from the charity run to our comms team!",
    "We're sorry to hear about your experience. Please email our patient experience team with your details.",
]


@pytest.mark.parametrize("text", MORE_SOLICITATION)
def test_more_solicitation_wordings_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL), f"expected {LABEL}"


@pytest.mark.parametrize("text", MORE_NOT_SOLICITATION)
def test_more_non_solicitation_posts_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_a_private_channel_next_to_a_body_area_is_solicitation(classifier):
    assert findings_for(classifier, "tell me about ur bladder troubles w me privately, i reply to all", LABEL)
    assert findings_for(classifier, "Chat with me privately about swapping your Friday shift.", LABEL) == []
