"""Names of colleagues, authors and public figures stop holding clean posts; patients' names still do.
The NER adapter relabels name-shaped LOCATION spans (a title or a listed given name first) as PERSON,
a credit's "to" is not a place preposition, and roles.yaml reads a team after a name as a colleague's,
an eponymous organisation or award after a name as public, and "for looking after ..." as the
colleague's care work. Examples are written for these tests (varied names and phrasing)."""

from __future__ import annotations

import pytest
import spacy
from identifier_support import detector
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.models import SpacyNerModel
from test_roles import PersonNer, people

pytestmark = pytest.mark.unit

NLP = spacy.blank("en")
ADAPTER = SpacyNerModel(NLP, {"PERSON": 0.8, "LOCATION": 0.56})


def reported(text: str, words: str, label: str = "LOCATION") -> str | None:
    """The label the adapter reports for ``words`` of ``text`` tagged ``label`` by the model."""
    doc = NLP(text)
    start = text.index(words)
    doc.ents = [doc.char_span(start, start + len(words), label=label)]
    finding = ADAPTER._finding(doc.ents[0])
    return finding.label if finding is not None else None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Great keynote from Professor Michael Marmot on health inequalities.", "Professor Michael Marmot"),
        ("As Dame Cicely Saunders said, you matter because you are you.", "Dame Cicely Saunders"),
        ("Quote of the day from Maya Angelou: be kind.", "Maya Angelou"),
        ("Thanks to Aoife for covering my lates.", "Aoife"),
    ],
)
def test_a_name_shaped_location_is_a_person(text: str, words: str) -> None:
    assert reported(text, words) == "PERSON"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("She fell in Victoria Park last night.", "Victoria Park"),
        ("He lives off Queen Street near the bus station.", "Queen Street"),
        ("She moved to Aoife last year.", "Aoife"),  # a place preposition, no credit: left a place
        ("Transferred from Prince George this morning.", "Prince George"),  # a gazetteer town
    ],
)
def test_a_place_stays_a_place(text: str, words: str) -> None:
    assert reported(text, words) == "LOCATION"


def ner_detector(*names: str) -> IdentifierDetector:
    return IdentifierDetector(ner_model=PersonNer(*names), registry=detector().registry)


def test_a_team_after_a_name_makes_it_a_colleague_even_with_a_care_word_in_it() -> None:
    text = "Sinead from the bed management team is an absolute hero."
    assert people(text, ner_detector("Sinead")) == {("Sinead", "staff")}
    [name] = [f for f in ner_detector("Sinead").detect_texts([text])[0] if f.label == "PERSON"]
    assert "bed management" not in name.reason  # the cue is a rule phrase, never post text


def test_a_team_is_not_read_into_a_patient_post() -> None:
    text = "Dot from bed 9 on the stroke ward went home today."
    assert people(text, ner_detector("Dot")) == {("Dot", "patient")}


def test_an_eponymous_organisation_or_award_is_public() -> None:
    text = "Marie Curie nurses do incredible work in end of life care."
    assert people(text, ner_detector("Marie Curie")) == {("Marie Curie", "public")}
    text = "So proud our ward won the Mary Seacole award for the end of life care project."
    assert people(text, ner_detector("Mary Seacole")) == {("Mary Seacole", "public")}


def test_looking_after_the_patients_is_the_colleagues_work() -> None:
    text = "Thanks to Aoife for looking after my patients while I was at the meeting."
    assert people(text, ner_detector("Aoife")) == {("Aoife", "staff")}
    text = "Thanks to Reza for being so brave through his chemo, we will miss you."
    assert people(text, ner_detector("Reza")) == {("Reza", "patient")}


def test_names_of_one_list_share_the_colleague_cue_at_its_end() -> None:
    text = "Ahmed, Beth and Connor from pharmacy saved my shift with the TPN orders."
    assert people(text, ner_detector("Ahmed", "Beth", "Connor")) == {
        ("Ahmed", "staff"),
        ("Beth", "staff"),
        ("Connor", "staff"),
    }
    [ahmed, *_] = [
        f for f in ner_detector("Ahmed", "Beth", "Connor").detect_texts([text])[0] if f.label == "PERSON"
    ]
    assert "listed with another name" in ahmed.reason


def test_a_list_with_a_patient_or_a_lay_honorific_does_not_share_a_colleague_role() -> None:
    text = "Mrs Lane and Dr Patel had a lovely chat about her discharge."
    assert ("Lane", "staff") not in people(text, ner_detector("Lane", "Patel"))
    text = "Zara, 6, and Dr Osei built a lego hospital in the playroom."
    assert ("Zara", "patient") in people(text, ner_detector("Zara", "Osei"))


def test_names_not_in_one_list_keep_their_own_roles() -> None:
    text = "Dr Osei reviewed the chart. Then Mina was moved to bed 4."
    assert people(text, ner_detector("Osei", "Mina")) == {("Osei", "staff"), ("Mina", "patient")}


@pytest.mark.parametrize(
    "text",
    [
        "Please contact our Patient Advice team so we can look into this privately.",
        "Please contact our Patient Advice and Liaison Service so we can look into this.",
        "Our Patient Experience team would like to speak with you.",
    ],
)
def test_a_dictionary_word_before_a_units_noun_is_a_department_not_a_name(text: str) -> None:
    assert people(text) == set()  # the rules' "patient X" cue and a model that tags the word alike
    words = [w for w in ("Advice", "Liaison", "Experience") if w in text]
    assert people(text, ner_detector(*words)) == set()


def test_a_name_before_a_team_stays_a_name() -> None:
    text = "My patient Rosa asked the Patient Advice team for help with parking."
    assert ("Rosa", "patient") in people(text)
    text = "Grace team-taught the sim with me and Omar."  # a listed given name: kept, whatever its role
    assert {name for name, _ in people(text, ner_detector("Grace"))} == {"Grace"}
