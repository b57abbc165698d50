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


# Treatments dismissed, conventional care replaced, passive vaccine claims, myth-busting posts.
MORE_CLAIMS = [
    "Colloidal silver kills every virus known to man, I give it to my whole family.",
    "Turmeric shots every morning and you'll never need ibuprofen again 🙌",
    "As an ICU nurse I promise you: masks do absolutely nothing against viruses.",
    "Raw garlic is nature's antibiotic. Works better than amoxicillin every single time.",
    "The HPV vaccine causes paralysis in teenage girls, the data is being hidden.",
    "Castor oil packs dissolve ovarian cysts in 3 weeks, no surgery needed.",
    "Sugar feeds cancer. Cut it out and the tumour starves. Simple as that.",
    "Autism is caused by the vaccine schedule, every paediatrician knows it deep down.",
    "Vitamin D cures depression, I've stopped prescribing sertraline.",
    "Fasting for 72 hours resets your immune system and clears out cancer cells.",
    "My clinic's stem cell injections regrow cartilage in every patient. Guaranteed results.",
    "Essential oils can replace your child's inhaler, trust me I'm a nurse.",
    "Chemo is poison. Juicing cured my aunt's breast cancer.",
    "Statins are the biggest scam in medicine, cholesterol is harmless.",
    "Covid was no worse than a bad cold, the lockdowns killed more people than the virus.",
    "Ozone therapy has a 100% cure rate for Lyme disease.",
    "Breastfed babies never get ear infections, it's a fact.",
    "This tea melts belly fat while you sleep, clinically proven 🔥",
    "Antidepressants are just happy pills that cause brain damage.",
    "Celery juice heals eczema from the inside out. Ditch the steroid cream.",
]

MORE_NOT_CLAIMS = [
    "A new Lancet study found that statins cut heart attack risk in people with diabetes.",
    "Masks reduce the spread of respiratory viruses in hospitals, see the WHO guidance linked below.",
    "Is it true that sugar feeds cancer? No. Here's what the evidence says.",
    "Vaccines are safe and effective, serious side effects are rare. Talk to your GP if you have questions.",
    "Myth: the flu jab gives you flu. Fact: it can't, the vaccine contains no live virus.",
    "Quitting smoking is the single best thing you can do for your lungs.",
    "Exercise may help with mild depression, alongside treatment from your doctor.",
    "We are always so proud of our nurses, every single one of them.",
    "Handwashing prevents the spread of infection. Simple, but it works.",
    "Honestly I'd never get through nights without coffee 😂",
    "Paracetamol is usually fine for a fever, but check the dose on the pack.",
    "Antibiotics don't work on viruses, so they won't help your cold.",
    "Our nurses go above and beyond every single time, thank you team.",
    "Sunscreen every day, even in winter. Your skin will thank you.",
    "Some people believe detox teas work, but your liver and kidneys already do the job.",
    "Trust me, you will never regret learning to cannulate early.",
    "Guaranteed parking for night staff starts next month.",
    "Paracetamol is just as good as ibuprofen for most headaches, check with your pharmacist.",
    "Antibiotics are simply not needed for most colds.",
    "Your inhaler should be replaced if the counter reads zero; ask your pharmacist to replace the inhaler.",
    "Insulin is a lifesaver for people with type 1 diabetes.",
    "Asthma is really common in children, and inhalers work well when used properly.",
    "We replaced the old ward monitors this week, thanks estates.",
    "Myth: antibiotics cure colds. Fact: most colds are viral.",
    "Fact: our nurses are the best. Proud of the team!",
    "Masks reduce transmission in clinical settings (Cochrane 2023).",
    "Cancer is a word nobody wants to hear. Our oncology nurses are there for you.",
]


@pytest.mark.parametrize("text", MORE_CLAIMS)
def test_more_claim_wordings_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL), f"expected {LABEL}"


@pytest.mark.parametrize("text", MORE_NOT_CLAIMS)
def test_sourced_hedged_myth_busting_and_everyday_posts_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


