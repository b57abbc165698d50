"""Recall gaps found on the gold and dev sets, fixed as mechanisms: a cued number in brackets, a
patient's record or care before a name, an age said as a birthday today, "at 91, you ...". Examples
are written for these tests (other names, numbers and wording than the sets)."""

from __future__ import annotations

import pytest
from identifier_support import findings
from test_roles import PersonNer, people
from test_roles_general_names import ner_detector

pytestmark = pytest.mark.unit


def spans(text: str, label: str) -> list[str]:
    return [text[f.start : f.end] for f in findings(text) if f.label == label]


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        (
            "Found a wallet with a driving licence (K7731-40562) in the waiting room",
            "LICENSE_NUMBER",
            "K7731-40562",
        ),
        ("Wrong chart scanned, MRN [40091273] belongs to bay 2", "MEDICAL_RECORD_NUMBER", "40091273"),
    ],
)
def test_a_cued_number_in_brackets(text: str, label: str, value: str) -> None:
    assert value in spans(text, label)


def test_a_bracket_does_not_make_a_word_a_number() -> None:
    assert spans("Renewed my nursing licence (finally!) today", "LICENSE_NUMBER") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Faxed the records for Tomasz Wojcik to the wrong clinic, please shred", "Tomasz Wojcik"),
        # the model's span takes a rank it does not know as part of the name (as in "Officer ...")
        ("So proud of the night team for caring for Sgt Ben Hollis after the pile-up", "Sgt Ben Hollis"),
        ("Bloods for Zainab Ahmed came back normal", "Zainab Ahmed"),
    ],
)
def test_a_record_or_care_before_a_name_makes_it_a_patients(text: str, name: str) -> None:
    assert people(text, ner_detector(name)) == {(name, "patient")}


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Guess who's 102 today! Our oldest patient on the ward got a cake", "102"),
        ("She is 97 tomorrow and still beats me at cards on the ward", "97"),
        ("Thank you for sharing your story: at 93, you walked out on your own", "93"),
    ],
)
def test_an_age_as_a_birthday_or_a_life_event(text: str, age: str) -> None:
    assert spans(text, "AGE") == [age]


@pytest.mark.parametrize(
    "text",
    [
        "We're 100 today! Happy anniversary to our hospital",
        "The unit is 50 this week, cake in the staff room",
    ],
)
def test_an_anniversary_is_not_an_age(text: str) -> None:
    assert spans(text, "AGE") == []


def test_the_fake_ner_is_used() -> None:  # the helpers above rely on PersonNer tagging names
    assert PersonNer("Ana").find_entities(["Ana"])[0][0].label == "PERSON"


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Odile lives on Rue des Lilas 14, please send the letter there", "Odile", "patient"),
        ("Bram's address is on the referral, 22 Kerkstraat", "Bram", "patient"),
        ("Priya lives in Leeds now and we miss her on the team", "Priya", "unknown"),
    ],
)
def test_a_home_address_after_a_name_makes_it_a_private_persons(text: str, name: str, role: str) -> None:
    assert people(text, ner_detector(name)) == {(name, role)}


def test_a_one_of_a_kind_case_with_a_place_is_a_quasi_identifier() -> None:
    assert spans(
        "The only child with harlequin ichthyosis in our county starts school soon", "QUASI_IDENTIFIER"
    )
    # the same without the uniqueness claim: a place alone is not enough
    assert (
        spans("A child with harlequin ichthyosis in our county starts school soon", "QUASI_IDENTIFIER") == []
    )
    text = "Harlequin ichthyosis is one of the rarest skin conditions; read the family guide"
    assert spans(text, "QUASI_IDENTIFIER") == []
