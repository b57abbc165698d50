"""Behaviour that needs the trained spaCy models shipped in services/postguard/models."""

from __future__ import annotations

import json
import math
import socket

import pytest
from postguard.domain import models
from postguard.domain.types import Category, ContentLabel, IdentifierLabel

pytestmark = pytest.mark.models


@pytest.fixture(scope="session")
def ner() -> models.SpacyNerModel:
    model = models.load_ner_model()
    assert model is not None, "the NER model must ship in services/postguard/models/ner"
    return model


@pytest.fixture(scope="session")
def textcat() -> models.SpacyTextCategoryModel:
    model = models.load_advice_model()
    assert model is not None, "the content classifiers must ship in services/postguard/models/textcat"
    return model


def spans(findings, text: str, label: str) -> list[str]:
    return [text[f.start : f.end] for f in findings if f.label == label]


def test_models_load_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise OSError("network access attempted while loading a model")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ner = models.SpacyNerModel.from_path(models.NER_DIR)
    textcat = models.SpacyTextCategoryModel.from_path(models.TEXTCAT_DIR)
    assert ner.find_entities(["hello"]) == [[]]
    assert set(textcat.score(["hello"])[0]) == {label.value for label in ContentLabel}


def test_loaders_cache_one_instance() -> None:
    assert models.load_ner_model() is models.load_ner_model()
    assert models.load_advice_model() is models.load_advice_model()


@pytest.mark.parametrize("name", ["ner", "textcat"])
def test_shipped_model_is_compact_and_has_metrics(name: str) -> None:
    path = models.MODELS_DIR / name
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    assert size < 15_000_000
    metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
    tables = (
        [metrics[split]["labels"] for split in ("dev", "test")] if name == "ner" else [metrics["model_alone"]]
    )
    if name == "textcat":  # out-of-fold, rules alone and rules + model, per in-genre source
        tables += [metrics[k]["all"]["labels"] for k in ("rules_alone", "rules_plus_model")]
        assert set(metrics["model_alone"]) == {label.value for label in ContentLabel}
    for table in tables:
        for row in table.values():
            assert {"precision", "recall", "f1", "support"} <= set(row)
    assert (path / "calibration.json").is_file()
    assert (path / "README.md").is_file()


def test_patient_name_rules_cannot_see(ner: models.SpacyNerModel) -> None:
    text = "Spent the night with Keisha after her surgery, she is a fighter"
    [found] = ner.find_entities([text])
    assert spans(found, text, IdentifierLabel.PERSON) == ["Keisha"]
    person = next(f for f in found if f.label == IdentifierLabel.PERSON)
    assert person.category is Category.IDENTIFIER
    assert person.detector == "model:ner"
    assert 0.0 < person.confidence <= 1.0
    assert person.reason == "A personal name can identify a patient"


def test_names_places_and_facility_in_a_case_post(ner: models.SpacyNerModel) -> None:
    text = "My patient Maria, 54, from Fresno was discharged from St. Agnes Medical Center today"
    [found] = ner.find_entities([text])
    assert "Maria" in spans(found, text, IdentifierLabel.PERSON)
    assert "Fresno" in spans(found, text, IdentifierLabel.LOCATION)
    assert any("Medical Center" in s for s in spans(found, text, IdentifierLabel.FACILITY))


def test_drug_and_disease_names_are_not_people(ner: models.SpacyNerModel) -> None:
    texts = [
        "Reminder: never mix Xanax with alcohol.",
        "Great talk on Parkinson's disease at grand rounds today",
        "Happy Nurses Week to the best team in the building!",
    ]
    for text, found in zip(texts, ner.find_entities(texts), strict=True):
        assert spans(found, text, IdentifierLabel.PERSON) == [], text


def test_states_are_not_reported_as_identifying_locations(ner: models.SpacyNerModel) -> None:
    text = "Flu cases are rising across Texas this month"
    [found] = ner.find_entities([text])
    assert spans(found, text, IdentifierLabel.LOCATION) == []


def test_company_names_are_not_facilities(ner: models.SpacyNerModel) -> None:
    text = "Just got the new iPhone from Apple and the Starbucks app still crashes"
    [found] = ner.find_entities([text])
    assert spans(found, text, IdentifierLabel.FACILITY) == []


