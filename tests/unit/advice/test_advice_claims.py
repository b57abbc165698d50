"""UNSUPPORTED_CLAIM rules: absolute, miracle and anti-vaccine claims; sourced claims pass."""

from __future__ import annotations

import pytest
from advice_support import findings_for
from postguard.domain.types import ContentLabel

pytestmark = pytest.mark.unit

LABEL = ContentLabel.UNSUPPORTED_CLAIM.value

POSITIVES = [
    "This supplement cures anxiety, 100% guaranteed!",
    "Turmeric cures arthritis. No need for pills.",
    "Our new protocol is 100% effective against migraines.",
    "This vaccine reduces hospitalisation by 90%.",
    "Vaccines cause autism, do your research.",
    "The MMR jab is linked to autism in boys.",
    "Say no to the jab, natural immunity is better.",
    "This tea detoxes your liver and melts belly fat. Doctors hate it!",
    "Clinically proven to lower blood pressure in two weeks.",
    "This cream has no side effects and is completely safe for everyone with eczema.",
    "Alkaline water cures cancer.",
    "Intermittent fasting reverses diabetes.",
    "Drink 8 glasses of water a day to flush toxins from your kidneys!",
]

NEGATIVES = [
    # cites a source
    "This vaccine reduces hospitalisation by 90% (NEJM 2021, link).",
    "Statins lower LDL cholesterol by about 30% according to a Cochrane review.",
    "New data from the CDC: the flu vaccine cuts hospital admissions by 40%.",
    "Clinically proven to lower blood pressure: https://doi.org/10.1000/xyz123",
    # negated or debunked
    "There is no cure for the common cold, so rest and drink fluids.",
    "Vaccines do not cause autism.",
    "Debunking the myth that vaccines cause autism.",
    "No treatment is 100% effective, so keep your follow-up appointments.",
    # noun use of cure
    "We are one step closer to a cure for sickle cell disease.",
    # not a health claim
    "Our cafeteria's new menu is 100% guaranteed to make you smile.",
    "Cured meats are a treat at our staff barbecue.",
    "There is no treatment that has been proven to be beneficial for this rash.",
    "Researchers seek ways to treat, prevent and ultimately cure lupus.",
    "Healthy diet may reverse aging, study finds https://example.org/study",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_unsupported_claim_is_found(classifier, text):
    found = findings_for(classifier, text, LABEL)
    assert found, f"expected {LABEL}"
    assert found[0].confidence >= 0.6


@pytest.mark.parametrize("text", NEGATIVES)
def test_sourced_negated_or_non_health_claims_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_antivax_claim_is_not_excused_by_a_link(classifier):
    found = findings_for(classifier, "Vaccines cause autism, read this: https://example.org/truth", LABEL)
    assert found and found[0].confidence >= 0.9


def test_unsourced_quantified_claim_is_less_confident_than_absolute_claim(classifier):
    (quantified,) = findings_for(classifier, "This vaccine reduces hospitalisation by 90%.", LABEL)
    (absolute,) = findings_for(classifier, "Our new protocol is 100% effective against migraines.", LABEL)
    assert quantified.confidence < absolute.confidence


def test_cure_claim_span_covers_subject_and_ailment(classifier):
    text = "Ivermectin cures COVID. Wake up people."
    (finding,) = findings_for(classifier, text, LABEL)
    assert text[finding.start : finding.end] == "Ivermectin cures COVID"


# Round 2 (issue 9): classes of claims that need no cure verb, no percentage and no vaccine word.
CLAIM_CLASSES = {
    "conspiracy, text-speak": "this 1 trick reverses type 2 diabetes and doctors don't want u to know",
    "certainty stamp": "With certainty: sugar has nothing to do with diabetes, whatever your GP says.",
    "vaccine gives the illness": "The flu shot GIVES you the flu, I've seen it every winter.",
    "dismissal of an ailment": "Cancer is simply a fungus and bicarb dissolves it.",
    "universal result": "100% of my clients who went vegan came off their statins. Every single one.",
    "never again": "Take 5000mg of zinc a day and you will never get a cold again",
    "guarantee verb": "Our new laser therapy guarantees pain relief for every patient.",
    "do your own research": "Autism and the MMR: mums know. Do your own research.",
    "suppressed evidence": "The studies on masks are all being suppressed.",
    "immune reset": "Cold showers reset your immune system completely.",
    "nobody needs care": "No one needs antibiotics for an ear infection, garlic oil clears it every time",
    "vaccine equals harm": "Covid jab = infertility, not letting my kids near it",
    "perfect outcomes": "Zero complications, ever, on our hip replacements.",
    "comparative harm": "Chemo causes more deaths than the cancer itself.",
    "bare fact": "Hydroxychloroquine would have stopped the pandemic in weeks. Fact.",
    "heal and guaranteed": "Bone broth heals a leaky gut in days. Guaranteed ✨",
    "kills any infection": "Two drops of tea tree oil kills any infection.",
    "all in the mind": "long covid is entirely psychological, I've seen it resolve with yoga",
    "better than medicine": "Reiki works better than any antidepressant for my patients",
    "detox": "this detox tea flushes every toxin out of your liver",
    "dna": "The mRNA vaccine permanently alters your DNA. Look it up.",
    "shop link is no source": "these gummies cured my anxiety in a week, link in bio",
    "never failed": "Garlic has NEVER failed to shift a chest infection for us. Who needs a GP.",
    "denial": "Depression isn't real, it's a lack of willpower.",
}

NOT_CLAIMS = [
    "Does intermittent fasting reverse diabetes? Some people achieve remission, but it isn't guaranteed.",
    "No, garlic doesn't cure infections. Evidence matters.",
    "Debunking the myth that the flu jab gives you the flu: it can't, it contains no live virus.",
    "Guaranteed hours for all new nurses on our ward.",
    "Fun fact: the heart beats about 100,000 times a day.",
    "Diabetes is really common in older adults; get checked at your GP.",
    "Grounding techniques can help with panic attacks, ask your therapist.",
    "Antibiotics do more harm than good for most colds, which are viral.",
    "The vaccine means fewer deaths in care homes this winter, book yours at the pharmacy.",
    "It won't work every time, so keep your inhaler with you.",
    "Every time a patient smiles at me I remember why I do this.",
    "Our paper shows exercise lowers depression scores (link in bio to the BMJ article).",
]


@pytest.mark.parametrize("text", list(CLAIM_CLASSES.values()), ids=list(CLAIM_CLASSES))
def test_claim_classes_without_cure_or_percentage_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL), f"expected {LABEL}"


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_questions_refutations_and_everyday_wording_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_a_claim_attributed_to_someone_else_is_not_the_posters(classifier):
    assert findings_for(classifier, "Vaccines cause autism, my uncle swears by it.", LABEL)
    text = "Spent the shift with a man who believes vaccines cause autism. Exhausting."
    assert findings_for(classifier, text, LABEL) == []
