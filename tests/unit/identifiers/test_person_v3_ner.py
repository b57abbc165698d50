"""NER adapter v3: a listed given name the model took for a place is a name (no trained model needed)."""

from __future__ import annotations

import spacy
from postguard.domain.models import SpacyNerModel
from spacy.tokens import Span


def _ent(text: str, start: int) -> Span:
    doc = spacy.blank("en")(text)
    return Span(doc, start, start + 1, label="LOCATION")


def test_given_name_taken_for_a_place_is_a_name() -> None:
    assert SpacyNerModel._given_not_place(_ent("Nayeli's first steps after surgery", 0))


def test_a_place_that_is_also_a_name_stays_a_place() -> None:
    assert not SpacyNerModel._given_not_place(_ent("we flew to Florence last week", 3))
    assert not SpacyNerModel._given_not_place(_ent("she moved to Nayeli last year", 3))


def test_a_place_after_a_patient_word_is_a_name() -> None:
    assert SpacyNerModel._after_person_word(_ent("baby Kendal came off CPAP", 1))
    assert not SpacyNerModel._after_person_word(_ent("we drove to Kendal on friday", 3))
    assert not SpacyNerModel._after_person_word(_ent("Little Rock is far", 1))
