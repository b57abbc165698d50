"""UNPROFESSIONAL and POLITICS_OR_RANT, round 2 (issue 9): word classes instead of listed strings
(contempt for professions and visitors, blame framing, sweeping generalisations, verdict sentences,
calls to vote, venting and job grievances with sarcasm), and the conduct rule reading negation,
reported speech, quotation and condemnation from the shared context component.

Every post here was written for this file from general knowledge of how staff write; none comes from an
evaluation or development set.
"""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

UNPRO = ContentLabel.UNPROFESSIONAL.value
RANT = ContentLabel.POLITICS_OR_RANT.value

UNPROFESSIONAL = [
    # blame framing, in the writer's own voice
    "Honestly the drunk uni students in majors tonight deserve every bit of that hangover, zero sympathy",
    "Another overdose who thinks the ED is a hotel. Brought it on himself, frankly",
    # visitors and relatives with a derogatory predicate after them
    "The whole extended family decided to crowd the bedside again and then got stroppy when asked to leave",
    # professions belittled
    "Radiographers are basically button pushers with a superiority complex",
    "Oh look, the anaesthetists have decided to grace us with their presence. Legends in their own minds.",
    "ICU nurses act like they're better than the rest of us. Get over yourselves.",
    "Sonographers are just overpaid camera operators",
    "Dermatology isn't real medicine, it's moisturiser with a waiting list",
    # verdict sentence after a group mention
    "Polish lads in the waiting room again, every weekend without fail. Typical.",
    "Romanian families bringing the whole street to visit. Every. Single. Time.",
    # identity groups with contempt or a mock marker
    "Pensioners clogging up resus with their nonsense again",
    "The bipolar guy in cubicle 3 doing his TED talk again 😂",
    # generalised targets
    "Lazy, the lot of them",
    # threats without a listed verb
    "Whoever keeps nicking my yoghurt from the staff fridge, I'll be waiting in the car park",
    # insults
    "@locum_dave you're a glorified prescription printer mate",
    # a second batch, written after the first changes and scored once before the next
    "Gen Z nurses can't handle a single busy shift without needing a wellbeing day",
    "Vaping teens in paeds acting like they're the first kids ever to feel breathless. Yeah right.",
    'That frequent attender with the "chest pain" is back, wonder what the excuse is today 🙄',
    "Agency HCAs just stand around on their phones the whole shift",
    "Why do Irish relatives always need to bring a crate of cans to a deathbed",
    "Surgeons genuinely think the ward is their personal butler service",
    "GPs sending everything to A&E because they can't be bothered examining anyone",
    "People who come in pissed and fall over should pay for their own stitches",
]

NOT_UNPROFESSIONAL = [
    "Patients who overdose deserve compassion; our liaison team is available 24/7.",
    "Addiction is an illness and nobody brought it on themselves.",
    "Obese patients deserve the same respect as everyone; weight stigma harms care",
    "Our elderly patients love the new garden, thank you to the volunteers",
    "Congratulations to our physios on the fantastic falls prevention results!",
    "Pharmacists can now prescribe for seven common conditions under Pharmacy First.",
    "Migrants are entitled to urgent care in the NHS regardless of status.",
    "Autistic patients can ask for a quiet room in the waiting area.",
    "Some of our colleagues from overseas shared food from home at the staff party, delicious!",
    "Relatives are welcome on the ward from 11am to 8pm.",
    # negated predicates: a negation right before it cancels it, one further back in the sentence does not
    "Our porters are not lazy, they cover three floors each on nights",
    # someone else's words, rejected by the post (shared context: reported, quoted, condemned)
    'A relative called one of our HCAs a "useless cow" today. That is unacceptable and we reported it.',
    "Please stop calling patients 'bed blockers', it is stigmatising.",
    "Gen Z nurses joining us this September, welcome to the team!",
    "Vaping in teenagers is rising; here is how to talk to your kids about it.",
    "If you've been to A&E three times this month with chest pain, please see your GP for a follow-up plan.",
    "Our HCAs are the backbone of this ward, thank you for everything you do",
    "Irish dancing club visited the children's ward today, the kids loved it",
    "Our surgeons ran a free hernia clinic on Saturday, thank you all.",
    "Immigration status does not affect your right to emergency care.",
    "Our nurses are just brilliant!",
]

POLITICS_OR_RANT = [
    "Tories have gutted this service and every one of them should be out on their ear. Vote them out.",
    "Anyone who votes Conservative after what they did to the NHS is part of the problem",
    "Voting Labour is the only option for anyone who works in healthcare",
    "Proud to canvass for my local Lib Dem candidate this weekend! Every vote counts",
    "Vote No. 1 for the Greens on Friday",
    "Third night shift in a row, no break, no dinner, no thanks. Why do I keep doing this",
    "I'm so burned out I cried in the sluice today. Nobody in management even noticed.",
    "Unpaid overtime AGAIN. absolutely love working for free 🙃",
    "Our trust spends millions on consultants and can't fix the car park. What a circus.",
    "Honestly thinking of leaving nursing altogether, I've had enough of being treated like dirt",
    "my rota this month is a crime against humanity. thanks leadership 🙃",
    "Done. Utterly done. Fourteen years in this job and I'm running on fumes.",
    'Another "exciting restructure" email from HR. Can\'t wait to do three jobs for one salary 🙄',
    "If you're a nurse and you vote Republican you are voting against yourself",
    "Starmer has betrayed every nurse in the country. Never voting for him again.",
    "Told I can't have annual leave for my own wedding. Brilliant. Just brilliant.",
    "Another 13 hour shift without a wee break. This is not sustainable and I am so tired of pretending.",
    "Literally crying in my car before my shift again. This job is destroying me.",
    'Management cancelled our break room to make a "wellbeing hub". You could not make it up 🤡',
]

