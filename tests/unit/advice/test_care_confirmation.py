"""CARE_CONFIRMATION: a reply or thank-you that confirms an identifiable person was a patient here.

Dev examples written for this file from the issue text and the guidance (thank without confirming care,
move the conversation to a private channel); none come from the gold or hold-out sets.
"""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.advice.rules import care_confirmation as cc
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.CARE_CONFIRMATION.value

LINKED = [
    # a reply to a review that places the care on a ward or team
    "Thanks for your kind words about your stay on our cardiac ward!",
    "Sorry your visit to our ED was disappointing, we've looked at your notes and will be in touch.",
    "Wishing you a speedy recovery after your surgery with us.",
    "@jen_r so glad your knee replacement went well, the team loved having you here!",
    "Hi Priya, thanks for the lovely review of your delivery on our maternity unit.",
    # a thank-you or well-wish to a named person or family
    "Thank you to the Garcia family. It was a privilege to care for your dad.",
    "Wishing Mr Patel a speedy recovery after his surgery with us.",
    "Congratulations on your new baby! It was a joy to care for you on our maternity unit.",
    # care given by the institution's staff, and seeing someone back on a ward
    "Replying to @sam: our nurses loved looking after you, take care!",
    "Great to see you back on the ward, Tom!",
    "@kay_b thank you for trusting us with your care, the whole team is cheering you on.",
    "Dear patient, thank you for taking the time to review your experience with our A&E team.",
    "@lou.p so sorry the wait in our emergency department was so long when you came in on Sunday.",
    "Thank you for the beautiful card. Our midwives loved being part of your baby's birth.",
    "@lily_r so glad you're home! Our stroke team said you were a star during rehab with us.",
    "@carlos_m thanks for the shout-out! So happy the maternity team made your labour less scary.",
]

WEAK_OR_HERE = [
    "Thanks so much for the kind review, Alan. We're thrilled your cataract op went so well.",
]

HERE = [
    "@mark_t we're sorry to hear about the wait during your admission last week.",
    "@rosie we're so sorry your stay was noisy, that is not the experience we want for anyone.",
    "Dear Mrs Lowe, thank you for your letter, we're glad your discharge went smoothly.",
    "Looking forward to seeing you at your follow-up next week!",
]

NEGATIVES = [
    # the guidance's recommended reply: thanks that confirm nothing
    "Thank you for your kind words!",
    "@jo thank you for your kind words about our team, we'll pass them on.",
    "@jo we're sorry to hear this. Please contact Patient Relations on 555-0100 so we can look into it.",
    # general statements about services, broadcast 'you'
    "Our cardiac ward cares for over 2,000 patients a year.",
    "Planning your stay? Here's what to bring to hospital.",
    "Ask your care team about flu shots.",
    "Looking after your mental health this winter: take breaks and talk to someone.",
    # staff thanking colleagues
    "Thank you @nurse_amy for your care and compassion on nights.",
    "Happy retirement to our theatre colleague Jan, thank you for your care of our patients.",
    "Welcome back Dr Shah! Great to see you back on the ward.",
    "Congrats @DrKim on your 1000th robotic surgery!",
    # hypotheses, refusals, bookings
    "If you stayed with us recently, tell us how we did in our survey.",
    "@jo we can't discuss your care on social media, please call Patient Relations.",
    "@jo you can book your appointment online at our website.",
    "Thanks for your visit to our booth at the health fair!",
    "@jo you can share your experience with our patient experience team by email.",
    "@mo_ali great question! Our website explains what to bring for your appointment.",
    "@jo during chemo, eat small meals and rest when you can.",
    # notices to many people, a GP surgery
    "We apologise to everyone whose appointment was moved because of the strike.",
    "We're sorry for the disruption to your appointment this week, we will call you to rebook.",
    "We hope you're keeping cool. If you feel unwell, your GP surgery or pharmacy can help.",
    # a consented patient story is for the identifier rules
    "With her consent, we share Maria's story: after her surgery with us she ran a marathon.",
]


