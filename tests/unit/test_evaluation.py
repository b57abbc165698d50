"""Evaluation metrics on a tiny hand-made set, the eval command, and the gold set's own integrity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from postguard.cli import main
from postguard.domain.evaluation import Counts, evaluate, gold_from_mapping, span_counts
from postguard.domain.types import Category, Finding, Verdict
from postguard.domain.validation import PostValidationError

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def gold(text: str, spans=(), labels=(), verdict: str = "ALLOW", pid: str = "g"):
    ids = [
        {"start": text.index(frag), "end": text.index(frag) + len(frag), "label": lab} for frag, lab in spans
    ]
    raw = {"post_id": pid, "institution_id": "demo-hospital", "platform": "x", "text": text,
           "identifiers": ids, "content_labels": list(labels), "expected_verdict": verdict}  # fmt: skip
    return gold_from_mapping(raw)


def ident(text: str, frag: str, label: str) -> Finding:
    start = text.index(frag)
    return Finding(Category.IDENTIFIER, label, start, start + len(frag), 0.9, "t", "")


def cont(label: str) -> Finding:
    return Finding(Category.CONTENT, label, 0, 0, 0.9, "t", "")


def test_counts_scores_and_empty_cases() -> None:
    c = Counts(tp=3, fp=1, fn=2, found=3)
    assert c.precision == 0.75 and c.recall == 0.6 and c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert Counts().precision is None and Counts().recall is None and Counts().f1 is None
    assert Counts(fp=2, fn=1).f1 == 0.0


def test_span_matching_needs_overlap_and_same_label() -> None:
    gold_spans = [(0, 10, "PERSON"), (20, 25, "DATE")]
    predicted = [(5, 12, "PERSON"), (20, 25, "AGE"), (30, 35, "DATE")]
    counts = span_counts(gold_spans, predicted)
    assert (counts["PERSON"].tp, counts["PERSON"].fp, counts["PERSON"].found) == (1, 0, 1)
    assert (counts["AGE"].tp, counts["AGE"].fp) == (0, 1)
    assert (counts["DATE"].tp, counts["DATE"].fp, counts["DATE"].fn) == (0, 1, 1)
    # touching is not overlapping
    assert span_counts([(0, 5, "DATE")], [(5, 9, "DATE")])["DATE"].tp == 0


def test_split_prediction_of_one_gold_span_is_not_punished() -> None:
    counts = span_counts([(0, 10, "PERSON")], [(0, 4, "PERSON"), (5, 10, "PERSON")])["PERSON"]
    assert (counts.tp, counts.fp, counts.found, counts.fn) == (2, 0, 1, 0) and counts.support == 1
    assert counts.precision == 1.0 and counts.recall == 1.0


def test_evaluate_tiny_set_by_hand() -> None:
    t1 = "My patient Ann Lee, 92, from Dayton"
    t2 = "DM me your rash photos and I'll tell you what cream to use"
    t3 = "Great hand-hygiene workshop today!"
    t4 = "Flu clinic Saturday 9-1 in the lobby"
    items = [
        gold(t1, [("Ann Lee", "PERSON"), ("92", "AGE"), ("Dayton", "LOCATION")], verdict="BLOCK", pid="1"),
        gold(t2, labels=["PATIENT_SOLICITATION", "PERSONAL_ADVICE"], verdict="REVIEW", pid="2"),
        gold(t3, pid="3"),
        gold(t4, pid="4"),
    ]
    findings = [
        [ident(t1, "Ann Lee", "PERSON"), ident(t1, "Dayton", "LOCATION"), ident(t1, "My", "PERSON")],
        [cont("PATIENT_SOLICITATION"), cont("UNPROFESSIONAL")],
        [],
        [ident(t4, "Saturday", "DATE")],
    ]
    verdicts = [Verdict.BLOCK, Verdict.BLOCK, Verdict.ALLOW, Verdict.REVIEW]
    report = evaluate(items, findings, verdicts)
    person, age, loc = (report.identifiers[k] for k in ("PERSON", "AGE", "LOCATION"))
    assert (person.tp, person.fp, person.fn) == (1, 1, 0) and person.precision == 0.5 and person.recall == 1.0
    assert (age.tp, age.fp, age.fn) == (0, 0, 1) and age.recall == 0.0 and age.precision is None
    assert loc.f1 == 1.0
    assert (report.identifiers["DATE"].fp, report.identifiers["DATE"].support) == (1, 0)
    sol, adv, unp = (report.content[k] for k in ("PATIENT_SOLICITATION", "PERSONAL_ADVICE", "UNPROFESSIONAL"))
    assert (sol.tp, adv.fn, unp.fp) == (1, 1, 1)
    micro = report.micro(report.identifiers)
    assert (micro.tp, micro.fp, micro.fn) == (2, 2, 1)
    assert report.verdict_accuracy == 0.5  # posts 1 and 3
    assert report.false_hold_rate == 0.5 and (report.clean_held, report.clean_posts) == (1, 2)
    assert report.missed_hold_rate == 0.0
    assert report.confusion["REVIEW"] == {"BLOCK": 1}
    data = report.to_dict()
    assert data["identifiers"]["PERSON"]["precision"] == 0.5 and data["clean_false_hold_rate"] == 0.5


def test_evaluate_refuses_misaligned_inputs() -> None:
    with pytest.raises(ValueError, match="one entry per post"):
        evaluate([gold("hello")], [], [])


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"identifiers": [{"start": 3, "end": 1, "label": "DATE"}]}, "identifiers[0]"),
        ({"identifiers": [{"start": 0, "end": 2, "label": "DAET"}]}, "identifiers[0]"),
        ({"identifiers": [{"start": "x"}]}, "identifiers[0]"),
        ({"content_labels": ["RUDE"]}, "content_labels"),
        ({"expected_verdict": "MAYBE"}, "expected_verdict"),
        ({"text": ""}, "text"),
    ],
)
def test_bad_gold_lines_are_refused(patch: dict, field: str) -> None:
    raw = {"post_id": "g", "institution_id": "demo-hospital", "platform": "x", "text": "hello world",
           "identifiers": [], "content_labels": [], "expected_verdict": "ALLOW"} | patch  # fmt: skip
    with pytest.raises(PostValidationError) as excinfo:
        gold_from_mapping(raw)
    assert excinfo.value.field == field


def test_eval_command_prints_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        {"post_id": "1", "institution_id": "demo-hospital", "platform": "x",
         "text": "Great turnout at today's hand-hygiene workshop! Thanks to all our nurses.",
         "identifiers": [], "content_labels": [], "expected_verdict": "ALLOW"},
        {"post_id": "2", "institution_id": "demo-hospital", "platform": "x",
         "text": "Call me at (937) 555-0142 about patient records",
         "identifiers": [{"start": 11, "end": 25, "label": "PHONE"}], "content_labels": [],
         "expected_verdict": "BLOCK"},
    ]  # fmt: skip
    src = tmp_path / "gold.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in items) + "\n", encoding="utf-8")
    out = tmp_path / "metrics.json"
    assert main(["eval", str(src), "--no-models", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "IDENTIFIER spans" in printed and "verdict accuracy" in printed and "posts/s" in printed
    assert all(len(line) <= 100 for line in printed.splitlines())
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert metrics["posts"] == 2 and metrics["clean_posts"] == 1
    assert set(metrics["identifiers"]) >= {"PHONE", "PERSON"} and metrics["posts_per_second"] > 0


def test_eval_command_reports_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "gold.jsonl"
    good = {"post_id": "1", "institution_id": "demo-hospital", "platform": "x", "text": "hello",
            "identifiers": [], "content_labels": [], "expected_verdict": "ALLOW"}  # fmt: skip
    src.write_text(json.dumps(good) + "\n{oops\n", encoding="utf-8")
    assert main(["eval", str(src), "--no-models"]) == 1
    assert "gold.jsonl:2: not valid JSON" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "missing.jsonl")]) == 2


def test_gold_set_is_consistent_with_its_source() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "data" / "gold" / "build_gold.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = (ROOT / "data" / "gold" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    parsed = [gold_from_mapping(json.loads(x)) for x in lines]
    assert len(parsed) >= 150
    assert sum(g.expected_verdict is Verdict.ALLOW for g in parsed) >= 0.4 * len(parsed)
