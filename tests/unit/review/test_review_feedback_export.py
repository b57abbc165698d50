"""Reviewer feedback through the desk, exported by `postguard feedback export` as gold JSONL that loads."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from postguard.domain.review.items import FeedbackOutcome, FindingFeedback
from postguard.embedded.evaluate import load_gold
from postguard.review import feedback_cli
from postguard.review.desk import NotInQueue, ReviewError
from review_support import EDITED, RAW, Bench, held, post

pytestmark = pytest.mark.unit

PERSON = FindingFeedback(FeedbackOutcome.CONFIRMED, "IDENTIFIER", "PERSON", 18, 30)
MISSED_AGE = FindingFeedback(FeedbackOutcome.MISSED, "IDENTIFIER", "AGE", 0, 6)
FALSE_ALARM = FindingFeedback(FeedbackOutcome.FALSE_ALARM, "IDENTIFIER", "LOCATION", 31, 38)


def _export(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="postguard")
    feedback_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["feedback", "export", *argv])
    return int(args.handler(args))


def test_feedback_on_the_original_text_exports_as_gold_that_eval_reads(bench: Bench, tmp_path: Path) -> None:
    bench.desk.hold(held(), post())
    bench.desk.record_feedback("demo-hospital", "p-1", "rev-1", [PERSON, MISSED_AGE, FALSE_ALARM])
    bench.desk.reject("demo-hospital", "p-1", "rev-1", "names a patient")
    bench.desk.hold(held("p-2", "clinic-b"), post("p-2", "clinic-b"))
    bench.desk.record_feedback("clinic-b", "p-2", "rev-b", [PERSON])
    out = tmp_path / "feedback.jsonl"
    assert _export("--store", str(bench.store.path), "--institution", "demo-hospital", "--out", str(out)) == 0
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert line == {
        "post_id": "p-1",
        "institution_id": "demo-hospital",
        "platform": "x",
        "text": RAW,
        "identifiers": [{"start": 0, "end": 6, "label": "AGE"}, {"start": 18, "end": 30, "label": "PERSON"}],
        "content_labels": [],
        "expected_verdict": "BLOCK",  # the reviewer's final verdict, set when the post was rejected
    }
    loaded = load_gold(out.read_text().splitlines())
    assert loaded.errors == [] and len(loaded.posts) == 1
    assert loaded.posts[0].spans == ((0, 6, "AGE"), (18, 30, "PERSON"))


def test_feedback_on_the_edited_text_after_approval(bench: Bench, tmp_path: Path) -> None:
    bench.desk.hold(held(), post())
    bench.desk.approve_with_edits("demo-hospital", "p-1", "rev-1", EDITED)
    with pytest.raises(ReviewError, match="no longer held"):
        bench.desk.record_feedback("demo-hospital", "p-1", "rev-1", [PERSON])
    with pytest.raises(ReviewError, match="not the text"):
        bench.desk.record_feedback("demo-hospital", "p-1", "rev-1", [], text="something else entirely")
    claim = FindingFeedback(FeedbackOutcome.MISSED, "CONTENT", "UNSUPPORTED_CLAIM", 0, 6)
    bench.desk.record_feedback("demo-hospital", "p-1", "rev-1", [claim], text=EDITED)
    out = tmp_path / "f.jsonl"
    assert (
        _export(
            "--store", f"sqlite:///{bench.store.path}", "--since", "2026-12-01T08:00:00Z", "--out", str(out)
        )
        == 0
    )
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert (line["text"], line["content_labels"], line["expected_verdict"]) == (
        EDITED,
        ["UNSUPPORTED_CLAIM"],
        "ALLOW",
    )
    assert load_gold(out.read_text().splitlines()).errors == []


def test_feedback_is_refused_for_another_institutions_post_and_for_bad_spans(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    with pytest.raises(NotInQueue):
        bench.desk.record_feedback("clinic-b", "p-1", "rev-b", [PERSON])
    with pytest.raises(ReviewError, match="outside the text") as caught:
        bench.desk.record_feedback(
            "demo-hospital",
            "p-1",
            "rev-1",
            [FindingFeedback(FeedbackOutcome.MISSED, "IDENTIFIER", "AGE", 5, 900)],
        )
    assert "Jane" not in str(caught.value)
    assert bench.store.feedback() == []


def test_since_filters_and_bad_arguments_are_usage_errors(bench: Bench, tmp_path: Path) -> None:
    bench.desk.hold(held(), post())
    bench.desk.record_feedback("demo-hospital", "p-1", "rev-1", [PERSON])
    out = tmp_path / "f.jsonl"
    assert (
        _export("--store", str(bench.store.path), "--since", "2026-12-01T09:00:00.001Z", "--out", str(out))
        == 0
    )
    assert out.read_text() == ""
    assert (
        _export("--store", str(bench.store.path), "--since", "2026-12-01T09:00:00Z", "--out", str(out)) == 0
    )
    assert len(out.read_text().splitlines()) == 1
    assert _export("--store", str(bench.store.path), "--since", "yesterday", "--out", str(out)) == 2
    assert _export("--store", str(tmp_path / "missing.db"), "--out", str(out)) == 2
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (FindingFeedback("maybe", "IDENTIFIER", "PERSON", 0, 4), "unknown outcome or category"),  # type: ignore[arg-type]
        (FindingFeedback(FeedbackOutcome.MISSED, "MOOD", "PERSON", 0, 4), "unknown outcome or category"),
        (
            FindingFeedback(FeedbackOutcome.MISSED, "IDENTIFIER", "PATIENT_SOLICITATION", 0, 4),
            "not a IDENTIFIER",
        ),
        (FindingFeedback(FeedbackOutcome.MISSED, "CONTENT", "PERSON", 0, 4), "not a CONTENT label"),
        (FindingFeedback(FeedbackOutcome.MISSED, "IDENTIFIER", "AGE", 4, 4), "outside the text"),
    ],
)
def test_feedback_entries_are_checked_before_anything_is_stored(
    bench: Bench, entry: FindingFeedback, message: str
) -> None:
    bench.desk.hold(held(), post())
    with pytest.raises(ReviewError, match=message):
        bench.desk.record_feedback("demo-hospital", "p-1", "rev-1", [PERSON, entry])
    assert bench.store.feedback() == []
