"""Cue lists several content rules share: medications, doses, symptoms, conditions, second person, sources."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Token

from postguard.domain.advice.rules.base import TokenPattern, TokenTest
from postguard.domain.advice.rules.data import expand, load

MEDICATION = "MEDICATION"
DOSAGE = "DOSAGE"
SYMPTOM = "SYMPTOM"
CONDITION = "CONDITION"
HEALTH = "HEALTH"
YOU = "YOU"
REFERRAL = "REFERRAL"
SOURCE = "SOURCE"

DATA_FILE = "cues.yaml"
DATA = load(DATA_FILE)

MEDICATIONS: frozenset[str] = DATA.words("medications")
DOSE_UNITS: frozenset[str] = DATA.words("dose_units")
DOSE_FREQUENCIES: tuple[str, ...] = DATA.phrases("dose_frequencies")
SYMPTOMS: frozenset[str] = DATA.words("symptoms")
CONDITIONS: frozenset[str] = DATA.words("conditions")
HEALTH_TERMS: frozenset[str] = DATA.words("health_terms")
SOURCE_ACRONYMS: tuple[str, ...] = DATA.phrases("source_acronyms")
SECOND_PERSON: frozenset[str] = DATA.words("second_person")

_REFERRALS_TO_CLINICIAN = tuple(
    f"{verb} {det} {who}"
    for verb in DATA.phrases("referral_verbs")
    for det in DATA.phrases("referral_determiners")
    for who in DATA.phrases("referral_clinicians")
)
_OTHER_REFERRALS = DATA.phrases("other_referrals")
REFERRAL_PHRASES: tuple[str, ...] = (*_REFERRALS_TO_CLINICIAN, *_OTHER_REFERRALS)
"""Redirections to care, which are the opposite of personal advice."""

SOURCE_TERMS: tuple[str, ...] = DATA.phrases("source_terms")

DRUG_SUFFIXES: tuple[str, ...] = DATA.phrases("drug_suffixes")
"""Common INN stems: catches drug names the curated list lacks ("meclizine", "modafinil")."""

_PATTERN_LISTS = {
    "dose_units": sorted(DOSE_UNITS),
    "source_acronyms": list(SOURCE_ACRONYMS),
    "medications": sorted(MEDICATIONS),
}
"""The word lists the shared token patterns refer to as ``$name``."""


def looks_like_drug(token: Token) -> bool:
    """Whether ``token`` ends in a common drug-name stem (six letters or more)."""
    return len(token) >= 6 and token.is_alpha and token.lower_.endswith(DRUG_SUFFIXES)


def shared_token_tests() -> dict[str, TokenTest]:
    """Loop-based cues for the shared keys."""
    return {MEDICATION: looks_like_drug}


def shared_patterns() -> dict[str, list[TokenPattern]]:
    """Matcher patterns for the shared cue keys."""
    return {
        DOSAGE: expand(DATA.patterns("dosage"), _PATTERN_LISTS),
        SOURCE: expand(DATA.patterns("source"), _PATTERN_LISTS),
    }


def shared_phrases() -> dict[str, Iterable[str]]:
    """Phrase lists for the shared cue keys."""
    return {
        MEDICATION: MEDICATIONS,
        YOU: SECOND_PERSON,
        DOSAGE: DOSE_FREQUENCIES,
        SYMPTOM: SYMPTOMS | set(DATA.phrases("symptom_phrases")),
        CONDITION: CONDITIONS | set(DATA.phrases("condition_phrases")),
        HEALTH: HEALTH_TERMS | MEDICATIONS | SYMPTOMS | CONDITIONS,
        REFERRAL: REFERRAL_PHRASES,
        SOURCE: SOURCE_TERMS,
    }