# Harms blamed on everyday and medical exposures, 'keeps X away', paid-to-push conspiracies, vaccine slurs.
THIRD_CLAIMS = [
    "Black seed oil cures everything except death, as the saying goes, and I believe it.",
    "Nurse here: the morning after pill causes permanent infertility, don't let anyone tell you otherwise.",
    "Eating carrots will fix your eyesight, no need for glasses.",
    "Hot lemon water every morning keeps cancer away, I've not had so much as a sniffle in 10 yrs.",
    "GPs are paid to push statins, they're useless for women.",
    "This magnetic bracelet stopped my arthritis pain for good.",
    "The new RSV jab is untested and dangerous, protect your babies.",
    "I'll say it louder for the back: depression is a choice.",
    "Cold water swimming cures anxiety and depression, ditch the tablets.",
    "Cannabis oil shrinks brain tumours, my patient is living proof.",
    "Wifi and 5G cause migraines and cancer, turn your router off at night.",
    "Raw milk is completely safe and boosts immunity better than any jab.",
    "Apple cider vinegar melts kidney stones overnight.",
]

THIRD_NOT_CLAIMS = [
    "Statins lower the risk of heart attack in people at high risk; talk to your GP "
    "about whether they suit you.",
    "The RSV vaccine for pregnant women is now available, ask your midwife about it.",
    "I'll say it louder for the back: nurses deserve a pay rise.",
    "Carrots are a good source of vitamin A, but they won't fix short-sightedness.",
    "Some patients tell me cold water swimming helps their mood. The evidence is still emerging.",
    "Magnetic bracelets don't relieve arthritis pain, according to a systematic review.",
    "Breast milk is the best first food for most babies, your midwife can support you.",
    "The flu is more than just a bad cold, it can put healthy adults in hospital.",
    "Honestly nothing beats a cup of tea after a night shift.",
    "Night shifts are basically a different planet, lol.",
    "The pill can cause blood clots in rare cases, your GP will check your risk.",
    "Masks don't cause low oxygen levels, even during long shifts.",
    "The pill doesn't cause infertility, fertility returns quickly after stopping.",
    "Keep the flu away this winter: book your jab at the staff clinic.",
    "Does aspartame cause cancer? Here's what the WHO actually said.",
    "Is the vaccine dangerous for pregnant women? No, and here is why.",
    "Stopping smoking ends your cravings for good after a few weeks, hang in there.",
    "Depression is not a choice, and asking for help is a strength.",
    "Our new 5G network is live across the hospital site.",
]


@pytest.mark.parametrize("text", THIRD_CLAIMS)
def test_exposure_harm_and_dismissal_claims_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL), f"expected {LABEL}"


@pytest.mark.parametrize("text", THIRD_NOT_CLAIMS)
def test_hedged_negated_and_questioning_posts_pass(classifier, text):
    assert findings_for(classifier, text, LABEL) == []


def test_a_question_followed_by_an_emoji_asserts_nothing(classifier):
    assert (
        findings_for(classifier, "Does celery juice heal eczema? 🤔 Let's look at the trials.", LABEL) == []
    )
    assert findings_for(classifier, "Celery juice heals eczema 🤔 trust me.", LABEL)


STATISTIC_CLAIMS = [
    "9 out of 10 doctors secretly use this supplement for their own joints.",
    "80% of cancers are caused by what you eat, change your diet and you won't need chemo.",
    "There's a reason your GP won't mention this: magnesium reverses heart disease.",
]


@pytest.mark.parametrize("text", STATISTIC_CLAIMS)
def test_ad_statistics_and_silenced_clinicians_are_found(classifier, text):
    assert findings_for(classifier, text, LABEL)


def test_sourced_statistics_and_first_person_wont_mention_pass(classifier):
    assert findings_for(classifier, "About 1 in 10 adults in the UK has diabetes (NHS data).", LABEL) == []
    assert findings_for(classifier, "I won't mention this again: do your mandatory training.", LABEL) == []
