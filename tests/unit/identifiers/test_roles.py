"""Whose name is it: every PERSON finding carries a role decided from the post (``identifiers.roles``),
and names missed before (lower case, honorific + surname, a given name before an age or care word,
handles) are found. Examples are the team's own (varied names, places and phrasing)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
import spacy
from identifier_support import detector, findings, post
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.identifiers.merge import collapse_same_label
from postguard.domain.identifiers.roles import NOT_PATIENT_ROLES, ROLES, patient_side
from postguard.domain.models import SpacyNerModel
from postguard.domain.rule_data import load_package_rule_data
from postguard.domain.types import Category, Finding

pytestmark = pytest.mark.unit


def people(text: str, det: IdentifierDetector | None = None) -> set[tuple[str, str]]:
    """``{(name text, role)}`` of the PERSON findings."""
    found = (det or detector()).detect(post(text))
    return {(text[f.start : f.end], f.attribute("role")) for f in found if f.label == "PERSON"}


class PersonNer:
    """A NamedEntityModel that tags the given substrings of each text as PERSON."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def find_entities(self, texts: Sequence[str]) -> list[list[Finding]]:
        out = []
        for text in texts:
            spans = [m.span() for n in self.names for m in re.finditer(re.escape(n), text)]
            out.append([Finding(Category.IDENTIFIER, "PERSON", s, e, 0.8, "fake-ner", "") for s, e in spans])
        return out


def with_ner(*names: str) -> IdentifierDetector:
    return IdentifierDetector(ner_model=PersonNer(*names), registry=detector().registry)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # patients: a patient word, an honorific in care, a care word or an age right after the name
        ("my patient Delphine finally went home after three weeks", {("Delphine", "patient")}),
        ("pt Rahul Verma admitted overnight with DKA", {("Rahul Verma", "patient")}),
        ("Mr. Haddad on ward 7 was discharged today", {("Haddad", "patient")}),
        ("mrs okonkwo in bay 4 keeps asking for tea", {("okonkwo", "patient")}),
        ("so glad mr. lindqvist is off the vent", {("lindqvist", "patient")}),
        ("little ishaan, 3, in NICU since friday", {("ishaan", "patient")}),
        ("brave maeve rang the bell this morning", {("maeve", "patient")}),
        ("noah in picu again tonight, poor lad", {("noah", "patient")}),
        ("sofia was admitted with bronchiolitis", {("sofia", "patient")}),
        ("Tobias (4) came in with a fever of 40", {("Tobias", "patient")}),
        ("Kwabena, 7, admitted with a broken arm after a fall", {("Kwabena", "patient")}),
        # relatives
        ("her daughter Anneliese flew in from Perth to sit with her", {("Anneliese", "relative")}),
        ("the patient's son, Dimitri, signed the forms", {("Dimitri", "relative")}),
        # staff: titles, credentials, credits
        ("Huge thanks to charge nurse Oksana for the save", {("Oksana", "staff")}),
        ("Congratulations to Dr. Ferreira on her fellowship!", {("Ferreira", "staff")}),
        ("Kudos to Marguerite Diaz for running the sim lab", {("Marguerite Diaz", "staff")}),
        ("Welcome Prof. Lindgren to the renal team", {("Lindgren", "staff")}),
    ],
)
def test_rule_names_get_their_role(text: str, expected: set[tuple[str, str]]) -> None:
    assert people(text) == expected


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Ana Ruiz, RN, BSN, led our sepsis huddle", "Ana Ruiz", "staff"),
        ("So lucky to be precepted by Keisha Grant this month", "Keisha Grant", "staff"),
        ("New review by Okafor et al. on sepsis bundles", "Okafor", "public"),
        ("Senator Whitfield toured the new cancer centre", "Whitfield", "public"),
        ("According to Imani Brooks, safe staffing ratios save lives", "Imani Brooks", "public"),
        ("Worth a read: Zadie Hart wrote about night shifts and sleep", "Zadie Hart", "public"),
        ("Hi all, I'm Saoirse, a new grad on the cardiac unit", "Saoirse", "account"),
        ("Long night but we got there.\n— Bronagh", "Bronagh", "account"),
        ("Cheers,\nFionnuala", "Fionnuala", "account"),
        ('"Care is a verb, not a feeling." — Ottoline Marsh', "Ottoline Marsh", "public"),
        ("Meet Aisling Walsh, our new clinical nurse specialist", "Aisling Walsh", "staff"),
        ("Happy birthday to our ward clerk Bernadette!", "Bernadette", "staff"),
        ("her son Michael, a paramedic, came in with her", "Michael", "relative"),
        ("Join Femi Adebayo and the renal team, we're hiring", "Femi Adebayo", "staff"),
        ("Grateful for Jordan Miles, who taught us so much", "Jordan Miles", "unknown"),
        # credited and in care: the patient wins
        ("Thank you Tobias for letting us care for you on the oncology ward", "Tobias", "patient"),
        ("Thanks to Reza for being so brave through his chemo", "Reza", "patient"),
    ],
)
def test_model_names_get_their_role(text: str, name: str, role: str) -> None:
    assert (name, role) in people(text, with_ner(name))


def test_a_credited_name_with_a_lay_honorific_is_unsure_not_staff() -> None:
    text = "Thanks to Mrs. Abara for sharing her story with our students."
    found = [f for f in with_ner("Abara").detect(post(text)) if f.label == "PERSON"]
    assert [(text[f.start : f.end], f.attribute("role")) for f in found] == [("Abara", "unknown")]
    assert found[0].confidence < 0.5


