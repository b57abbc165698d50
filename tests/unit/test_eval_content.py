"""``make eval``'s content scorer: acted-on findings, labels a source does not annotate, clean-post holds."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import Category, Finding, Post

from training.eval_content import ContentSet, format_scores, score_set

pytestmark = pytest.mark.unit


def content(label: str, confidence: float = 0.9) -> Finding:
    return Finding(Category.CONTENT, label, 0, 4, confidence, "test", "")


class FixedClassifier:
    """Answers each post with the findings listed for its post_id (the scorer is under test, not rules)."""

    def __init__(self, by_id: dict[str, list[Finding]]) -> None:
        self.by_id = by_id

    def classify_batch(self, posts: Sequence[Post]) -> list[list[Finding]]:
        return [self.by_id.get(p.post_id, []) for p in posts]


def posts(n: int) -> list[Post]:
    return [
        Post(post_id=f"p{i}", institution_id="demo-hospital", platform="x", text="text") for i in range(n)
    ]


POLICY = PolicyRegistry.load(None).policy_for("demo-hospital")


def test_hits_misses_and_false_alarms_per_label():
    s = ContentSet(
        "t", posts(3), [frozenset({"UNPROFESSIONAL"}), frozenset({"PERSONAL_ADVICE"}), frozenset()]
    )
    clf = FixedClassifier({"p0": [content("UNPROFESSIONAL")], "p2": [content("PERSONAL_ADVICE")]})
    score = score_set(clf, POLICY, s)
    assert (score.labels["UNPROFESSIONAL"].tp, score.labels["UNPROFESSIONAL"].fp) == (1, 0)
    assert (score.labels["PERSONAL_ADVICE"].tp, score.labels["PERSONAL_ADVICE"].fn) == (0, 1)
    assert score.labels["PERSONAL_ADVICE"].fp == 1
    assert (score.clean, score.clean_held) == (1, 1)  # p2 has no content label and a review finding


def test_findings_under_the_policy_bar_are_not_predictions():
    s = ContentSet("t", posts(1), [frozenset()])
    score = score_set(FixedClassifier({"p0": [content("UNPROFESSIONAL", confidence=0.1)]}), POLICY, s)
    assert "UNPROFESSIONAL" not in score.labels
    assert (score.clean, score.clean_held) == (1, 0)


def test_a_label_the_source_does_not_annotate_counts_neither_way():
    s = ContentSet("t", posts(1), [frozenset()], [frozenset({"PERSONAL_ADVICE"})])
    score = score_set(FixedClassifier({"p0": [content("UNPROFESSIONAL")]}), POLICY, s)
    assert "UNPROFESSIONAL" not in score.labels
    assert score.clean == 0  # annotated sources are scored per label, not as clean posts


def test_a_redact_only_label_is_a_prediction_but_not_a_hold():
    s = ContentSet("t", posts(1), [frozenset()])
    score = score_set(FixedClassifier({"p0": [content("MISSING_DISCLAIMER")]}), POLICY, s)
    assert score.labels["MISSING_DISCLAIMER"].fp == 1
    assert score.clean_held == 0  # the default policy redacts (allow with changes), it does not hold


def test_report_lines_show_rules_beside_models():
    s = ContentSet("t", posts(2), [frozenset({"UNPROFESSIONAL"}), frozenset()])
    rules = score_set(FixedClassifier({}), POLICY, s)
    models = score_set(FixedClassifier({"p0": [content("UNPROFESSIONAL")]}), POLICY, s)
    text = format_scores("t", rules, models, 2)
    line = next(x for x in text.splitlines() if x.startswith("UNPROFESSIONAL"))
    assert "0.0%" in line and "100.0%" in line
    assert "rules 0.0 % (0/1), models 0.0 % (0/1)" in text


def test_errors_list_missed_and_false_labels_with_the_post():
    s = ContentSet("dev/t", posts(2), [frozenset({"UNPROFESSIONAL"}), frozenset()])
    errors: list[str] = []
    score_set(FixedClassifier({"p1": [content("PERSONAL_ADVICE")]}), POLICY, s, errors=errors)
    assert [e.split()[:3] for e in sorted(errors)] == [
        ["false", "PERSONAL_ADVICE", "p1:"],
        ["missed", "UNPROFESSIONAL", "p0:"],
    ]


def test_errors_are_refused_for_sets_that_are_not_dev(capsys: pytest.CaptureFixture[str]):
    from training.eval_content import main

    with pytest.raises(SystemExit):
        main(["--sets", "gold", "--errors", "holdout/content_staff"])
    assert "only prints dev/ sets" in capsys.readouterr().err
