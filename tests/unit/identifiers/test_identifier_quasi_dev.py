"""QUASI_IDENTIFIER precision/recall floor on the hand-written dev cases, plus table-driven examples."""

from __future__ import annotations

import pytest
from dev_eval_quasi import load_cases, score
from identifier_support import detector, labelled

pytestmark = pytest.mark.unit


def test_quasi_dev_set_precision_and_recall() -> None:
    cases = load_cases()
    assert sum(e for _, e in cases) >= 20 and sum(not e for _, e in cases) >= 20
    precision, recall, missed, false_pos = score(detector())
    assert precision >= 0.9, f"P={precision:.2f}, false positives {len(false_pos)}"
    assert recall >= 0.85, f"R={recall:.2f}, missed {len(missed)}"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        (
            "Only the third case of rabies in Vermont this decade and she was our patient this week.",
            "third case",
        ),
        (
            "Our patient who fell from the Ferris wheel at the state fair last night is out of surgery.",
            "fell from",
        ),
        ("103-year-old marathon runner from Duluth admitted with a hip fracture today.", "marathon runner"),
    ],
)
def test_unusual_circumstance_with_place_or_time_is_quasi(text: str, cue: str) -> None:
    quasi = [span for label, span in labelled(text) if label == "QUASI_IDENTIFIER"]
    assert quasi == [cue]


@pytest.mark.parametrize(
    "text",
    [
        "Quintuplets are extremely rare; most multiple births today are twins.",
        "Kawasaki disease is the leading cause of acquired heart disease in children in the US.",
        "A woman with necrotizing fasciitis needs fast surgery.",
    ],
)
def test_disease_education_is_not_quasi(text: str) -> None:
    assert not [label for label, _ in labelled(text) if label == "QUASI_IDENTIFIER"]