NOT_POLITICS_OR_RANT = [
    "Feeling burnt out? Our staff wellbeing hub has free sessions every Tuesday.",
    "If you ever feel burnt out, please talk to your line manager or occupational health.",
    "We're voting for our ward in the Nursing Times awards, please vote for us too!",
    "Postal votes for the union ballot close on Friday.",
    "The labour ward is moving to the new building on Monday.",
    "The health secretary announced a new funding package for dentistry today.",
    "Rota requests for December are due by Friday, thanks everyone.",
    "Our night shift team worked incredibly hard, no breaks, and we are so proud of them.",
    "Remember to vote in the staff awards by Friday!",
    "Polling day is Thursday: staff on nights can apply for a postal vote.",
    "Annual leave requests for summer open on Monday.",
    "Tired of the same old salads? Try our canteen's new menu this week.",
    "Taking a break matters: here are three tips for a proper rest on a long shift.",
    "The current model of care is not sustainable, says the report.",
    "Reform of the NHS funding formula was debated in parliament today.",
]


@pytest.mark.parametrize("text", UNPROFESSIONAL)
def test_word_classes_catch_disparagement(classifier, text: str) -> None:
    assert findings_for(classifier, text, UNPRO), text


@pytest.mark.parametrize("text", NOT_UNPROFESSIONAL)
def test_respectful_negated_and_rejected_posts_pass(classifier, text: str) -> None:
    assert findings_for(classifier, text, UNPRO) == []


@pytest.mark.parametrize("text", POLITICS_OR_RANT)
def test_votes_vents_and_grievances_are_politics_or_rant(classifier, text: str) -> None:
    assert findings_for(classifier, text, RANT), text


@pytest.mark.parametrize("text", NOT_POLITICS_OR_RANT)
def test_wellbeing_awards_and_notices_are_not_politics_or_rant(classifier, text: str) -> None:
    assert findings_for(classifier, text, RANT) == []


def test_negation_further_back_does_not_cancel_a_second_predicate(classifier) -> None:
    """The shared component's negation reaches six tokens; a derogatory predicate counts as negated only
    when the negation ends right before it ('not lazy'), not across a coordination."""
    text = "These Latvian families can't follow one rule and expect us to run around after them"
    assert findings_for(classifier, text, UNPRO)


def test_verdict_needs_a_short_sentence(classifier) -> None:
    """'Typical.' after a group mention carries exasperation; a long next sentence with 'typical' in it is
    about something else."""
    short = "Polish dads in the family room again. Typical."
    long = (
        "Polish dads in the family room again. It is typical for the family room to be busy at weekends,"
        " so please book a slot with the nurse in charge."
    )
    assert findings_for(classifier, short, UNPRO)
    assert findings_for(classifier, long, UNPRO) == []


def test_reported_abuse_without_condemnation_still_counts(classifier) -> None:
    """Quotation marks alone do not excuse a slur-free insult the writer repeats approvingly."""
    assert findings_for(classifier, 'the gomer in bay 4 is a "frequent flyer" lol', UNPRO)


CONTEMPT_FOR_THOSE_IN_CHARGE = [
    "The chancellor's budget is a farce and this government should be ashamed of what it did to GPs.",
    "Our premier cut three rural maternity units and calls it reform. Absolute clown.",
    "Every senator who blocked the nurse staffing bill has blood on their hands.",
    "The CEO got a bonus while we went without a pay rise. Shameful.",
    "senior management lied to us about the restructure, i'm done being polite",
    "Management told us breaks are optional now. Pathetic.",
]

NEUTRAL_ABOUT_THOSE_IN_CHARGE = [
    "The health minister opened the new dialysis unit today and met our renal team.",
    "Parliament debates the assisted dying bill this week; our ethics team has written a briefing.",
    "Our CEO joined the night shift walkround and listened to the team's ideas.",
    "Pain management after knee surgery: the physio team is running a useful webinar.",
    "The government has published its new vaccine schedule for infants.",
]


@pytest.mark.parametrize("text", CONTEMPT_FOR_THOSE_IN_CHARGE)
def test_contempt_for_an_office_or_a_boss_is_politics_or_rant(classifier, text: str) -> None:
    assert findings_for(classifier, text, RANT), text


@pytest.mark.parametrize("text", NEUTRAL_ABOUT_THOSE_IN_CHARGE)
def test_neutral_mentions_of_offices_and_bosses_are_not(classifier, text: str) -> None:
    assert findings_for(classifier, text, RANT) == []
