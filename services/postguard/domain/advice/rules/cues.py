"""Cue lists several content rules share: medications, doses, symptoms, conditions, second person, sources."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Token

from postguard.domain.advice.rules.base import TokenPattern, TokenTest, words

MEDICATION = "MEDICATION"
DOSAGE = "DOSAGE"
SYMPTOM = "SYMPTOM"
CONDITION = "CONDITION"
HEALTH = "HEALTH"
YOU = "YOU"
REFERRAL = "REFERRAL"
SOURCE = "SOURCE"

MEDICATIONS: frozenset[str] = words(
    """
    acetaminophen paracetamol tylenol ibuprofen advil motrin nurofen naproxen aleve aspirin
    metformin insulin ozempic semaglutide wegovy mounjaro tirzepatide glipizide jardiance
    atorvastatin lipitor simvastatin rosuvastatin crestor statin statins
    lisinopril amlodipine losartan metoprolol propranolol hydrochlorothiazide furosemide lasix spironolactone
    warfarin coumadin apixaban eliquis rivaroxaban xarelto clopidogrel plavix heparin
    amoxicillin augmentin azithromycin zpack doxycycline ciprofloxacin cipro cephalexin keflex penicillin
    nitrofurantoin macrobid clindamycin bactrim metronidazole flagyl antibiotic antibiotics
    prednisone prednisolone dexamethasone hydrocortisone steroid steroids cortisone
    sertraline zoloft fluoxetine prozac escitalopram lexapro citalopram paroxetine bupropion wellbutrin
    venlafaxine effexor duloxetine cymbalta trazodone mirtazapine lithium quetiapine seroquel
    antidepressant antidepressants ssri ssris benzo benzos
    alprazolam xanax lorazepam ativan diazepam valium clonazepam klonopin zolpidem ambien
    adderall ritalin methylphenidate vyvanse
    oxycodone hydrocodone vicodin percocet morphine tramadol codeine fentanyl opioid opioids suboxone
    gabapentin pregabalin lyrica levothyroxine synthroid omeprazole prilosec pantoprazole famotidine
    albuterol ventolin inhaler epipen epinephrine cetirizine zyrtec loratadine claritin benadryl
    diphenhydramine melatonin ivermectin hydroxychloroquine colchicine allopurinol methotrexate
    sumatriptan imitrex isotretinoin accutane tretinoin minoxidil finasteride sildenafil viagra
    tamiflu oseltamivir paxlovid valacyclovir valtrex acyclovir fluconazole diflucan
    medication medications meds medicine medicines pill pills tablet tablets capsule capsules
    dose doses dosage drug drugs prescription prescriptions supplement supplements
    """
)

DOSE_UNITS: frozenset[str] = words(
    "mg mgs milligram milligrams mcg µg ug g gram grams ml mls milliliter milliliters millilitre millilitres "
    "cc iu units unit tabs tab tablet tablets pill pills capsule capsules caps puff puffs drop drops "
    "teaspoon teaspoons tsp tablespoon tablespoons tbsp"
)

DOSE_FREQUENCIES: tuple[str, ...] = (
    "twice a day",
    "twice daily",
    "three times a day",
    "once a day",
    "once daily",
    "every 4 hours",
    "every 6 hours",
    "every 8 hours",
    "every 12 hours",
    "every four hours",
    "every six hours",
    "every eight hours",
    "bid",
    "tid",
    "qid",
    "prn",
    "at bedtime",
    "on an empty stomach",
)

SYMPTOMS: frozenset[str] = words(
    """
    symptom symptoms rash rashes pain pains ache aches headache headaches migraine migraines fever fevers
    cough coughing lump lumps mole moles bump bumps spot spots bleeding bruise bruises bruising
    dizziness dizzy nausea nauseous vomiting diarrhea diarrhoea constipation cramps cramping swelling swollen
    itch itching itchy numbness tingling fatigue tired insomnia palpitations wheezing sneezing congestion
    discharge burning sore soreness stiffness shortness breathlessness chills sweats blister blisters
    lesion lesions wound wounds infection infected inflammation inflamed redness blood
    anxiety depression panic
    """
)

CONDITIONS: frozenset[str] = words(
    """
    shingles cancer tumor tumour melanoma diabetes prediabetes hypertension asthma copd eczema psoriasis
    acne rosacea dermatitis cellulitis impetigo ringworm scabies lupus arthritis gout fibromyalgia
    appendicitis gallstones pancreatitis ulcer ulcers gastritis ibs reflux gerd uti utis strep flu influenza
    covid pneumonia bronchitis sinusitis tonsillitis mono measles chickenpox herpes hpv chlamydia gonorrhea
    syphilis hiv std sti stroke angina concussion fracture sprain sciatica hernia endometriosis pcos
    hypothyroidism hyperthyroidism anemia anaemia adhd autism dementia alzheimer's parkinson's epilepsy
    sepsis meningitis allergy allergies ocd bipolar schizophrenia
    """
)

HEALTH_TERMS: frozenset[str] = words(
    """
    health healthy healthier vaccine vaccines vaccination vaccinations vaccinated immunization immunisation
    booster jab jabs shot exercise workout diet nutrition sleep hydration hydrated cholesterol blood
    sugar glucose heart cardiac cardiovascular kidney liver lungs skin bones immune immunity screening
    screenings mammogram colonoscopy checkup check-up smoking vaping alcohol weight obesity bmi
    calories fiber fibre protein vitamin vitamins sunscreen spf hygiene handwashing mental wellbeing
    well-being stress pregnancy pregnant prenatal breastfeeding postpartum menopause fertility
    treatment treatments therapy therapies remedy remedies cure cures disease diseases illness
    risk risks prevention prevent hospitalisation hospitalization mortality
    kidneys teeth brain gut muscles joints eyes hearing dehydration toxins
    """
)

SOURCE_ACRONYMS: tuple[str, ...] = (
    "NEJM",
    "JAMA",
    "BMJ",
    "CDC",
    "WHO",
    "NIH",
    "NHS",
    "NICE",
    "FDA",
    "EMA",
    "USPSTF",
    "RCT",
    "MMWR",
    "AAP",
    "ACOG",
    "AHA",
)

SECOND_PERSON: frozenset[str] = frozenset(
    {"you", "your", "you're", "youre", "yours", "yourself", "u", "ur", "ya"}
)

_REFERRALS_TO_CLINICIAN = tuple(
    f"{verb} {det} {who}"
    for verb in (
        "see",
        "seeing",
        "ask",
        "asking",
        "call",
        "contact",
        "consult",
        "consulting",
        "talk to",
        "talking to",
        "talk with",
        "talking with",
        "speak to",
        "speaking to",
        "speak with",
        "speaking with",
        "check with",
        "checking with",
    )
    for det in ("your", "a", "the")
    for who in (
        "doctor",
        "gp",
        "physician",
        "clinician",
        "pharmacist",
        "prescriber",
        "nurse",
        "provider",
        "healthcare provider",
        "health care provider",
        "care team",
        "dermatologist",
        "specialist",
        "midwife",
        "dentist",
    )
)
_OTHER_REFERRALS = (
    "call 911",
    "call 999",
    "call 112",
    "dial 911",
    "go to the er",
    "go to the ed",
    "go to the emergency department",
    "go to the emergency room",
    "go to urgent care",
    "seek medical attention",
    "seek medical care",
    "seek medical advice",
    "seek emergency care",
    "get medical help",
    "get checked out",
    "get it checked",
    "get seen",
    "book an appointment",
    "make an appointment",
)
REFERRAL_PHRASES: tuple[str, ...] = (*_REFERRALS_TO_CLINICIAN, *_OTHER_REFERRALS)
"""Redirections to care, which are the opposite of personal advice."""


SOURCE_TERMS: tuple[str, ...] = (
    "lancet",
    "the lancet",
    "cochrane",
    "pubmed",
    "doi",
    "et al",
    "et al.",
    "meta-analysis",
    "meta analysis",
    "systematic review",
    "randomized trial",
    "randomised trial",
    "randomized controlled trial",
    "randomised controlled trial",
    "clinical trial",
    "clinical trials",
    "published in",
    "according to",
    "citation",
    "data from",
    "evidence from",
    "guidelines",
    "guideline",
)


DRUG_SUFFIXES: tuple[str, ...] = tuple(
    words(
        """
        cillin mycin micin floxacin cycline conazole prazole sartan olol dipine statin tidine triptan setron
        gliptin gliflozin glutide oxetine azepam azolam codone morphone profen isone asone olone thiazide
        semide parin xaban lukast terol tropium dronate clizine xyzine thazine perazine dinil afil tinib
        zumab ximab mumab ciclovir navir pramine triptyline peridol apine idone barbital phenidate
        """
    )
)
"""Common INN stems: catches drug names the curated list lacks ("meclizine", "modafinil")."""


def looks_like_drug(token: Token) -> bool:
    """Whether ``token`` ends in a common drug-name stem (six letters or more)."""
    return len(token) >= 6 and token.is_alpha and token.lower_.endswith(DRUG_SUFFIXES)


def shared_token_tests() -> dict[str, TokenTest]:
    """Loop-based cues for the shared keys."""
    return {MEDICATION: looks_like_drug}


def shared_patterns() -> dict[str, list[TokenPattern]]:
    """Matcher patterns for the shared cue keys."""
    number = {"TEXT": {"REGEX": r"^\d+([.,]\d+)?([x×-]\d+([.,]\d+)?)?$"}}
    units = {"LOWER": {"IN": sorted(DOSE_UNITS)}}
    return {
        DOSAGE: [
            [number, units],
            [number, {"ORTH": "-"}, number, units],
            [number, {"LOWER": {"IN": ["to", "or"]}}, number, units],
            [{"TEXT": {"REGEX": r"^\d+(mg|mcg|ml|g|iu)$"}}],
        ],
        SOURCE: [
            [{"LIKE_URL": True}],
            [{"ORTH": {"IN": list(SOURCE_ACRONYMS)}}],
            [{"LOWER": {"IN": ["source", "sources", "ref", "refs", "references"]}}, {"ORTH": ":"}],
            # "(Smith 2021)", "(NEJM, 2021)", "[1]"
            [
                {"ORTH": "("},
                {"IS_TITLE": True},
                {"ORTH": ",", "OP": "?"},
                {"TEXT": {"REGEX": r"^(19|20)\d\d$"}},
            ],
            [
                {"ORTH": "("},
                {"IS_UPPER": True},
                {"ORTH": ",", "OP": "?"},
                {"TEXT": {"REGEX": r"^(19|20)\d\d$"}},
            ],
            [{"ORTH": "["}, {"TEXT": {"REGEX": r"^\d{1,2}$"}}, {"ORTH": "]"}],
            [{"LOWER": "link"}, {"ORTH": ")"}],
            [{"LOWER": {"IN": ["link", "links"]}}, {"LOWER": {"IN": ["below", "in", "to"]}}],
        ],
    }


def shared_phrases() -> dict[str, Iterable[str]]:
    """Phrase lists for the shared cue keys."""
    return {
        MEDICATION: MEDICATIONS,
        YOU: SECOND_PERSON,
        DOSAGE: DOSE_FREQUENCIES,
        SYMPTOM: SYMPTOMS
        | {"chest pain", "shortness of breath", "sore throat", "runny nose", "stomach ache"},
        CONDITION: CONDITIONS | {"heart attack", "blood clot", "kidney stones", "high blood pressure"},
        HEALTH: HEALTH_TERMS | MEDICATIONS | SYMPTOMS | CONDITIONS,
        REFERRAL: REFERRAL_PHRASES,
        SOURCE: SOURCE_TERMS,
    }
