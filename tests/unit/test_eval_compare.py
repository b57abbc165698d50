"""``make eval``'s side-by-side scorer: neutral spans, annotated labels, roles the policy ignores."""

from __future__ import annotations

import pytest
from postguard.domain.evaluation import evaluate
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import Category, Finding, Verdict

from training.eval_compare import _from_spans, acted_on, allowed_with_identifier, drop_neutral

pytestmark = pytest.mark.unit


def finding(label: str, start: int, end: int, confidence: float = 0.9, **attributes: str) -> Finding:
    return Finding(
        Category.IDENTIFIER,
        label,
        start,
        end,
        confidence,
        "test",
        "",
        attributes=tuple(sorted(attributes.items())),
    )


def test_neutral_spans_and_unannotated_labels_count_neither_way():
    text = "Ana Ruiz works at Acme Corp in Lyon"
    spans = [(0, 8, "PERSON"), (18, 27, "ORGANIZATION"), (31, 35, "LOCATION")]
    s = _from_spans("t", [(text, spans)], frozenset({"PERSON", "LOCATION"}))
    predicted = [[finding("PERSON", 0, 8), finding("FACILITY", 18, 27), finding("DATE", 31, 35)]]
    kept = drop_neutral(predicted, s)
    assert [(f.label, f.start) for f in kept[0]] == [("PERSON", 0)]
    report = evaluate(s.gold, kept, [Verdict.ALLOW])
    assert report.identifiers["PERSON"].tp == 1
    assert report.identifiers["LOCATION"].fn == 1  # still missed: neutrality never hides a gold span
    assert report.identifiers["FACILITY"].fp == 0


def test_names_of_staff_and_public_figures_are_not_identifier_predictions():
    policy = PolicyRegistry.load(None).policy_for("demo-hospital")
    assert acted_on(finding("PERSON", 0, 4, role="patient"), policy)
    assert acted_on(finding("PERSON", 0, 4), policy)
    assert not acted_on(finding("PERSON", 0, 4, role="staff"), policy)
    assert not acted_on(finding("PERSON", 0, 4, role="public"), policy)
    assert not acted_on(finding("PERSON", 0, 4, confidence=0.1), policy)  # under the policy's bar


def test_posts_with_an_identifier_allowed_unchanged_are_counted():
    s = _from_spans("t", [("Jo Li", [(0, 5, "PERSON")]), ("hello", [])], frozenset({"PERSON"}))
    assert allowed_with_identifier(s, [Verdict.ALLOW, Verdict.ALLOW]) == 1
    assert allowed_with_identifier(s, [Verdict.REVIEW, Verdict.ALLOW]) == 0
