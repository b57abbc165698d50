"""Presidio as the reference detector (benchmarks and ``make eval``), offline, on PostGuard's own NER.

Needs the ``bench`` extra (``pip install -e '.[bench]'``). Presidio's default would download
``en_core_web_lg``; here the NLP engine is the shipped NER directory (a path) or ``spacy.blank("en")``,
and tldextract uses the suffix list it ships, so nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NER_MODEL = Path(__file__).resolve().parents[1] / "models" / "ner"
NER_TO_PRESIDIO = {"PERSON": "PERSON", "LOCATION": "LOCATION", "FACILITY": "LOCATION", "ORG": "ORGANIZATION"}
"""PostGuard's NER labels -> Presidio entity names, so Presidio's SpacyRecognizer reports all four."""

PRESIDIO_TO_POSTGUARD = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "URL": "URL",
    "IP_ADDRESS": "IP_ADDRESS",
    "DATE_TIME": "DATE",
    "US_SSN": "SSN",
    "US_ITIN": "SSN",
    "IN_AADHAAR": "SSN",
    "IN_PAN": "SSN",
    "AU_TFN": "SSN",
    "UK_NINO": "SSN",
    "CREDIT_CARD": "ACCOUNT_NUMBER",
    "IBAN_CODE": "ACCOUNT_NUMBER",
    "US_BANK_NUMBER": "ACCOUNT_NUMBER",
    "CRYPTO": "ACCOUNT_NUMBER",
    "US_DRIVER_LICENSE": "LICENSE_NUMBER",
    "US_PASSPORT": "LICENSE_NUMBER",
    "IN_PASSPORT": "LICENSE_NUMBER",
    "MEDICAL_LICENSE": "LICENSE_NUMBER",
    "UK_NHS": "HEALTH_PLAN_NUMBER",
    "AU_MEDICARE": "HEALTH_PLAN_NUMBER",
    "IN_VEHICLE_REGISTRATION": "VEHICLE_ID",
}
"""Presidio entity types -> PostGuard identifier labels, for scoring both on the same gold spans."""


def presidio_missing() -> str | None:
    """Why Presidio cannot run here, or None."""
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        return "presidio-analyzer is not installed: pip install -e '.[bench]' (or run `make bench`)"
    return None


def offline_tldextract() -> None:
    """Presidio's EmailRecognizer calls ``tldextract.extract``, which fetches the public suffix list on
    first use; make it use the snapshot tldextract ships instead (no network, no cache directory)."""
    import tldextract
    import tldextract.tldextract as tld_module

    tld_module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def presidio_analyzer(*, ner: bool, ner_model: Path = NER_MODEL) -> Any:
    """A Presidio ``AnalyzerEngine``: its predefined recognizers, plus PostGuard's NER if ``ner``.

    With ``ner`` the NLP engine is a ``SpacyNlpEngine`` on the NER directory (a path, so Presidio never
    tries to download ``en_core_web_lg``), with a label mapping for its ``SpacyRecognizer``. Without it
    the NLP engine is ``spacy.blank("en")`` (tokens only, which the pattern recognizers' context words
    need) and the ``SpacyRecognizer`` is removed.
    """
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider, SpacyNlpEngine

    offline_tldextract()
    if ner:
        import postguard.domain.ner_tagging  # noqa: F401  (a tagging NER's spaCy factory, for spacy.load)

        config = {
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": str(ner_model)}],
            "ner_model_configuration": {"model_to_presidio_entity_mapping": NER_TO_PRESIDIO},
        }
        nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    else:
        nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank:en"}])
        nlp_engine.nlp = {"en": spacy.blank("en")}  # loaded: AnalyzerEngine will not call load()
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    names = {type(r).__name__ for r in analyzer.registry.recognizers}
    if not ner:
        analyzer.registry.remove_recognizer("SpacyRecognizer")
    elif "SpacyRecognizer" not in names:
        raise SystemExit("Presidio loaded no SpacyRecognizer for PostGuard's NER")
    return analyzer
