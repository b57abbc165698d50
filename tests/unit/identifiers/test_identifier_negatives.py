"""Hard negatives: credited colleagues, public-health dates, guideline ages and clean education posts."""

from __future__ import annotations

import pytest
from identifier_support import findings, labelled

pytestmark = pytest.mark.unit

CLEAN_POSTS: list[str] = [
    # public-health dates and observances are not care dates
    "World Heart Day is September 29. Know your numbers!",
    "The 2024 flu season is here; get your flu shot today at any pharmacy.",
    "Join our webinar on 3/14 at 7pm about asthma action plans.",
    "Grand rounds next Tuesday at 8am: sepsis bundles in 2025.",
    "Breast Cancer Awareness Month runs through October 31.",
    # guideline ages describe populations, not patients
    "Adults aged 50 and over should be screened for colorectal cancer.",
    "Children under 5 years old need their vaccines on schedule.",
    "People 65 years old and older should get the pneumococcal vaccine.",
    "Screening is recommended for ages 45-75.",
    # clean education posts
    "Stroke signs: face drooping, arm weakness, speech difficulty. Time to call 911. Not medical advice.",
    "Take 1/2 tablet only if your doctor says so; 2/3 of adults never need it. We're here 24/7.",
    "Blood pressure under 120/80 is normal. Aim for 150 minutes of activity a week.",
    "Presenting our research in Chicago at ACC next week!",
    "Texas and California lead the country in new nursing graduates.",
    "Sit more, and you are more likely to be disabled after age 60, a new study finds.",
    "50 years after the Surgeon General's warning, smokers still light up.",
    "Common hospital infection lengthens patient stays, says the report.",
    "Why should you care about the Child Nutrition Act? Our dietitian explains.",
    "In case you missed it yesterday: five tips on engaging the public.",
    "We meet at 10, he said, and the bus leaves at 45 past.",
    "On the last Sunday before Labor Day we returned by helicopter.",
    "Birth control options explained by our pharmacist this week.",
    "Walk-in flu shots today in clinic, no appointment needed!",
    "Great case conference about our patient. Next session: March 12 at noon.",
    "Patient Safety Week: our patient Experience team shares tips.",
    "Level 1 trauma center. BMI 30, A1c 7.2%. Take 2 tabs 3x/day. ICD-10 I21.4",
    "Handwashing cuts infections. Evidence: Smith et al. 2019. #InfectionControl",
]


@pytest.mark.parametrize("text", CLEAN_POSTS)
def test_clean_post_has_no_identifier(text: str) -> None:
    assert labelled(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Thanks to Dr. Patel for the great talk on heart failure!",
        "Shoutout to @nurse_jane for organising the CPR day.",
        "Congrats to Dr. Kim and Nurse Jackson on their award.",
        "Kudos to Anna Lee for running the simulation lab.",
        "Welcome Prof. Alvarez to our cardiology team.",
    ],
)
def test_credited_colleague_is_not_a_patient_name(text: str) -> None:
    people = [f for f in findings(text) if f.label == "PERSON"]
    assert people and {f.attribute("role") for f in people} == {"staff"}


def test_a_credited_name_is_not_the_emergency_department() -> None:
    text = "Thanks to Ed for the great talk yesterday!"
    assert labelled(text) == {("PERSON", "Ed")}
    assert [f.attribute("role") for f in findings(text)] == ["staff"]


def test_credited_person_with_lay_honorific_is_kept_at_low_confidence() -> None:
    # "thanks to Mr. X for sharing his story" may well be a patient: kept, but not confidently
    text = "Thanks to Mr. Lopez for letting us share his story."
    people = [f for f in findings(text) if f.label == "PERSON"]
    assert [text[f.start : f.end] for f in people] == ["Lopez"]
    assert people[0].confidence < 0.5


def test_a_floor_alone_does_not_make_a_date_about_care() -> None:
    text = "Our new 24-bed unit opens on the 3rd floor in June!"
    assert labelled(text) == {("FACILITY", "3rd floor")}


def test_care_date_and_public_date_in_one_post() -> None:
    text = "World Heart Day is September 29. My patient was admitted 9/12 with heart failure."
    assert labelled(text) == {("DATE", "9/12")}


@pytest.mark.parametrize(
    "text",
    [
        "Ebola Patient Dies In German Hospital After Long Fight",
        "Florida Hospital Workers Who Treated MERS Patient Also Ill",
        "Second Baby Cleared Of HIV, Rare Event Or Hope For Others?",
        "Whole-Body CT Scans Can Miss Traumatic Injuries: Study",
    ],
)
def test_headline_capitals_are_not_names(text: str) -> None:
    found = findings(text)
    assert [f for f in found if f.label == "PERSON"] == []
    assert all(f.confidence <= 0.4 for f in found if f.label == "FACILITY")


def test_shared_mailbox_is_low_confidence_and_personal_address_is_not() -> None:
    text = "Questions? Email press@example-hospital.org or maria.lopez@gmail.com"
    by_text = {text[f.start : f.end]: f.confidence for f in findings(text)}
    assert by_text == {"press@example-hospital.org": 0.4, "maria.lopez@gmail.com": 0.95}


def test_toll_free_hotline_is_low_confidence() -> None:
    text = "Crisis line: call 1-800-273-8255 any time."
    (phone,) = findings(text)
    assert (phone.label, text[phone.start : phone.end], phone.confidence) == ("PHONE", "1-800-273-8255", 0.4)
