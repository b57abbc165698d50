"""Rules + model, measured out of fold: the real ``AdviceClassifier`` merge fed with out-of-fold scores.

``train_content`` scores every in-genre post with a model that never saw it; here those calibrated
probabilities go through the same merge the service runs (``AdviceClassifier._merge_model``) and the
same counting as ``training.eval_content`` (a prediction is a content finding the default policy acts on).
The dev sets are the rule writers' own tuning data, so their rules numbers are fit; the ``data/train``
posts were written after the rules, so their rules numbers are closer to unseen posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.common import DEFAULT_DATA_DIR, Counts, print_table
from training.eval_content import INSTITUTION, ContentSet, public_sets, score_set
from training.textcat.in_genre import LABELS, LabelledPost


class FixedScores:
    """A ``TextCategoryModel`` that returns precomputed probabilities per text."""

    def __init__(self, by_text: dict[str, dict[str, float]], thresholds: dict[str, float]) -> None:
        self.by_text = by_text
        self.thresholds = thresholds

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [self.by_text[t] for t in texts]


def _content_set(name: str, posts: Sequence[LabelledPost]) -> ContentSet:
    from postguard.domain.types import Post

    return ContentSet(
        name,
        [Post(post_id=p.post_id, institution_id=INSTITUTION, platform="other", text=p.text) for p in posts],
        [p.labels for p in posts],
    )


def _tables(score) -> dict:
    return {
        "labels": {k: v.as_dict() for k, v in sorted(score.labels.items())},
        "clean_posts": score.clean,
        "clean_content_holds": score.clean_held,
    }


def combined_tables(posts: Sequence[LabelledPost], p: np.ndarray, thresholds: dict[str, float]) -> dict:
    """Rules alone and rules + out-of-fold model, per in-genre source and over all of them."""
    from postguard.domain.advice import AdviceClassifier
    from postguard.domain.policy.registry import PolicyRegistry

    policy = PolicyRegistry.load(None).policy_for(INSTITUTION)
    by_text = {
        post.text: dict(zip(LABELS, map(float, row), strict=True)) for post, row in zip(posts, p, strict=True)
    }
    rules = AdviceClassifier(text_model=None)
    merged = AdviceClassifier(text_model=FixedScores(by_text, thresholds))
    groups = {"all": list(posts)}
    for source in sorted({post.source for post in posts}):
        groups[source] = [post for post in posts if post.source == source]
    out: dict[str, dict] = {"rules_alone": {}, "rules_plus_model": {}}
    for name, group in groups.items():
        s = _content_set(name, group)
        out["rules_alone"][name] = _tables(score_set(rules, policy, s))
        out["rules_plus_model"][name] = _tables(score_set(merged, policy, s))
    return out


def public_test_table(nlp, calibration, data: Path = DEFAULT_DATA_DIR) -> dict:
    """The model alone on the public test splits (each source scored on the labels it annotates)."""
    from training.textcat.train_content import raw_scores

    if not (data / "hatexplain").is_dir():
        return {}
    out: dict[str, dict] = {}
    for s in public_sets(data):
        p = calibration.probabilities(raw_scores(nlp, [post.text for post in s.posts]))
        table: dict[str, dict] = {}
        for j, label in enumerate(LABELS):
            rows = [k for k, a in enumerate(s.annotated) if a is not None and label in a]
            if not rows:
                continue
            c = Counts()
            for k in rows:
                gold, hit = label in s.labels[k], bool(p[k, j] >= calibration.thresholds[label])
                c.tp += gold and hit
                c.fp += hit and not gold
                c.fn += gold and not hit
            table[label] = {**c.as_dict(), "flagged": c.tp + c.fp, "docs": len(rows)}
        out[s.name] = table
    return out


def print_report(report: dict, calibration) -> None:
    """The out-of-fold tables on stdout."""
    print(f"settings {report['settings']}, {report['folds']} folds, {report['posts']} posts")
    print(f"log loss raw {report['log_loss_raw']} -> calibrated {report['log_loss_calibrated']}")
    print("thresholds", calibration.thresholds)
    print_table("[out of fold] model alone", report["model_alone"])
    for name in report["rules_alone"]:
        r, m = report["rules_alone"][name], report["rules_plus_model"][name]
        print(f"\n[out of fold] {name}: rules alone -> rules + model (P / R / F1)")
        for label in LABELS:
            a, b = r["labels"].get(label), m["labels"].get(label)
            if a or b:
                print(f"  {label:<22}{_cell(a)}  ->  {_cell(b)}")
        if r["clean_posts"]:
            print(
                f"  clean-post content holds {r['clean_content_holds']}/{r['clean_posts']} -> "
                f"{m['clean_content_holds']}/{m['clean_posts']}"
            )


def _cell(row: dict | None) -> str:
    if not row:
        return "      -"
    return f"{row['precision']:.2f} / {row['recall']:.2f} / {row['f1']:.2f} (n={row['support']})"


def print_errors(
    posts: Sequence[LabelledPost], p: np.ndarray, gold: np.ndarray, thresholds: dict[str, float], n: int
) -> None:
    """The ``n`` most confident out-of-fold model errors (in-genre training posts only)."""
    errors = []
    for j, label in enumerate(LABELS):
        for k, post in enumerate(posts):
            hit = p[k, j] >= thresholds[label]
            if hit != gold[k, j]:
                errors.append((abs(p[k, j] - thresholds[label]), label, hit, p[k, j], post))
    for _, label, hit, prob, post in sorted(errors, key=lambda e: -e[0])[:n]:
        kind = "false " if hit else "missed"
        print(f"{kind} {label:<22} p={prob:.2f} {post.post_id}: {post.text[:150]!r}")
