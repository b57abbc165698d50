"""Merging rules: one finding per overlapping same-label group; the most specific label wins conflicts."""

from __future__ import annotations

import pytest
from postguard.domain.identifiers.merge import merge_findings
from postguard.domain.types import Category, Finding

pytestmark = pytest.mark.unit


def _f(label: str, start: int, end: int, confidence: float, detector: str = "r") -> Finding:
    return Finding(Category.IDENTIFIER, label, start, end, confidence, detector, f"reason {detector}")


def test_same_label_overlaps_collapse_to_union_with_best_metadata() -> None:
    merged = merge_findings([_f("DATE", 0, 5, 0.6, "a"), _f("DATE", 3, 9, 0.9, "b"), _f("DATE", 20, 25, 0.5)])
    assert [(f.start, f.end, f.confidence, f.detector) for f in merged] == [
        (0, 9, 0.9, "b"),
        (20, 25, 0.5, "r"),
    ]


def test_structured_label_wins_over_contextual_one() -> None:
    merged = merge_findings([_f("PERSON", 0, 10, 0.99), _f("EMAIL", 0, 20, 0.9), _f("DATE", 30, 35, 0.5)])
    assert [f.label for f in merged] == ["EMAIL", "DATE"]


def test_quasi_identifier_coexists_with_overlaps() -> None:
    merged = merge_findings([_f("QUASI_IDENTIFIER", 0, 10, 0.7), _f("AGE", 5, 8, 0.8)])
    assert sorted(f.label for f in merged) == ["AGE", "QUASI_IDENTIFIER"]


def test_adjacent_findings_are_not_merged() -> None:
    merged = merge_findings([_f("DATE", 0, 5, 0.6), _f("DATE", 5, 9, 0.6)])
    assert len(merged) == 2


def test_numbers_inside_a_link_belong_to_the_link() -> None:
    merged = merge_findings(
        [_f("URL", 0, 40, 0.6), _f("ACCOUNT_NUMBER", 20, 37, 0.9), _f("PHONE", 45, 57, 0.9)]
    )
    assert [f.label for f in merged] == ["URL", "PHONE"]


def test_a_merged_finding_keeps_the_facts_only_the_less_confident_one_had():
    from postguard.domain.identifiers.merge import collapse_same_label

    rule = Finding(
        Category.IDENTIFIER, "FACILITY", 10, 15, 0.8, "FacilityRecognizer", "", attributes=(("kind", "bed"),)
    )
    ner = Finding(Category.IDENTIFIER, "FACILITY", 8, 15, 0.97, "ner", "")
    (merged,) = collapse_same_label([rule, ner])
    assert (merged.start, merged.end, merged.detector) == (8, 15, "ner")
    assert merged.attribute("kind") == "bed"
