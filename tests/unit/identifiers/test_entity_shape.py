"""The NER's shape calibration (identifiers/entity_shape.py, training/ner/evaluate.py): the facts read on
a span, the logistic model, its validation, and the fit that produced the shipped weights."""

from __future__ import annotations

import json

import pytest
import spacy
from postguard.domain.identifiers.entity_shape import FEATURES, ShapeCalibration, shape_features
from spacy.tokens import Span

from training.ner.evaluate import fit_logistic

pytestmark = pytest.mark.unit

NLP = spacy.blank("en")


def span(text: str, words: str) -> Span:
    doc = NLP(text)
    start = text.index(words)
    return doc.char_span(start, start + len(words), label="PERSON")


def test_a_sentence_initial_dictionary_word_is_words_and_initial() -> None:
    f = shape_features(span("Thanks all. Summary and link below.", "Summary"))
    assert f["initial"] and f["words"] and f["initial_words"]
    assert not (f["given"] or f["multi"] or f["lower"])


def test_a_listed_given_name_after_a_comma_is_not_initial() -> None:
    f = shape_features(span("Rest easy, Harold Jenkins.", "Harold Jenkins"))
    assert f["given"] and f["multi"] and not f["initial"] and not f["words"]


def test_a_name_at_a_line_start_and_a_lower_case_word() -> None:
    assert shape_features(span("Night shift\nPriya was amazing", "Priya"))["initial"]
    f = shape_features(span("our patient panel is recruiting", "panel"))
    assert f["lower"] and f["words"] and not f["initial"]


def test_a_gazetteer_town_is_a_place() -> None:
    assert shape_features(span("she drove in from Fresno", "Fresno"))["place"]
    assert not shape_features(span("she drove in from Fresno", "she"))["place"]


def test_the_logistic_model_adds_the_weights_of_the_facts_that_hold() -> None:
    model = ShapeCalibration(0.0, {"given": 2.0, "words": -2.0})
    assert model.confidence({}) == 0.5
    assert model.confidence({"given": True}) == pytest.approx(0.8808, abs=1e-4)
    assert model.confidence({"given": True, "words": True}) == 0.5
    assert model.confidence({"words": True, "multi": True}) == pytest.approx(0.1192, abs=1e-4)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"bias": 1.0}, "needs a bias and a weights object"),
        ({"bias": "x", "weights": {}}, "bias is not a finite number"),
        ({"bias": 1.0, "weights": {"given": float("nan")}}, "given is not a finite number"),
        ({"bias": 1.0, "weights": {"colour": 1.0}}, "unknown feature 'colour'"),
    ],
)
def test_a_bad_shape_model_is_refused(raw: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ShapeCalibration.from_mapping(raw)


def test_the_fit_learns_which_fact_predicts_the_outcome() -> None:
    # 'given' spans are names 9 times in 10, 'words' spans 1 time in 5, the rest half of the time
    rows, outcomes = [], []
    for fact, hits, total in (("given", 9, 10), ("words", 1, 5), (None, 5, 10)):
        for i in range(total * 10):
            rows.append({f: f == fact for f in FEATURES})
            outcomes.append(i % total < hits)
    model = ShapeCalibration.from_mapping(fit_logistic(rows, outcomes, l2=0.01))
    empty = dict.fromkeys(FEATURES, False)
    assert model.confidence({**empty, "given": True}) == pytest.approx(0.9, abs=0.01)
    assert model.confidence({**empty, "words": True}) == pytest.approx(0.2, abs=0.01)
    assert model.confidence(empty) == pytest.approx(0.5, abs=0.01)


def test_the_shipped_calibration_says_how_it_was_fitted_and_beats_a_fixed_confidence() -> None:
    from postguard.domain.models import NER_DIR

    calibration = json.loads((NER_DIR / "calibration.json").read_text(encoding="utf-8"))
    for label in ("PERSON", "LOCATION"):
        ShapeCalibration.from_mapping(calibration["shape_model"][label])
        test = calibration["shape_report"][label]["test"]  # held-out split of the NER corpus, not fitted on
        assert test["log_loss_shape"] < test["log_loss_fixed"]
        assert test["brier_shape"] < test["brier_fixed"]
