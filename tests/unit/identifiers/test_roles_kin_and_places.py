"""Whose name (``roles``, ``recognizers/person``): family words without a possessive, a bed number
before or after a name, a home town after it, "the X family", a name repeated in a post, a credential
that is really a room number, and elders' honorifics. The team's own texts (varied names and places).
Names the fake NER tags are given per case; rule-found names need none."""

from __future__ import annotations

import pytest
from identifier_support import post
from postguard.domain.identifiers.roles import ACCOUNT, PATIENT, RELATIVE, STAFF
from test_roles import with_ner
from test_roles_post_context import names

pytestmark = pytest.mark.unit

PATIENT_SIDE = {PATIENT, RELATIVE, "unknown"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Pt 17F, seen in resus. Mother Siobhan on her way from work.", "Siobhan"),
        ("post-op day 1, obs stable, wife Ngozi staying overnight", "Ngozi"),
        ("Lovely chat with your dad Eamon this morning, he's doing great", "Eamon"),
        ("NOK: son Radoslaw, phone in notes", "Radoslaw"),
        ("Kwabena went home today and his daddy Kofi carried him out like a trophy", "Kofi"),
    ],
)
def test_a_bare_family_word_before_a_name_finds_a_relative(text: str, name: str) -> None:
    role, confidence = names(text)[name]
    assert role == RELATIVE and confidence >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Mother Nature is showing off on the drive in to the ward today",
        "my son Oliver says hi to everyone on nights 💙",
    ],
)
def test_no_relative_for_a_dictionary_word_or_the_accounts_own_family(text: str) -> None:
    found = names(text)
    assert all(role not in PATIENT_SIDE for role, _ in found.values()), found


def test_my_family_word_makes_a_model_name_the_accounts_not_a_patients() -> None:
    assert names("Picked up my daughter Isla after a long shift on the ward", "Isla")["Isla"][0] == ACCOUNT


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Handover: Bay 2 Kowalczyk 71M #NOF, for theatre AM", "Kowalczyk"),
        ("bed 9 - Adaeze, day 3 abx, mobilising", "Adaeze"),
        ("someone pls check on Dorota Wiśniewska in 12, call bell going", "Dorota Wiśniewska"),
    ],
)
def test_a_bed_number_before_or_after_a_name_finds_a_patient(text: str, name: str) -> None:
    role, confidence = names(text)[name]
    assert role == PATIENT and confidence >= 0.5


@pytest.mark.parametrize(
    "text", ["Bed 4 Stable overnight, no concerns", "Catch up with Jo in 14 days re rota"]
)
def test_no_patient_from_a_dictionary_word_or_a_span_of_time(text: str) -> None:
    assert all(role != PATIENT for role, _ in names(text).values())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Tendai from Chitungwiza pulled his line out again, third time tonight", "Tendai"),
        ("Big shoutout to Ruairi from Ballyfermot who made us all laugh during his obs", "Ruairi"),
    ],
)
def test_a_home_town_after_a_name_makes_it_a_patients(text: str, name: str) -> None:
    assert names(text, name)[name][0] == PATIENT


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Massive thanks to Sarah from Leeds Teaching Hospitals for the sim training", "Sarah"),
        ("Thanks to Priyanka from HR for sorting our rota", "Priyanka"),
    ],
)
def test_a_workplace_after_from_is_no_home_town(text: str, name: str) -> None:
    assert names(text, name)[name][0] == STAFF


def test_the_x_family_and_a_possessive_family_word_are_patient_side_in_a_credit() -> None:
    found = names(
        "Huge thank you to the Okonjo family for the cake! And shoutout to Bartek's whole family too",
        "Okonjo",
        "Bartek",
    )
    assert found["Okonjo"][0] == PATIENT and found["Bartek"][0] == PATIENT


def test_a_title_before_the_name_still_decides_over_a_family_word_after_it() -> None:
    assert names("Thanks to Dr Achterberg's wife for the brownies", "Achterberg")["Achterberg"][0] == STAFF


def test_a_repeated_name_is_one_person_whatever_its_own_sentence_credits() -> None:
    text = "My patient Ferdinand, 88, made my night. Ferdinand, thank you for the card!"
    found = (with_ner("Ferdinand")).detect(post(text))
    roles = {f.attribute("role") for f in found if f.label == "PERSON"}
    assert roles == {PATIENT}


