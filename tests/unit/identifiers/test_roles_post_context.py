"""A name with no role cue is a patient-side name only in a post about patient care (``roles``):
elsewhere it is kept under the policy bar. The team's own examples (varied names and phrasing)."""

from __future__ import annotations

import pytest
from identifier_support import detector, post
from postguard.domain.identifiers.roles import UNKNOWN
from test_roles import with_ner

pytestmark = pytest.mark.unit

NO_CARE = 0.35


def names(text: str, *ner: str) -> dict[str, tuple[str, float]]:
    """``{name: (role, confidence)}`` of the PERSON findings (``ner``: names the fake model tags)."""
    found = (with_ner(*ner) if ner else detector()).detect(post(text))
    return {text[f.start : f.end]: (f.attribute("role"), f.confidence) for f in found if f.label == "PERSON"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Brunch with Ingrid and the girls after nights, bliss.", "Ingrid"),
        ("Rewatching the Lakshya Sen final from last year, what a player.", "Lakshya Sen"),
        ("Pizza with Fenella and the girls after the pub quiz, finally.", "Fenella"),
        ("Bongani made the best jollof for our potluck.", "Bongani"),
    ],
)
def test_an_unknown_name_in_a_post_without_care_is_kept_under_the_bar(text: str, name: str) -> None:
    role, confidence = names(text, name)[name]
    assert role == UNKNOWN and confidence == NO_CARE


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a care word elsewhere in the post, an age, a bed number, a diagnosis word, a patient's stay
        ("Thinking of Ingrid today. The ward was so quiet after she was discharged.", "Ingrid"),
        ("Remembering Caoimhe tonight. She was 9 years old.", "Caoimhe"),
        ("Thinking about Mr. Oyelaran. Bed 14 feels empty now.", "Oyelaran"),
        ("Grateful for Henrike, who smiled through every round of chemo.", "Henrike"),
        ("We will miss Tavita, who taught us so much during her stay.", "Tavita"),
    ],
)
def test_an_unknown_name_in_a_care_post_stays_a_patient_side_name(text: str, name: str) -> None:
    role, confidence = names(text, name)[name]
    assert role != "staff" and role != "public" and confidence >= 0.5


def test_a_name_after_a_lay_honorific_stays_a_patient_side_name_without_care() -> None:
    # staff write a patient's name with an honorific: no care word needed
    assert names("So lovely to see Mrs. Abernethy smiling again.")["Abernethy"][1] >= 0.5


def test_a_story_word_or_a_care_tied_date_makes_it_a_care_post() -> None:
    assert names("Lachlan is finally out of rehab and back at school!", "Lachlan")["Lachlan"][1] == 0.8
    text = "Thinking of Ngaio, admitted on 14/03/2025 and still fighting."
    assert names(text, "Ngaio")["Ngaio"][1] >= 0.5


def test_a_finding_elsewhere_in_the_post_makes_it_a_care_post() -> None:
    # the rules find an age with no care word: the model's name keeps its confidence
    text = "Thinking of Rohan. Only 4 yo and so brave."
    assert names(text, "Rohan")["Rohan"][1] == 0.8


def test_a_care_word_in_a_job_title_is_not_a_patient_cue() -> None:
    text = "Congratulations to Ilse Brandt on her promotion to ward manager!"
    role, _ = names(text, "Ilse Brandt")["Ilse Brandt"]
    assert role == "staff"


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        # a credited name that did the care work is a colleague's; one that received care a patient's
        ("Massive thanks to Oyelowo for helping with a tricky admission at 3am", "Oyelowo", "staff"),
        ("Kudos to Brigid for covering my bay of septic patients", "Brigid", "staff"),
        ("Thanks to Hamza for being so calm through every dressing change on the ward", "Hamza", "patient"),
    ],
)
def test_a_work_verb_before_care_makes_a_credited_name_staff(text: str, name: str, role: str) -> None:
    assert names(text, name)[name][0] == role


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        # a credit whose only care cue is a workplace, a name coordinated with the poster or crediting them
        ("Big shoutout to Mairead for a brilliant night on the ward", "Mairead", "staff"),
        ("Welcome back Kemi, ICU was not the same without you!", "Kemi", "staff"),
        ("Parveen and I admitted seven patients before 2am", "Parveen", "staff"),
        ("Ruaidhri taught me how to manage a septic patient on my first week", "Ruaidhri", "staff"),
        # ... but a patient cue beyond the place, or a relative of the name, keeps it a patient's
        ("Thank you Oskar for letting us care for you on the ward", "Oskar", "patient"),
        ("Tiegan's dad brought the whole ward doughnuts to say thanks", "Tiegan", "patient"),
    ],
)
def test_workplaces_and_colleague_phrases_decide_a_credited_name(text: str, name: str, role: str) -> None:
    assert names(text, name)[name][0] == role


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Happy retirement Oonagh, 38 years on the children's ward!", "Oonagh", "staff"),  # a career, no age
        ("Cassius from physio is why half our patients walk out of here", "Cassius", "staff"),
        ("Ottilie, 38, was admitted with a clot", "Ottilie", "patient"),
    ],
)
def test_years_of_service_are_no_age_and_a_department_is_a_colleague(text: str, name: str, role: str) -> None:
    assert names(text, name)[name][0] == role
