"""Names v3: patient names the v2 cues missed or demoted (own examples, not the hold-out's)."""

from __future__ import annotations

import pytest
from identifier_support import findings


def _people(text: str) -> list[tuple[str, str, float]]:
    people = [f for f in findings(text) if f.label == "PERSON"]
    return [(text[f.start : f.end], f.attribute("role"), f.confidence) for f in people]


def _patient_side(text: str, name: str) -> bool:
    return any(
        s == name and role in ("patient", "relative", "unknown") and c >= 0.5 for s, role, c in _people(text)
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Dorrie from bed 11 went home today, best laugh on the ward", "Dorrie"),
        ("Ilinca in the incubator by the door opened her eyes today", "Ilinca"),
        ("we had Tomek in the cot nearest the desk all week", "Tomek"),
        ("Mme Gagnon told me about her garden all through her wash", "Gagnon"),
        ("Smt Chaudhary in ward 3 sang to us before her angiogram", "Chaudhary"),
        ("poor Kenzie broke his arm falling off the monkey bars", "Kenzie"),
        ("nana Pearl, 93, still does the crossword every morning", "Pearl"),
        ("lovely old Wilfred keeps asking when the bus comes. dementia is so hard", "Wilfred"),
        ("Rohan had his first bath today after 3 weeks", "Rohan"),
        ("Esme was airlifted in from the island last night", "Esme"),
    ],
)
def test_patient_names_found(text: str, name: str) -> None:
    assert _patient_side(text, name), _people(text)


@pytest.mark.parametrize(
    "text",
    [
        "Everyone in bed by ten tonight, early shift tomorrow",
        "Patient Dies In Rural Hospital After Long Wait",
        "Sri Lanka sent a team of nurses to the conference",
    ],
)
def test_no_patient_name(text: str) -> None:
    assert not [p for p in _people(text) if p[1] in ("patient", "relative", "unknown") and p[2] >= 0.5]


def test_colleague_from_department_stays_staff() -> None:
    people = _people("thanks to Colm from physio for the help on the ward today")
    assert all(role == "staff" for _, role, _ in people), people


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("tomas the 9 year old from the farm crash is sitting up today", "tomas"),
        ("Aziz, a 3-month-old, came to us with RSV", "Aziz"),
        ("long night. Ebo didn't make it after the crash", "Ebo"),
        ("Ines lost her fight this morning, surrounded by her girls", "Ines"),
        ("Rhys was blue-lighted in with chest pain at 2am", "Rhys"),
    ],
)
def test_care_phrases_after_a_name(text: str, name: str) -> None:
    assert _patient_side(text, name), _people(text)


def test_a_veteran_of_years_is_no_age() -> None:
    people = _people("welcome back Aoife, a 20 year veteran of the cardiac team")
    assert not [p for p in people if p[1] == "patient"], people


def test_a_verb_before_an_age_is_no_name() -> None:
    assert _people("Saw a 45-year-old from Kilbride with a textbook case of shingles") == []


def test_a_body_part_done_to_a_name() -> None:
    assert _patient_side("Wilbur had his leg pinned on tuesday and is already up", "Wilbur")
