"""Feedback records become gold posts: confirmed + missed spans, confirmed content labels, final verdict."""

from __future__ import annotations

import dataclasses
import json

import pytest
from postguard.domain.evaluation import gold_from_mapping
from postguard.domain.review.feedback import FeedbackRecord, gold_lines
from postguard.domain.review.items import FeedbackOutcome

pytestmark = pytest.mark.unit

TEXT = "Jane Example, 93, went home from ward 4 today. Message me for advice."
BASE = FeedbackRecord(
    institution_id="inst-a",
    post_id="p-1",
    reviewer="rev-1",
    given_at="2026-12-01T10:00:00.000Z",
    text=TEXT,
    platform="x",
    outcome=FeedbackOutcome.CONFIRMED,
    category="IDENTIFIER",
    label="PERSON",
    start=0,
    end=12,
    final_verdict="BLOCK",
)


def _r(**changes: object) -> FeedbackRecord:
    return dataclasses.replace(BASE, **changes)  # type: ignore[arg-type]


def test_confirmed_and_missed_spans_are_kept_and_false_alarms_dropped() -> None:
    [line] = gold_lines(
        [
            _r(),
            _r(outcome=FeedbackOutcome.MISSED, label="AGE", start=14, end=16),
            _r(outcome=FeedbackOutcome.FALSE_ALARM, label="LOCATION", start=33, end=39),
            _r(category="CONTENT", label="PATIENT_SOLICITATION", start=47, end=70),
            _r(
                category="CONTENT",
                outcome=FeedbackOutcome.FALSE_ALARM,
                label="PERSONAL_ADVICE",
                start=47,
                end=70,
            ),
        ]
    )
    assert line["identifiers"] == [
        {"start": 0, "end": 12, "label": "PERSON"},
        {"start": 14, "end": 16, "label": "AGE"},
    ]
    assert line["content_labels"] == ["PATIENT_SOLICITATION"]
    assert (line["post_id"], line["institution_id"], line["platform"], line["text"]) == (
        "p-1",
        "inst-a",
        "x",
        TEXT,
    )
    assert line["expected_verdict"] == "BLOCK"
    gold = gold_from_mapping(json.loads(json.dumps(line)))
    assert gold.spans == ((0, 12, "PERSON"), (14, 16, "AGE"))


def test_the_newest_feedback_on_a_post_replaces_an_earlier_one() -> None:
    lines = gold_lines(
        [
            _r(given_at="2026-12-01T11:00:00.000Z", label="PERSON", final_verdict="ALLOW"),
            _r(label="AGE", start=14, end=16),
            _r(post_id="p-2", final_verdict="REVIEW"),
        ]
    )
    assert [(x["post_id"], x["expected_verdict"]) for x in lines] == [("p-1", "ALLOW"), ("p-2", "REVIEW")]
    assert lines[0]["identifiers"] == [{"start": 0, "end": 12, "label": "PERSON"}]


def test_unknown_labels_and_spans_outside_the_text_are_left_out() -> None:
    [line] = gold_lines([_r(label="NOT_A_LABEL"), _r(start=60, end=500), _r(category="CONTENT", label="??")])
    assert line["identifiers"] == [] and line["content_labels"] == []
