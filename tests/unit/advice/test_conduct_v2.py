"""UNPROFESSIONAL v2 (issue 9): a target (identity group, profession, patient, body) plus a derogatory
predicate, threats, condemnation of reported speech; and POLITICS_OR_RANT from the same rule module.

Dev posts written for this file from the professional-conduct guidance (discriminatory language, political
rants, mocking patients); none comes from an evaluation set. Slurs stay ROT13-encoded, as in the lexicon.
"""

from __future__ import annotations

import codecs
from importlib import resources

import pytest
from advice_support import findings_for
from postguard.domain.advice.rules import conduct
from postguard.domain.advice.rules.data import PACKAGE
from postguard.domain.rule_data import RuleDataError, parse_rule_data
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

UNPRO = ContentLabel.UNPROFESSIONAL.value
RANT = ContentLabel.POLITICS_OR_RANT.value
SLUR = codecs.decode("cnxv", "rot13")

UNPROFESSIONAL = {
    "nationality": [
        "All the Bulgarian families on this unit think they can do whatever they like",
        "Albanian relatives always kicking off at the nurses' station, every single night",
        "Typical Lithuanian dads, can't be bothered to learn a word of English 🙄",
    ],
    "ethnicity": [
        "Asian families bring the whole clan and then moan about the chairs",
        "Black patients are so loud in the waiting room",
        f"Another ward full of {SLUR} families tonight",
    ],
    "religion": [
        "Jewish relatives always want special treatment, ugh",
        "Sikh families never listen to the visiting rules",
    ],
    "disability_and_age": [
        "Autistic kids are a nightmare, they never shut up",
        "Elderly patients are so entitled about their cups of tea",
        "These pensioners play the system for a free bed",
    ],
    "sexuality_gender_class": [
        "Lesbians on the ward are always so dramatic",
        "Women are hysterical about period pain",
        "Council-estate mums never have any manners",
    ],
    "substance_use": [
        "Alcoholics brought it on themselves so why should we care",
        "Another smackhead in resus, brilliant",
    ],
    "weight_and_body": [
        "400-pound guy wants a third pudding lol",
        "Obese lady demanding a bigger bed, shocker 🙄",
        "Fat patient couldn't fit through the door of the scanner 😂",
    ],
    "condition_mockery": [
        "Patient says his back pain is 10/10 while doing press-ups lol",
        "Dude swears he has a migraine but he's on his phone 😂",
    ],
    "profession": [
        "Useless pharmacists sat on the discharge meds all day",
        "Sonographers are so lazy on weekends",
        "Radiographers can't be bothered after 5pm",
        "Typical orthopods, a total zero on medicine 🙄",
    ],
    "threat": [
        "I'll punch the next relative who films me",
        "I'm gonna strangle him if he rings that bell again",
        "The registrar needs a good slap",
        "Next visitor who swears at my team is getting punched",
    ],
    "named_colleague_and_gender": [
        "Sister Jones is so useless on nights",
        "Female anaesthetists are too emotional for the emergency list",
        "Anti-vax parents deserve to get measles",
        "Our new Ghanaian doctor can barely be understood",
        "The sexy paramedic brought in the drunk from the bus station",
        "I will personally strangle whoever took my lunch",
    ],
    "own_misconduct": [
        "Hungover on shift again, don't tell matron lol",
        "Made up the obs for bay 4 because I was too tired",
        "If he rings once more I'll up his morphine so he sleeps 😉",
    ],
    "sexual_boundary": [
        "Hot dad in paeds resus today 🥵",
        "That pt is such a babe, bed bath time",
    ],
    "patient_slang_and_epithets": [
        "Another gorked gomer from the nursing home",
        "What a pillock, the locum sent the bloods to the wrong lab",
        "Patient genuinely asked if the X-ray could charge his phone 🤦",
        'Pt "intolerant" of every antibiotic except the nice-tasting one 🙄',
        "Our elderly patients are basically zombies after lunch",
        "Bay 2 is a zoo tonight, these animals won't stop shouting",
        "POV: the 28 stone patient asks for extra gravy 🐷",
        "That new HCA is as thick as they come",
        "Depressed pt wants a sick note again, just get a job mate",
    ],
}

