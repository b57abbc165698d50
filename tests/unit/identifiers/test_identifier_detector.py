"""The detector contract: finding shape, privacy of reasons, batching and the trained-NER merge seam."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from identifier_support import detector, findings, post
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.identifiers.registry import RecognizerRegistry
from postguard.domain.types import Category, Finding, IdentifierLabel

pytestmark = pytest.mark.unit

RICH_POST = (
    "My patient Mrs. Garcia, a 92-year-old from Springfield, was admitted 3/4 to room 412 at "
    "St. Mary's Hospital. Her daughter Anna called (617) 555-0123; MRN 00481234."
)
CORPUS = [
    RICH_POST,
    "Thanks to Dr. Patel for the great talk! World Heart Day is September 29.",
    "",
    "Yesterday in the ED we saw a 45yo man from Boston with rabies. Email jo@example.org",
    "Adults aged 50 and over should be screened. Not medical advice.",
]


def test_findings_follow_the_contract() -> None:
    found = findings(RICH_POST)
    assert {f.label for f in found} >= {"PERSON", "AGE", "LOCATION", "DATE", "FACILITY", "PHONE"}
    for f in found:
        assert f.category is Category.IDENTIFIER
        assert f.label in IdentifierLabel.__members__
        assert 0 <= f.start < f.end <= len(RICH_POST)
        assert 0.0 <= f.confidence <= 1.0
        assert f.detector.endswith("Recognizer")
        assert f.reason and f.suggestion
        # privacy: a reason or suggestion never quotes the matched text
        assert RICH_POST[f.start : f.end] not in f.reason
        assert RICH_POST[f.start : f.end] not in f.suggestion
    assert found == sorted(found, key=lambda f: (f.start, f.end, f.label))


def test_age_over_89_is_certain_and_cites_the_rule() -> None:
    (age,) = [f for f in findings("A 92-year-old fell at home.") if f.label == "AGE"]
    assert age.confidence == 1.0
    assert "89" in age.reason
    (young,) = [f for f in findings("A 45-year-old fell at home.") if f.label == "AGE"]
    assert young.confidence < 1.0
    assert "89" not in young.reason


def test_overlapping_rule_findings_of_one_label_collapse() -> None:
    # "92-year-old" and "92 years" patterns would overlap; only one AGE comes out
    text = "Our patient is a 92-year-old."
    assert [(f.label, text[f.start : f.end]) for f in findings(text)] == [("AGE", "92-year-old")]


def test_batch_equals_single() -> None:
    posts = [post(t, f"p{i}") for i, t in enumerate(CORPUS)]
    batch = detector().detect_batch(posts)
    assert len(batch) == len(posts)
    assert batch == [detector().detect(p) for p in posts]


def test_empty_batch_and_empty_text() -> None:
    assert detector().detect_batch([]) == []
    assert detector().detect(post("")) == []


def _finding(label: str, start: int, end: int, confidence: float = 0.9) -> Finding:
    return Finding(Category.IDENTIFIER, label, start, end, confidence, "fake-ner", "")


class FakeNer:
    """A NamedEntityModel that returns prepared findings per text and counts its calls."""

    def __init__(self, by_text: dict[str, list[Finding]]) -> None:
        self.by_text = by_text
        self.calls: list[list[str]] = []

    def find_entities(self, texts: Sequence[str]) -> list[list[Finding]]:
        self.calls.append(list(texts))
        return [list(self.by_text.get(t, [])) for t in texts]


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def test_ner_findings_are_merged_once_per_batch() -> None:
    text = "Grateful for Jordan Miles, who taught us so much during his stay."  # no rule cue for this name
    ner = FakeNer({text: [_finding("PERSON", *_span(text, "Jordan Miles"), 0.83)]})
    det = IdentifierDetector(ner_model=ner, registry=detector().registry)
    out = det.detect_batch([post(text, "a"), post(CORPUS[4], "b")])
    assert len(ner.calls) == 1 and ner.calls[0] == [text, CORPUS[4]]
    (person,) = out[0]
    assert (person.label, text[person.start : person.end], person.confidence) == (
        "PERSON",
        "Jordan Miles",
        0.83,
    )
    assert person.detector == "fake-ner"
    assert person.reason  # a model finding without a reason gets the label's standard reason
    assert out[1] == []


def test_ner_and_rule_duplicates_collapse_keeping_higher_confidence() -> None:
    text = "My patient Maria Lopez is recovering."
    start, end = _span(text, "Lopez")
    ner = FakeNer({text: [_finding("PERSON", start, end, 0.97)]})
    det = IdentifierDetector(ner_model=ner, registry=detector().registry)
    (person,) = det.detect(post(text))
    assert text[person.start : person.end] == "Maria Lopez"  # union of the two spans
    assert person.confidence == 0.97


def test_more_specific_rule_label_beats_ner_label() -> None:
    text = "Transferred to St. Mary's Hospital last night after the patient coded."
    ner = FakeNer({text: [_finding("PERSON", *_span(text, "Mary"), 0.95), _finding("LOCATION", 0, 3, 0.5)]})
    det = IdentifierDetector(ner_model=ner, registry=detector().registry)
    got = {(f.label, text[f.start : f.end]) for f in det.detect(post(text))}
    assert ("FACILITY", "St. Mary's Hospital") in got
    assert not any(label == "PERSON" for label, _ in got)
    assert ("LOCATION", "Tra") in got  # a non-overlapping model finding is kept


def test_ner_person_inside_credited_colleague_is_a_colleague() -> None:
    text = "Thanks to Dr. Patel for the great talk!"
    ner = FakeNer({text: [_finding("PERSON", *_span(text, "Patel"), 0.99)]})
    det = IdentifierDetector(ner_model=ner, registry=detector().registry)
    (found,) = det.detect(post(text))
    assert (found.label, text[found.start : found.end]) == ("PERSON", "Patel")
    assert found.attribute("role") == "staff"


def test_ner_spans_are_clamped_and_empty_ones_dropped() -> None:
    text = "A short post."
    ner = FakeNer({text: [_finding("FACILITY", 8, 99, 1.5), _finding("PERSON", 5, 5)]})
    det = IdentifierDetector(ner_model=ner, registry=detector().registry)
    (facility,) = det.detect(post(text))
    assert (facility.start, facility.end, facility.confidence) == (8, len(text), 1.0)


def test_ner_result_count_mismatch_is_an_error() -> None:
    class Broken:
        def find_entities(self, texts: Sequence[str]) -> list[list[Finding]]:
            return []

    det = IdentifierDetector(ner_model=Broken(), registry=detector().registry)
    with pytest.raises(ValueError, match="returned 0 results for 1 texts"):
        det.detect(post("anything"))


def test_registry_rebuilds_its_vocab_when_it_grows_too_large() -> None:
    registry = RecognizerRegistry(max_vocab=2_000)
    det = IdentifierDetector(registry=registry)
    words = " ".join(f"zq{i}x" for i in range(3_000))
    before = det.detect(post(RICH_POST))
    det.detect(post(words))
    assert registry.rebuilds == 1
    assert len(registry.nlp.vocab) < 2_000
    assert det.detect(post(RICH_POST)) == before  # same answers from the rebuilt matchers


def test_model_place_without_patient_context_drops_below_threshold() -> None:
    conference = "Presenting our research in Chicago at ACC next week!"
    case = "Our patient flew in from Denver for the transplant."
    ner = FakeNer(
        {
            conference: [_finding("LOCATION", *_span(conference, "Chicago"), 0.62)],
            case: [_finding("LOCATION", *_span(case, "Denver"), 0.62)],
        }
    )
    det = IdentifierDetector(ner_model=ner, registry=detector().registry)
    (city,) = det.detect(post(conference))
    assert (city.label, city.confidence) == ("LOCATION", 0.4)
    (home,) = det.detect(post(case))
    assert (case[home.start : home.end], home.confidence) == ("Denver", 0.8)  # the rule's "from <city>"


def test_concurrent_callers_get_the_same_answers_as_one_caller() -> None:
    posts = [post(t, f"p{i}") for i, t in enumerate(CORPUS * 10)]
    expected = detector().detect_batch(posts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: detector().detect_batch(posts), range(8)))
    assert all(r == expected for r in results)


PICTURE_ONLY = {"FACE", "RECORD_IMAGE"}
"""Labels only the image stage reports (tests/unit/images/test_image_pipeline.py covers them)."""


def test_the_tables_cover_every_identifier_label() -> None:
    import test_identifier_contextual as contextual
    import test_identifier_structured as structured

    covered = {label for _, expected in [*structured.CASES, *contextual.CASES] for label, _ in expected}
    assert covered == set(IdentifierLabel.__members__) - PICTURE_ONLY