def test_a_titled_namesake_keeps_its_own_role() -> None:
    text = "Mrs Okeke went home today. Thank you to Dr Okeke for the referral."
    found = with_ner("Okeke").detect(post(text))
    roles = sorted(f.attribute("role") for f in found if f.label == "PERSON")
    assert roles == [PATIENT, STAFF] or roles == ["unknown", STAFF]


def test_a_room_number_after_a_name_is_no_credential() -> None:
    role, _ = names("wrong chat!! Marisol Vega rm 310 family wants an update", "Marisol Vega")["Marisol Vega"]
    assert role != STAFF


def test_an_elders_honorific_keeps_a_name_patient_side_without_care_words() -> None:
    role, confidence = names("Mzee Kamau told me the best stories today", "Kamau")["Kamau"]
    assert role in PATIENT_SIDE and confidence >= 0.5


def test_an_age_and_sex_shorthand_makes_a_post_about_a_patient() -> None:
    role, confidence = names("Safeguarding: 15F attended w/ Shauna, hx inconsistent", "Shauna")["Shauna"]
    assert role in PATIENT_SIDE and confidence >= 0.5


def test_a_capitalised_stop_word_before_a_name_is_no_part_of_a_longer_name() -> None:
    role, confidence = names("When Gruffydd was admitted last night his wife brought the whole farm's eggs")[
        "Gruffydd"
    ]
    assert role == PATIENT and confidence >= 0.5


def test_a_twin_sister_is_a_relative_not_a_nurse_called_sister() -> None:
    text = "Nia was so brave in recovery. Her twin sister Amara held her hand the whole time"
    assert names(text, "Amara")["Amara"][0] == RELATIVE
    assert names("Sister Amara did my induction on the ward today", "Amara")["Amara"][0] == STAFF


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Love letter to our porters: Dougie, Emeka and Reuben kept the whole ward moving today", "Emeka"),
        ("Our receptionists, Tamsin and Obinna, rewrote the waiting room signs", "Tamsin"),
        ("Staff Excellence Awards 🏆 Nurse of the Year: Saoirse Kavanagh, Cardiology", "Saoirse Kavanagh"),
        ("Cathal started as a porter here in 1989 and now runs the whole of theatres", "Cathal"),
    ],
)
def test_plural_job_words_awards_and_careers_name_colleagues(text: str, name: str) -> None:
    names_found = names(text, *{"Emeka": ("Dougie", "Emeka", "Reuben")}.get(name, (name,)))
    assert names_found[name][0] == STAFF


def test_a_plural_job_word_does_not_reach_past_an_honorific() -> None:
    text = "Update for our volunteers: Mr. Okwuosa passed peacefully at the hospice last night"
    assert names(text, "Okwuosa")["Okwuosa"][0] != STAFF


def test_a_post_about_the_job_keeps_an_unknown_name_under_the_bar_but_its_ward() -> None:
    text = "Ward 7 night shift crew, you were class tonight. Bronagh, the tea was unreal"
    found = with_ner("Bronagh").detect(post(text))
    bronagh = next(f for f in found if f.label == "PERSON")
    ward = next(f for f in found if f.label == "FACILITY")
    assert bronagh.confidence < 0.5 and ward.confidence >= 0.5  # issue 8 part 5: a ward always counts


def test_a_patient_word_makes_the_same_workplace_words_count_again() -> None:
    text = "Ward 7 night shift: our patient Bronagh finally went home, the tea was unreal"
    found = with_ner("Bronagh").detect(post(text))
    assert all(f.confidence >= 0.5 for f in found if f.label in ("PERSON", "FACILITY"))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Bake-off results for the ward: 3rd place to Eoghan the porter for his beetroot brownies", "Eoghan"),
        ("Hospital radio tonight: Quiz Night with Fr Tadhg at 7pm", "Tadhg"),
        ("Staff debriefs on Fridays are run by Imam Yusuf and the chaplaincy team", "Yusuf"),
    ],
)
def test_a_job_after_the_and_faith_titles_name_colleagues(text: str, name: str) -> None:
    assert names(text, name)[name][0] == STAFF


def test_an_unknown_mention_of_a_colleagues_name_is_the_colleague_again() -> None:
    text = "A year today since we lost Dr Colm Whelan, our head of neonates. Colm was a gentle, funny man."
    found = with_ner("Colm Whelan", "Colm").detect(post(text))
    assert {f.attribute("role") for f in found if f.label == "PERSON"} == {STAFF}