NOT_UNPROFESSIONAL = [
    # clinical language about substances, weight and behaviour
    "Drug-seeking behaviour documented and discussed with the pain team",
    "BMI 45, bariatric pathway referral made today",
    "The obesity clinic has new evening slots for adults",
    "Obese patients deserve the same respect as everyone; weight stigma harms care",
    "Alcohol use disorder is treatable: ask about our liaison team",
    "Hereditary spastic paraplegia causes stiffness and weakness in the legs",
    "Medicare FFS claims data were used for the cohort",
    # condemnation of reported speech and quoted slurs
    f'A visitor called our porter a "{SLUR}" today. That is unacceptable and it was reported.',
    f"Someone shouted {SLUR} at our nurse on the car park. Racist abuse is never acceptable.",
    "Please stop calling patients 'frequent flyers', it is stigmatising language",
    "Terms like 'bed blocker' have no place in our notes",
    # misconduct reported by news or a regulator, not confessed; clinical "hot"
    "A nurse was struck off for charting obs she never took",
    "Our patient was hot to touch, so we started the sepsis bundle",
    "The baby in the neonatal unit is so cute 😍",
    # groups mentioned with praise or neutrally
    "The Filipino nurses always throw the best Christmas party ❤️",
    "Muslim families can use the multi-faith room on level 3",
    "Our interpreters cover Polish, Romanian and Punjabi",
    "Older adults are at higher risk of flu complications",
    "South Asian patients are at higher risk of diabetes, so always check HbA1c",
    "Black women are more likely to die in childbirth, and that has to change",
    "Our surgeons handle the most demanding cases in the region",
    "Obese patients face a demanding recovery after surgery",
    "Asylum seekers are entitled to free NHS care for urgent treatment",
    "The staffing crisis puts a huge burden on nurses",
    "Nurses need a thick skin in ED",
    "Polish patients can't speak English, so we offer free interpreters",
    "Patients with diabetes are not lazy, stop the stigma",
    "Refugees are not a burden on the NHS",
    "Refugees who trained here as doctors spoke at grand rounds",
    # jokes without a target, idioms, harmless words
    "Lol the printer ate my handover sheet again 😂",
    "I'm going to kill this exam tomorrow",
    "Going to hit the gym after nights",
    "Therapy dogs in room 4 today, these animals are the best",
    "The next patient is getting a CT scan",
    "Sister Jones is so kind to every family",
    "Huge thanks to the pharmacists for the stock check",
    "Physios are the heart of our rehab unit, thank you",
    "Patient with migraine felt better after the new protocol",
    'Pt described the pain as "sharp" and we started analgesia',
    "Fat intake matters less than total calories, says the new review",
]

POLITICS_OR_RANT = [
    "The Republicans are destroying Medicaid, vote them out",
    "Sunak is a disgrace and the Tories must go",
    "Vote for Trump, he will fix this country",
    "Sick of wokeness in the NHS",
    "#VoteLabour this Thursday everyone",
    "Reform voters are all racists",
    "Anyone voting Conservative clearly hates nurses",
    "The Lib Dems would ruin the NHS",
    "If you vote Tory you don't care about nurses",
    "The woke nonsense in medical school has to stop",
    "Worst trust in the country, can't wait to leave this dump",
    "Honestly so done with this place",
    "I hate this job some days",
    "Screw management, nobody listened to us",
    "This hospital is a total joke",
    "Admin can go to hell after what they did to our leave",
]

NOT_POLITICS_OR_RANT = [
    "Get your flu jab this autumn: walk-in clinics are open now",
    "Support the smoke-free bill: it protects children from tobacco",
    "Proud to back the Labour government's sugar tax as public health doctors",
    "The health secretary announced new funding for community pharmacy",
    "Reminder: staff on nights can apply for a postal vote before the election",
    "Vote for our ward in the patient choice awards!",
    "Tired after a long shift but proud of this team",
    "Our new manager started today, welcome!",
    "I quit smoking 10 years ago and never looked back",
    "So done with this winter weather",
    "We love the new Labour party health plan",
]


