"""UNPROFESSIONAL rules: slurs, insults, derogatory patient slang; clinical teaching language passes."""

from __future__ import annotations

import codecs

import pytest
from advice_support import findings_for
from postguard.domain.advice.rules.conduct import load_lexicon, normalise
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.UNPROFESSIONAL.value
# Slurs are kept ROT13-encoded in tests as in the lexicon file, so neither displays them.
SLUR = codecs.decode("ergneq", "rot13")

POSITIVES = [
    "Another frequent flyer in the ED tonight.",
    "The drama queen in bed 3 is at it again.",
    "Admitted a total gomer at 3am.",
    "The residents on this service are idiots.",
    "Nurses are lazy and useless.",
    "Radiology is full of clueless doctors.",
    "These people always come back drunk, ugh.",
    "Sick of patients who google their symptoms.",
    "f*ck this shift",
    "What a shitty night on call.",
    f"Stop acting like a {SLUR}.",
    f"Stop acting like a {SLUR.replace('e', '3')}.",
    "Immigrants are animals.",
    "This guy is such a waste of a bed.",
    "Typical ortho, can't read an ECG to save their life 🙄",
    "The family were acting like animals.",
    "These animals in the waiting room kept the nurses up all night.",
    "Patients like this always come back, ugh.",
]

NEGATIVES = [
    "Teaching case: drug-seeking behaviour documented in the notes.",
    "The patient was combative on arrival and needed de-escalation.",
    "Non-compliant with medication due to cost; we connected him with social work.",
    "Earn frequent flyer miles on your next conference trip!",
    "We need more nurses on nights, they are stretched thin.",
    "These people are the heart of our hospital - thank you, environmental services!",
    "Flame retardant gowns are now standard in the OR.",
    "Crazy busy shift but the team was amazing.",
    "Our therapy dogs are the best animals on the ward.",
    "Lazy Sunday morning jog around the hospital grounds.",
    "Docs rebuilt his scalp after a freak accident with a power drill.",
    "Fatty acids in breast milk support brain development.",
    "Typical Monday in the ED: busy, loud and full of heart.",
    "Patients like this remind me why I love my job.",
    "Our therapy dogs are here: these animals bring so much joy.",
    "My kids like animals, so we visited the petting zoo after my shift.",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_unprofessional_language_is_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert found, f"expected {LABEL}"
    assert found[0].confidence >= 0.6
    assert "respectfully" in found[0].suggestion


@pytest.mark.parametrize("text", NEGATIVES)
def test_clinical_and_harmless_language_passes(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_reason_never_repeats_the_offending_word(classifier):
    text = f"Ugh, another {SLUR} in the waiting room."
    (finding,) = findings_for(classifier, text, LABEL)
    assert text[finding.start : finding.end].lower() == SLUR
    assert SLUR not in finding.reason.lower()
    assert finding.confidence >= 0.9


def test_lexicon_decodes_slurs_and_has_every_kind():
    lexicon = load_lexicon()
    assert {"slur", "insult", "profanity", "patient_label", "dehumanizing", "disparaging_adj"} <= set(lexicon)
    assert SLUR in lexicon["slur"]
    assert not any(term.startswith("rot13:") for term in lexicon["slur"])
    assert "drug-seeking" not in set().union(*lexicon.values())


def test_normalise_undoes_leetspeak():
    assert normalise("R3T4RD") == "retard"
    assert normalise("$h1t") == "shit"
