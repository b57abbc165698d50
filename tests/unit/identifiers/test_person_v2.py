"""Names v2 (recognizers/person.py, person.yaml, first_names.yaml): patients' names in staff posts from
the US, UK, Ireland, India, Canada and Australia that the earlier cues missed, found by the rules alone
(no NER), and the words that must stay no names. The team's own examples."""

from __future__ import annotations

import pytest
from identifier_support import detector, post

pytestmark = pytest.mark.unit

PATIENT_SIDE = ("patient", "relative", "unknown")


def names(text: str) -> dict[str, tuple[str, float]]:
    """``{name: (role, confidence)}`` of the rules' PERSON findings."""
    found = detector().detect(post(text))
    return {text[f.start : f.end]: (f.attribute("role"), f.confidence) for f in found if f.label == "PERSON"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # honorific + a surname the plain pattern missed: Mc / O' / D' / de shapes, lower case
        ("Mr MacPherson in bay 6 finally ate a full breakfast.", "MacPherson"),
        ("Mrs O'Callaghan was admitted with a chest infection.", "O'Callaghan"),
        ("Ms D'Cruz went home after her hip replacement.", "D'Cruz"),
        ("Mr diNapoli was readmitted overnight.", "diNapoli"),
        ("Lovely Mrs adeyemi on our ward turned 90 today.", "adeyemi"),
        # a capitalised or given name before a care verb or phrase
        ("Thandiwe was intubated in resus at 4am.", "Thandiwe"),
        ("Gurnam passed away peacefully this afternoon.", "Gurnam"),
        ("Rangi rang the bell after his last round of chemo!", "Rangi"),
        ("Wanjiru had her kidney transplant on Monday.", "Wanjiru"),
        ("Ishaan came in with a high fever and a rash.", "Ishaan"),
        # a possessive before a family word in a care sentence
        ("Adaeze's mum slept by her bedside on the ward all week.", "Adaeze"),
        # a given name alone in a care sentence (names from Faker's Irish, Indian, Nigerian... lists)
        ("We kept Siobhan comfortable all night after her surgery.", "Siobhan"),
        ("Spent the whole shift with Chukwuemeka while we waited for his scan results.", "Chukwuemeka"),
        # a capitalised name in a cot or a care unit, mid-sentence
        ("So glad Tavish in cot 3 is feeding well now.", "Tavish"),
        ("Night two with Oyinkansola in HDU and she is finally settling.", "Oyinkansola"),
        # an international given name written in lower case before an age
        ("paeds tonight: adekunle, 5, with croup", "adekunle"),
    ],
)
def test_a_patients_name_is_found_by_the_rules(text: str, name: str) -> None:
    role, confidence = names(text)[name]
    assert role in PATIENT_SIDE and confidence >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        # colleague thanks, authors, hashtags, drugs and devices, eponyms, months, places
        "Huge thanks to Ngozi and Callum for covering the night shift.",
        "Reading Atul Sen's new book on surgery and checklists.",
        "#TeamSiobhan raised 2k for the children's hospital charity!",
        "Gave Keppra and Lasix as charted, then the Alaris pump alarmed again.",
        "Teaching on Parkinson's disease and Bell's palsy at grand rounds.",
        "Admissions were mad in August, and June was no better.",
        "A toddler from the Hague was triaged in the small hours.",
        "A teenager from Stoke-on-Trent was brought in by ambulance.",
        "Night shift: a farmer from Moose Jaw came in with frostbite.",
        "Someone was admitted with a stab wound and nobody knew his name.",
        "Grandad was admitted overnight, please keep him in your thoughts.",
        "Reflecting on my Life in ICU, ten years on.",
        "Started her on Jardiance and Ventolin before the ward round.",
    ],
)
def test_no_patient_name_in_clean_or_unnamed_text(text: str) -> None:
    acted = {n: rc for n, rc in names(text).items() if rc[0] in PATIENT_SIDE and rc[1] >= 0.5}
    assert acted == {}


def test_a_full_name_before_a_care_verb_keeps_its_given_name() -> None:
    text = "Aarav Raghavan was discharged after three weeks with us."
    assert "Aarav Raghavan" in names(text)


def test_a_possessive_without_care_in_its_sentence_is_no_patients_name() -> None:
    assert "Oluwaseun" not in names("Oluwaseun's mum makes the best jollof rice.")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Marlowe, 19, came in after a crash on the motorway.", "PERSON"),  # places take no age
        ("Moved from Marlowe, 3 years ago, best decision.", "LOCATION"),  # after a preposition
        ("Marlowe, 3 years on: still love this job.", "LOCATION"),  # a time, not an age
    ],
)
def test_a_model_place_followed_by_an_age_is_a_name(text: str, label: str) -> None:
    import spacy
    from postguard.domain.models import SpacyNerModel
    from spacy.tokens import Span

    doc = spacy.blank("en")(text)
    first = next(t.i for t in doc if t.text == "Marlowe")
    doc.ents = [Span(doc, first, first + 1, label="LOCATION")]
    finding = SpacyNerModel(spacy.blank("en"), {"LOCATION": 0.6, "PERSON": 0.8})._finding(doc.ents[0])
    assert finding is not None and finding.label == label
