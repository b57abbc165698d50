"""AdviceClassifier contract, privacy of reasons, and the trained-model merge seam (with a fake model)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from advice_support import make_post
from postguard.domain.advice import AdviceClassifier, TextCategoryModel
from postguard.domain.advice import classifier as classifier_module
from postguard.domain.types import Category, ContentLabel, Finding

pytestmark = pytest.mark.unit

SAMPLES = [
    "You should take 40 mg of atorvastatin every night.",
    "DM me your symptoms!",
    "This supplement cures anxiety, 100% guaranteed!",
    "Another frequent flyer in the ED tonight.",
    "Use code SAVE20 for 20% off my favourite protein powder!",
    "Eating more fiber can help lower cholesterol.",
    "Congratulations to our nursing team on their award!",
    "",
]


class FakeTextModel:
    """A seam test double: returns fixed probabilities per text and records its calls.

    It stands in for the trained spaCy text classifier only to test how scores are merged with rules.
    """

    def __init__(self, scores: dict[str, dict[str, float]], thresholds: dict[str, float]) -> None:
        self._scores = scores
        self.thresholds = thresholds
        self.calls: list[list[str]] = []

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.calls.append(list(texts))
        return [dict(self._scores.get(t, {})) for t in texts]


def _labels(findings: list[Finding]) -> set[str]:
    return {f.label for f in findings}


def test_contract(classifier):
    assert classifier.name == "advice-classification"
    assert classifier.classify_batch([]) == []
    fake: TextCategoryModel = FakeTextModel({}, {})
    assert AdviceClassifier(text_model=fake).text_model is fake


def test_batch_matches_single_classification_in_order(classifier):
    posts = [make_post(t, post_id=f"p-{i}") for i, t in enumerate(SAMPLES)]
    batch = classifier.classify_batch(posts)
    assert len(batch) == len(posts)
    assert batch == [classifier.classify(p) for p in posts]
    assert [sorted(_labels(b)) for b in batch[:3]] == [  # a held post with a dose: MISSING_DISCLAIMER too
        ["MISSING_DISCLAIMER", "PERSONAL_ADVICE"],
        ["PATIENT_SOLICITATION"],
        ["UNSUPPORTED_CLAIM"],
    ]
    assert _labels(batch[5]) == {"MISSING_DISCLAIMER"}
    assert batch[-2] == [] and batch[-1] == []


def test_findings_are_well_formed_and_reasons_never_quote_the_post(classifier):
    for text in SAMPLES:
        for f in classifier.classify(make_post(text)):
            assert f.category == Category.CONTENT
            assert f.label in {label.value for label in ContentLabel}
            assert 0 <= f.start < f.end <= len(text)
            assert 0.0 < f.confidence <= 1.0
            assert f.reason and f.suggestion
            assert text[f.start : f.end].lower() not in f.reason.lower()
            assert f.detector.startswith("rules:")


def test_model_confirms_rule_finding_and_raises_its_confidence():
    text = "Another frequent flyer in the ED tonight."
    fake = FakeTextModel({text: {"UNPROFESSIONAL": 0.97}}, {"UNPROFESSIONAL": 0.5})
    (finding,) = AdviceClassifier(text_model=fake).classify(make_post(text))
    assert finding.detector == "rules:UNPROFESSIONAL"  # rules stay the explanation
    assert finding.confidence == pytest.approx(0.97)
    assert text[finding.start : finding.end] == "frequent flyer"


def test_model_below_rule_confidence_keeps_the_rule_confidence():
    text = "Another frequent flyer in the ED tonight."
    fake = FakeTextModel({text: {"UNPROFESSIONAL": 0.55}}, {"UNPROFESSIONAL": 0.5})
    (finding,) = AdviceClassifier(text_model=fake).classify(make_post(text))
    assert finding.confidence == pytest.approx(0.85)


def test_model_only_hit_points_at_the_most_relevant_sentence():
    text = "Long night on call. Honestly the 3am admissions test everyone's patience."
    fake = FakeTextModel({text: {"UNPROFESSIONAL": 0.8, "PERSONAL_ADVICE": 0.2}}, {"UNPROFESSIONAL": 0.6})
    findings = AdviceClassifier(text_model=fake).classify(make_post(text))
    assert len(findings) == 1
    (finding,) = findings
    assert finding.label == "UNPROFESSIONAL"
    assert finding.detector == "model:UNPROFESSIONAL"
    assert finding.confidence == pytest.approx(0.8)
    assert "statistical signal" in finding.reason
    assert finding.suggestion
    # no conduct cue in either sentence: the whole text is the span
    assert (finding.start, finding.end) == (0, len(text))


@pytest.mark.parametrize("label", [label.value for label in ContentLabel])
def test_every_label_can_be_a_model_only_finding_with_a_readable_reason(label):
    text = "Long night on call."
    fake = FakeTextModel({text: {label: 0.9}}, {label: 0.8})
    (finding,) = AdviceClassifier(text_model=fake).classify(make_post(text))
    assert (finding.label, finding.detector) == (label, f"model:{label}")
    assert finding.reason.startswith("A trained classifier rates this passage as likely ")
    assert finding.suggestion


def test_model_only_hit_uses_the_sentence_with_label_cues():
    text = "Great clinic today. You might want to rethink your medication plan."
    fake = FakeTextModel({text: {"PERSONAL_ADVICE": 0.9}}, {"PERSONAL_ADVICE": 0.7})
    findings = AdviceClassifier(text_model=fake).classify(make_post(text))
    model = [f for f in findings if f.detector == "model:PERSONAL_ADVICE"]
    assert len(model) == 1
    assert text[model[0].start : model[0].end] == "You might want to rethink your medication plan."


def test_thresholds_gate_model_hits_and_labels_without_threshold_are_ignored():
    text = "Great clinic today."
    fake = FakeTextModel(
        {text: {"PERSONAL_ADVICE": 0.69, "UNSUPPORTED_CLAIM": 0.99, "NOT_A_LABEL": 1.0}},
        {"PERSONAL_ADVICE": 0.7},
    )
    assert AdviceClassifier(text_model=fake).classify(make_post(text)) == []


def test_model_is_called_once_per_batch():
    fake = FakeTextModel({}, {"PERSONAL_ADVICE": 0.5})
    posts = [make_post(t, post_id=f"p-{i}") for i, t in enumerate(SAMPLES)]
    AdviceClassifier(text_model=fake).classify_batch(posts)
    assert fake.calls == [SAMPLES]


def test_model_returning_wrong_number_of_scores_is_an_error():
    class Broken(FakeTextModel):
        def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
            return []

    with pytest.raises(ValueError, match="score sets"):
        AdviceClassifier(text_model=Broken({}, {})).classify(make_post("hello"))


def test_pipeline_is_rebuilt_when_its_vocabulary_grows_too_large(monkeypatch):
    monkeypatch.setattr(classifier_module, "MAX_VOCAB_STRINGS", 1)
    advice = AdviceClassifier()
    first_engine = advice._engine
    expected = advice.classify(make_post(SAMPLES[0]))
    assert advice._engine is not first_engine
    assert advice.classify(make_post(SAMPLES[0])) == expected


def test_concurrent_batches_give_the_same_results_as_sequential(classifier):
    posts = [make_post(t, post_id=f"p-{i}") for i, t in enumerate(SAMPLES * 5)]
    expected = classifier.classify_batch(posts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: classifier.classify_batch(posts), range(8)))
    assert all(r == expected for r in results)


def test_typographic_apostrophes_are_understood_and_spans_index_the_original(classifier):
    text = "Please don’t post your scans here. It’s possible that you’ve got shingles."
    findings = classifier.classify(make_post(text))
    assert {f.label for f in findings} == {"PERSONAL_ADVICE"}
    advice = next(f for f in findings if f.label == "PERSONAL_ADVICE")
    assert text[advice.start : advice.end].startswith("It’s possible that you’ve got")