@pytest.mark.parametrize(
    ("text", "handle", "role"),
    [
        (
            "Praying for @little_maeve_strong, discharged from the cancer ward today",
            "@little_maeve_strong",
            "patient",
        ),
        ("Shoutout to @icu_nurse_bex for the coffee run", "@icu_nurse_bex", "staff"),
        ("New here? follow me @wardnurse_lou for night shift tips", "@wardnurse_lou", "account"),
        ("Great new guidance from @who_europe on hand hygiene", "@who_europe", "public"),
    ],
)
def test_handles_are_names_with_a_form_and_a_role(text: str, handle: str, role: str) -> None:
    (found,) = [f for f in findings(text) if f.label == "PERSON"]
    assert (text[found.start : found.end], found.attribute("role"), found.attribute("form")) == (
        handle,
        role,
        "handle",
    )


@pytest.mark.parametrize(
    "text",
    [
        "the ms clinic is open on thursdays for new referrals",
        "did not want to miss lunch again on a long day",
        "grace, 2 hours in theatre was a long case",
        "will, 3 days later, the results were back",
        "Chapter, 3, covers heart failure in depth",
        "The Surgeon General warns again about vaping",
        "50 years after the Surgeon General's warning, smokers still light up.",
        "Email me at kai.lund@example.org with questions",
        "Ebola Patient Dies In German Hospital After Long Fight",
    ],
)
def test_ordinary_words_are_not_names(text: str) -> None:
    assert people(text) == set()


def test_a_colleague_does_not_tie_a_date_to_care() -> None:
    found = findings("Thanks to Dr. Ilse Berg for the great talk yesterday!")
    assert [(f.label, f.attribute("role")) for f in found] == [("PERSON", "staff")]


def test_the_cue_in_the_reason_is_rule_words_only() -> None:
    text = "my patient Delphine went home; thanks to charge nurse Oksana"
    reasons = [f.reason for f in findings(text) if f.label == "PERSON"]
    assert len(reasons) == 2
    for reason in reasons:
        assert "Delphine" not in reason and "Oksana" not in reason
        assert re.search(r"\(name near '(my patient|nurse)'\)$", reason), reason


def test_every_name_has_one_of_the_roles() -> None:
    texts = [
        "pt Rahul Verma admitted overnight; thanks to Dr. Ferreira and @icu_nurse_bex",
        "her daughter Anneliese and Mrs. Abara",
    ]
    for text in texts:
        for f in findings(text):
            if f.label == "PERSON":
                assert f.attribute("role") in ROLES


def test_a_patient_role_wins_a_merge_with_a_staff_role() -> None:
    def name(role: str, confidence: float) -> Finding:
        return Finding(Category.IDENTIFIER, "PERSON", 0, 5, confidence, "x", "", attributes=(("role", role),))

    (merged,) = collapse_same_label([name("staff", 0.9), name("patient", 0.6)])
    assert merged.attribute("role") == "patient"
    assert not patient_side(name("public", 0.9)) and patient_side(name("unknown", 0.5))
    assert {"staff", "public", "account"} == NOT_PATIENT_ROLES


@pytest.mark.parametrize(
    ("text", "entity", "kept"),
    [
        ("gave her Zofran at noon", "Zofran", False),
        ("see you in March", "March", False),
        ("a boy with Harlequin ichthyosis", "Harlequin", False),
        ("the Insulin pump alarmed", "Insulin pump", False),
        ("Cardiology sent the echo", "Cardiology", False),
        ("love #Nursing", "Nursing", False),
        ("Beatriz Santos went home", "Beatriz Santos", True),
    ],
)
def test_the_ner_adapter_drops_ordinary_capitalised_words(text: str, entity: str, kept: bool) -> None:
    nlp = spacy.blank("en")
    doc = nlp(text)
    start = text.index(entity)
    doc.ents = [doc.char_span(start, start + len(entity), label="PERSON")]
    model = SpacyNerModel(nlp, {"PERSON": 0.8})
    assert (model._finding(doc.ents[0]) is not None) is kept


def test_the_role_files_are_read_by_their_modules() -> None:
    from pathlib import Path

    from postguard.domain.identifiers import roles
    from postguard.domain.identifiers.recognizers import person
    from postguard.domain.rule_data import entry_names

    for filename, module in (("roles.yaml", roles), ("first_names.yaml", person)):
        data = load_package_rule_data("postguard.domain.identifiers.data", filename)
        source = Path(module.__file__).read_text(encoding="utf-8")
        unread = [
            name for name in entry_names(data) if f'"{name}"' not in source and f"'{name}'" not in source
        ]
        assert unread == [], (filename, unread)


def test_the_role_regexes_have_no_backtracking_hazard() -> None:
    from postguard.domain.identifiers import roles
    from regex_shape import hazards

    patterns = [v for v in vars(roles).values() if isinstance(v, re.Pattern)]
    patterns += [p for _, p in (*roles._ATTACHED_BEFORE, *roles._ATTACHED_AFTER)]
    patterns += list(roles._SENTENCE_CUES.values())
    assert len(patterns) > 15
    assert {p.pattern: hazards(p) for p in patterns if hazards(p)} == {}


def test_a_post_of_many_names_and_cues_stays_linear_in_work() -> None:
    # thousands of names and cues in one sentence: each name reads a bounded window and bisects the cues
    text = " ".join(["thanks to Dr. Quill and my patient Ottilie in bed 3 with sepsis,"] * 400)
    found = [f for f in findings(text) if f.label == "PERSON"]
    assert {f.attribute("role") for f in found} == {"staff", "patient"}
    assert len(found) == 800