def test_personal_advice_reply_vs_education_post(textcat: models.SpacyTextCategoryModel) -> None:
    reply = (
        "Based on what you describe it sounds like you have a UTI. Start the antibiotics I prescribed "
        "and take 400 mg of ibuprofen for the pain."
    )
    education = (
        "Heart disease is the leading cause of death in the US. Learn the warning signs of a heart attack."
    )
    advice = ContentLabel.PERSONAL_ADVICE
    reply_score, edu_score = (s[advice] for s in textcat.score([reply, education]))
    assert reply_score >= textcat.thresholds[advice] > edu_score
    [finding] = textcat.findings(reply, {advice: reply_score})
    assert (finding.category, finding.label, finding.start, finding.end) == (
        Category.CONTENT,
        advice,
        0,
        len(reply),
    )
    assert finding.detector == "model:textcat"


def test_slur_vs_clinical_term(textcat: models.SpacyTextCategoryModel) -> None:
    slur = "These fucking retards in the waiting room again"
    clinical = "Drug-seeking behaviour documented; patient referred to addiction services."
    unpro = ContentLabel.UNPROFESSIONAL
    slur_score, clinical_score = (s[unpro] for s in textcat.score([slur, clinical]))
    assert slur_score >= textcat.thresholds[unpro] > clinical_score
    assert textcat.findings(clinical, {unpro: clinical_score}) == []


def test_thresholds_come_from_dev_calibration(textcat: models.SpacyTextCategoryModel) -> None:
    calibration = json.loads((models.TEXTCAT_DIR / "calibration.json").read_text(encoding="utf-8"))
    assert textcat.thresholds == calibration["thresholds"]
    assert all(0.0 < t <= 1.0 for t in textcat.thresholds.values())
    assert set(textcat.platt) == set(textcat.thresholds)


def test_scores_are_the_platt_calibrated_raw_scores(textcat: models.SpacyTextCategoryModel) -> None:
    text = "DM me your symptoms and I'll tell you what to take"
    raw = textcat.nlp(text).cats
    [calibrated] = textcat.score([text])
    for label, s in raw.items():
        a, b = textcat.platt[label]
        assert calibrated[label] == pytest.approx(1 / (1 + math.exp(-(a * math.log(s / (1 - s)) + b))))
    uncalibrated = models.SpacyTextCategoryModel(textcat.nlp, textcat.thresholds)
    assert uncalibrated.score([text])[0] == pytest.approx(raw)


def test_the_classifier_reads_lower_cased_words(textcat: models.SpacyTextCategoryModel) -> None:
    texts = ["DM ME YOUR SYMPTOMS AND YOUR BLOOD RESULTS", "dm me your symptoms and your blood results"]
    shouted, quiet = textcat.score(texts)
    assert shouted == pytest.approx(quiet)
    assert shouted[ContentLabel.PATIENT_SOLICITATION] >= textcat.thresholds[ContentLabel.PATIENT_SOLICITATION]


def test_staff_post_labels_beyond_advice_and_tone(textcat: models.SpacyTextCategoryModel) -> None:
    cases = {
        ContentLabel.PATIENT_SOLICITATION: "Worried about a rash? Send me a photo in my DMs",
        ContentLabel.CARE_CONFIRMATION: "Thanks for your kind review, so glad your stay with us went well",
        ContentLabel.UNDISCLOSED_PROMOTION: "Obsessed with this collagen powder, use my code NURSE20",
    }
    scores = textcat.score(list(cases.values()))
    for (label, _), score in zip(cases.items(), scores, strict=True):
        assert max(score, key=score.get) == label
        assert score[label] >= textcat.thresholds[label]


def test_person_confidence_follows_the_span_shape(ner: models.SpacyNerModel) -> None:
    """Calibrated per shape on the NER dev split: a capitalised dictionary word starting a sentence is
    under the default 0.5 bar, a capitalised name in running text well over it."""
    texts = ["Great paper out today. Link in comments.", "Spent the night with Keisha after her surgery"]
    found = ner.find_entities(texts)
    link = [f for f in found[0] if f.label == IdentifierLabel.PERSON]
    keisha = [f for f in found[1] if f.label == IdentifierLabel.PERSON]
    assert all(f.confidence < 0.5 for f in link)
    assert [f.confidence > 0.8 for f in keisha] == [True]