@pytest.mark.parametrize("text", LINKED)
def test_care_tied_to_the_institution_is_confirmed(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert len(found) == 1
    assert found[0].confidence == cc.LINKED_CONFIDENCE
    assert found[0].suggestion == cc.SUGGESTION


@pytest.mark.parametrize("text", HERE)
def test_a_stay_or_admission_confirms_care_here(classifier, text):
    (finding,) = findings_for(classifier, text, LABEL)
    assert finding.confidence == cc.HERE_CONFIDENCE


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_care_confirmed(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


@pytest.mark.parametrize("text", WEAK_OR_HERE)
def test_thanks_for_a_message_in_any_wording_make_a_reply(classifier, text):
    assert findings_for(classifier, text, LABEL)
    assert findings_for(classifier, text.replace("the kind review", "the coffee"), LABEL) == []


def test_surgery_with_no_tie_to_the_institution_is_weak(classifier):
    (finding,) = findings_for(classifier, "@sam so sorry to hear about your surgery, get well soon!", LABEL)
    assert finding.confidence == cc.WEAK_CONFIDENCE < 0.6  # under the default policy's bar


def test_reason_names_the_addressee_and_the_care_cue_and_never_quotes_the_post(classifier):
    text = "@jen_r so sorry your visit to our ED was a long one."
    (finding,) = findings_for(classifier, text, LABEL)
    assert "@handle" in finding.reason and "ward, team or staff of this institution" in finding.reason
    for words in ("jen_r", "long one", "your visit", "our ED"):
        assert words not in finding.reason
    assert text[finding.start : finding.end] == "your visit"


def test_the_addressee_matters_not_the_care_words(classifier):
    broadcast = "Your stay on our cardiac ward should be restful: quiet hours start at 10pm."
    assert findings_for(classifier, broadcast, LABEL) == []
    assert findings_for(classifier, "@ben " + broadcast, LABEL)


def test_a_refusal_cancels_only_what_follows_it(classifier):
    refused = "@jo we can't comment on your treatment here."
    assert findings_for(classifier, refused, LABEL) == []
    confirmed = "@jo your treatment on our ward was delayed and we can't comment further."
    assert findings_for(classifier, confirmed, LABEL)


def test_third_person_care_counts_only_for_a_named_addressee(classifier):
    assert findings_for(classifier, "Thank you to the Okafor family, his surgery with us went well.", LABEL)
    assert findings_for(classifier, "@jo his surgery with us went well.", LABEL) == []


def test_one_finding_per_confirming_sentence(classifier):
    text = "@ana thanks for your review. Your stay on our ward sounded tough. Glad your surgery went well!"
    found = findings_for(classifier, text, LABEL)
    assert len(found) == 2
    assert {text[f.start : f.end] for f in found} == {"Your stay", "your surgery"}


ACTED_ON = [
    # a wait, a delivery, a team's help, a family member's care in the third person
    "@kim_r we're sorry your wait in our children's A&E was so long last night.",
    "Thank you for the lovely rating! Our midwives were thrilled to help deliver your son.",
    "@dev_p thanks for the kind words! Glad the stroke team got you walking again",
    "Hi, we're so sorry your daughter had to wait hours for her plaster cast.",
    "We're sorry. Your mum deserved better from our team while she was with us.",
    # an answer to the person's own review names the procedure it thanks them for
    "Thanks for your feedback about your recent endoscopy. We have shared it with the team.",
    # welcomes back, next visits, discharges, third-person stories next to a handle
    "@lou_b lovely to have you back for your annual check!",
    "@priya_m welcome back to the diabetes clinic, see you at your next appointment",
    "Congratulations @nat_and_ollie, your twins are finally heading home, we'll miss them on the unit",
    "Proud to run alongside @sam_k, who was rushed into our ED two years ago.",
    "@big_al what a legend of a patient, the ward is quiet without you",
]

NOT_CONFIRMED = [
    "Great to see so many of you at the open day, see you next year!",
    "Thanks for the five stars! Reviews like this make our day.",
    "We're sorry to everyone whose appointment was cancelled by the strike.",
    "@jo_b thanks! our nurses are finally heading home after a long night on the unit",
]


@pytest.mark.parametrize("text", ACTED_ON)
def test_care_in_other_wordings_is_confirmed_at_the_policy_bar(classifier, text):
    (finding,) = findings_for(classifier, text, LABEL)
    assert finding.confidence >= cc.HERE_CONFIDENCE > cc.WEAK_CONFIDENCE


@pytest.mark.parametrize("text", NOT_CONFIRMED)
def test_visits_staff_and_notices_confirm_no_care(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_an_answer_to_a_reviewer_that_names_a_colleague_still_confirms_care(classifier):
    text = (
        "Thank you for your kind words about your stay on our renal ward. "
        "We'll pass them on to Sister Adeyemi and the team."
    )
    assert findings_for(classifier, text, LABEL)


def test_a_post_about_a_colleague_still_confirms_nothing(classifier):
    text = "Welcome back Dr Osei! We missed you on the renal ward, hope your knee surgery went well."
    assert findings_for(classifier, text, LABEL) == []
