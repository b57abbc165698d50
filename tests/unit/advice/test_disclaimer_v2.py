"""MISSING_DISCLAIMER v2 (issue 9 part 4): only health information a reader could act on, never on news,
events, hiring, awards, research, thank-yous or posts already held for another content label.

Dev examples written for this file from the issue text and the guidance; none come from the gold or
hold-out sets.
"""

from __future__ import annotations

import pytest
from advice_support import findings_for, make_post
from postguard.domain.advice.rules import disclaimer
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.MISSING_DISCLAIMER.value

ACTIONABLE = [
    # imperative + health topic, also after a lead word or a colon
    "Hot weather tip: drink water regularly and avoid the midday sun to prevent heat exhaustion.",
    "Quick reminder - wear sunscreen even on cloudy days.",
    "How to treat a minor burn: cool it under running water for 20 minutes.",
    "Don't skip your flu vaccine this year.",
    # dose or schedule instructions
    "Children can have paracetamol every 4 to 6 hours, no more than 4 doses in 24 hours.",
    "Vitamin D: 10 mcg a day is enough for most adults in winter.",
    # symptom guidance
    "Know the signs of sepsis: fever, fast breathing and confusion.",
    "When to worry about a headache: sudden severe pain or a stiff neck.",
    # a modal with the reader or a group as its subject, effects of a behaviour
    "Teenagers need 8 to 10 hours of sleep a night.",
    "Cutting down on salt is one of the easiest ways to lower your blood pressure.",
]

NOT_ACTIONABLE = [
    # a disclaimer in another wording, or the guidance's referral to the reader's own clinician
    "Drink water on hot days. This isn't medical advice.",
    "Keep your bedroom cool and dark to sleep better. If it keeps happening, talk to your GP.",
    "Eating oily fish twice a week helps protect your heart. Check with your doctor first.",
    # news, research, hiring, awards, events, thank-yous
    "New study finds regular exercise lowers the risk of dementia, our researchers report.",
    "Our paper on salt and blood pressure is out today. Proud of the team!",
    "We're hiring healthcare assistants to help patients with heart failure.",
    "Congratulations to our diabetes team on the national award for reducing hypos!",
    "Register now for our webinar on preventing falls in older adults.",
    "Thank you to our volunteers who helped 500 people get their flu vaccine this weekend.",
    "Our new heart centre opens Monday and will help reduce waiting times.",
    # the author, not the reader, is the subject; facts with nothing to act on
    "After three night shifts all I need is sleep and a big breakfast.",
    "We should all celebrate our amazing ICU team today!",
    "Heart disease is the leading cause of death worldwide.",
    "Visiting hours on the children's ward are 9am to 7pm daily.",
    "@sam_h thanks for the follow! We share health tips and hospital news here.",
]


@pytest.mark.parametrize("text", ACTIONABLE)
def test_actionable_health_information_needs_a_disclaimer(classifier, text):
    (finding,) = findings_for(classifier, text, LABEL)
    assert finding.confidence >= disclaimer.ONE_SENTENCE_CONFIDENCE
    assert finding.suggestion == disclaimer.SUGGESTION


@pytest.mark.parametrize("text", NOT_ACTIONABLE)
def test_no_disclaimer_needed(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("@sam in your case I would skip the surgery, push for physio.", ContentLabel.PERSONAL_ADVICE),
        ("DM me your symptoms and I'll tell you what to take.", ContentLabel.PATIENT_SOLICITATION),
        ("This supplement cures anxiety, 100% guaranteed!", ContentLabel.UNSUPPORTED_CLAIM),
    ],
)
def test_a_held_post_without_a_dose_gets_no_disclaimer_finding(classifier, text, other):
    labels = {f.label for f in classifier.classify(make_post(text))}
    assert other.value in labels and LABEL not in labels


def test_an_instruction_of_its_own_in_an_event_post_still_needs_one(classifier):
    event = "Join us Saturday for free blood pressure checks!"
    assert findings_for(classifier, event + " Blood pressure can be lowered by less salt.", LABEL) == []
    text = event + " Cut down on salt to lower your blood pressure."
    (finding,) = findings_for(classifier, text, LABEL)
    assert text[finding.start : finding.end].startswith("Cut down on salt")


def test_several_actionable_sentences_raise_the_confidence(classifier):
    text = "Drink water before every run. Stretch your calves afterwards to avoid cramp."
    (finding,) = findings_for(classifier, text, LABEL)
    assert finding.confidence == disclaimer.SEVERAL_SENTENCES_CONFIDENCE