def _cases(groups: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(kind, text) for kind, texts in groups.items() for text in texts]


@pytest.mark.parametrize(("kind", "text"), _cases(UNPROFESSIONAL))
def test_disparagement_is_unprofessional(classifier, kind: str, text: str) -> None:
    found = findings_for(classifier, text, UNPRO)
    assert found, f"{kind}: expected {UNPRO}"
    assert max(f.confidence for f in found) >= 0.6
    assert not findings_for(classifier, text, RANT) or kind == "threat"


@pytest.mark.parametrize("text", NOT_UNPROFESSIONAL)
def test_clinical_condemning_and_harmless_posts_pass(classifier, text: str) -> None:
    assert findings_for(classifier, text, UNPRO) == []


@pytest.mark.parametrize("text", POLITICS_OR_RANT)
def test_partisan_politics_and_rants_are_politics_or_rant(classifier, text: str) -> None:
    found = findings_for(classifier, text, RANT)
    assert found
    finding = found[0]
    assert finding.detector == f"rules:{RANT}"
    assert finding.confidence >= 0.6
    assert finding.suggestion == conduct.POLITICS_SUGGESTION


@pytest.mark.parametrize("text", NOT_POLITICS_OR_RANT)
def test_health_advocacy_news_and_civic_posts_are_not_politics(classifier, text: str) -> None:
    assert findings_for(classifier, text, RANT) == []


def test_a_rant_is_not_unprofessional_but_a_curse_at_a_group_is(classifier) -> None:
    assert not findings_for(classifier, "Management can go to hell", UNPRO)
    assert findings_for(classifier, "Management can go to hell", RANT)
    text = "Romanian families can go to hell"
    assert findings_for(classifier, text, UNPRO)
    assert not findings_for(classifier, text, RANT)


def test_the_finding_covers_the_target_and_names_the_kind(classifier) -> None:
    text = "Honestly the Kurdish families on this ward never listen"
    (finding,) = findings_for(classifier, text, UNPRO)
    assert text[finding.start : finding.end] == "Kurdish families"
    assert finding.reason == conduct.REASONS["identity"]
    (threat,) = findings_for(classifier, "I'll slap the next pt who asks", UNPRO)
    assert threat.reason == conduct.REASONS["threat"]
    assert threat.confidence == conduct.CONFIDENCE["threat"]


def test_praise_cancels_an_eye_roll_generalisation_but_not_a_derogatory_one(classifier) -> None:
    assert not findings_for(classifier, "Ghanaian mums always bring the best food", UNPRO)
    assert findings_for(classifier, "Ghanaian mums always bring the best food and never listen", UNPRO)


def test_condemnation_needs_reported_speech_or_quotes(classifier) -> None:
    assert findings_for(classifier, "The porters are idiots. Unacceptable service.", UNPRO)
    assert not findings_for(classifier, 'He called the porters "idiots". Unacceptable.', UNPRO)


def test_a_body_word_needs_a_person_and_mocking_or_a_derogatory_predicate(classifier) -> None:
    assert not findings_for(classifier, "Massive thanks to the night team", UNPRO)
    assert not findings_for(classifier, "Obese patients are offered the bariatric pathway", UNPRO)
    assert findings_for(classifier, "Obese patients are so lazy", UNPRO)


def test_support_for_a_health_measure_is_advocacy_even_with_a_party_named(classifier) -> None:
    assert not findings_for(classifier, "Proud to support the Tories' smoke-free bill", RANT)
    assert findings_for(classifier, "Proud to support the Tories this election", RANT)
    assert findings_for(classifier, "The Tories' smoke-free bill is a disgrace, the Tories must go", RANT)


def test_a_broken_conduct_entry_names_its_file_and_line() -> None:
    text = resources.files(PACKAGE).joinpath("conduct.yaml").read_text(encoding="utf-8")
    broken = text.replace("example: the midwives on nights", "example: nothing to see here", 1)
    line = text[: text.index("example: the midwives on nights")].count("\n") + 1
    with pytest.raises(RuleDataError, match=rf"conduct\.yaml:{line}: the example of 'professions'"):
        parse_rule_data(broken, "conduct.yaml")