FIRST_AID_STEPS = [
    # a step after a comma, 'and', an emoji or a question opening the tip
    "Nosebleed? Lean forward and pinch the soft part of your nose for ten minutes.",
    "Sprained ankle 🧊 raise it on a pillow and ice it twice a day.",
    "Bee sting? scrape it out with a bank card, then wash the skin and rest.",
    # how long or how often a step lasts, with the health topic in the sentence
    "Tummy bug at home: tiny sips of rehydration drink every few mins.",
    "Sunburned shoulders: cool showers and aloe for 48h.",
]

NOT_FIRST_AID = [
    # a negated effect or advice cue; a helpline; an opening notice; a modal after a health word
    "New review: zinc does not prevent colds in most adults.",
    "Three night shifts and two hours of sleep. Would not recommend.",
    "Struggling with your mood this winter? Samaritans are there day and night.",
    "The staff flu jab clinic is open by the main entrance all week 💉 protect yourself",
    "Psychiatry is busy this winter. Managers need to listen to the rota complaints.",
]


@pytest.mark.parametrize("text", FIRST_AID_STEPS)
def test_first_aid_steps_inside_a_sentence_need_a_disclaimer(classifier, text):
    (finding,) = findings_for(classifier, text, LABEL)
    assert finding.confidence >= disclaimer.ONE_SENTENCE_CONFIDENCE


@pytest.mark.parametrize("text", NOT_FIRST_AID)
def test_negated_cues_helplines_and_notices_need_no_disclaimer(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_a_held_post_with_a_dose_gets_the_finding_unless_the_data_switch_is_off(classifier, monkeypatch):
    text = "@sam take naproxen 500mg twice a day with food for a week."
    assert findings_for(classifier, text, ContentLabel.PERSONAL_ADVICE.value)
    assert findings_for(classifier, text, LABEL)
    assert findings_for(classifier, "@sam that sounds like gout, poor you.", LABEL) == []
    monkeypatch.setattr(disclaimer, "DOSE_ON_HELD_POSTS", False)
    assert findings_for(classifier, text, LABEL) == []


@pytest.mark.parametrize(
    "text",
    [
        "Sore throat? Gargle warm salt water 4x a day and suck a lozenge.",
        "Hay fever: 2 sprays in each nostril once daily from March.",
        "Period pain? Two ibuprofen with food and a hot water bottle.",
        "Hangover cure: 3-5g of electrolytes in a litre of water.",
    ],
)
def test_numbered_doses_and_frequencies_in_everyday_words_need_a_disclaimer(classifier, text):
    assert findings_for(classifier, text, LABEL)


@pytest.mark.parametrize(
    "text",
    [
        "Sore throat? Gargle warm salt water 4x a day. We can't give individual medical advice here.",
        "Period pain? Two ibuprofen with food. Check w ur pharmacist first if u take other meds.",
        "Hay fever: 2 sprays each nostril daily, and discuss the right spray with your own GP.",
        "Drink plenty of fluids with a cold. This page does not offer personal medical advice.",
    ],
)
def test_a_refusal_to_advise_or_a_referral_in_any_register_is_a_disclaimer(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_a_number_of_people_is_not_a_dose(classifier):
    text = "Two nurses and 3 doctors joined our vaccine clinic today."
    assert findings_for(classifier, text, LABEL) == []


@pytest.mark.parametrize(
    "text",
    [
        "Teething toddler? Cold flannel to chew on, and always check the gel is sugar free.",
        "Heartburn at night? Sleeping on two pillows usually does the trick for reflux.",
    ],
)
def test_a_step_after_a_lead_word_or_an_effect_in_plain_words_needs_a_disclaimer(classifier, text):
    assert findings_for(classifier, text, LABEL)


@pytest.mark.parametrize(
    "text",
    [
        "Stiff neck from the laptop? Shoulder rolls x15 and chin tucks 3x10, morning and night.",
        "After a run, 3 sets of 12 slow squats for a sore knee, and a calf stretch 30 seconds each side.",
        "Never crush slow-release tablets, swallow them whole with water.",
        "Reduce salt to under 6g a day if your blood pressure is creeping up.",
    ],
)
def test_exercise_reps_and_more_health_imperatives_need_a_disclaimer(classifier, text):
    assert findings_for(classifier, text, LABEL)


@pytest.mark.parametrize(
    "text",
    [
        "Our physio team ran 3 sets of 5k laps for charity today, well done all.",
        "Reduce, reuse, recycle: the green team's new bins are by the canteen.",
    ],
)
def test_reps_and_imperatives_without_a_health_topic_need_none(classifier, text):
    assert findings_for(classifier, text, LABEL) == []
