"""The content classifier's training workflow: in-genre data loading, folds, Platt scaling, thresholds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from training.common import REPO_ROOT
from training.textcat import train_content as tc
from training.textcat.in_genre import LABELS, LabelledPost, in_genre_files, load_in_genre

pytestmark = pytest.mark.unit


def write_jsonl(path: Path, rows: list[tuple[str, list[str]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"post_id": f"p{i}", "text": t, "content_labels": ls}) for i, (t, ls) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_shipped_training_data_never_includes_gold_or_holdout() -> None:
    files = [f.relative_to(REPO_ROOT).as_posix() for f in in_genre_files()]
    assert files and all(f.startswith(("data/dev/", "data/train/")) for f in files)
    posts = load_in_genre()
    assert {label for p in posts for label in p.labels} == set(LABELS)  # every label has training posts


def test_duplicates_are_dropped_and_conflicting_labels_raise(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data/dev/a.jsonl", [("DM me your symptoms!", ["PATIENT_SOLICITATION"])])
    write_jsonl(
        tmp_path / "data/train/b.jsonl", [("dm me your SYMPTOMS", ["PATIENT_SOLICITATION"]), ("hi", [])]
    )
    posts = load_in_genre(tmp_path)
    assert [(p.source, p.text) for p in posts] == [("a", "DM me your symptoms!"), ("b", "hi")]
    assert posts[0].cats() == {label: float(label == "PATIENT_SOLICITATION") for label in LABELS}
    write_jsonl(tmp_path / "data/train/b.jsonl", [("DM me your symptoms", [])])
    with pytest.raises(ValueError, match="same text as p0, other labels"):
        load_in_genre(tmp_path)


def test_unknown_labels_are_refused(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data/dev/a.jsonl", [("hello", ["RUDE"])])
    with pytest.raises(ValueError, match=r"a.jsonl:1: unknown content labels \['RUDE'\]"):
        load_in_genre(tmp_path)


def test_folds_are_stratified_or_one_per_source() -> None:
    posts = [
        LabelledPost(f"p{i}", "ab"[i % 2], f"t{i}", frozenset({"UNPROFESSIONAL"} if i < 10 else ()))
        for i in range(30)
    ]
    folds = tc.fold_of(posts, 5)
    assert sorted(folds[:10]) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]  # the positives spread evenly
    assert tc.fold_by_source(posts) == [i % 2 for i in range(30)]


def test_platt_scaling_recovers_a_known_calibration() -> None:
    rng = np.random.default_rng(7)
    raw = rng.uniform(0.01, 0.99, 4000)
    truth = 1 / (1 + np.exp(-(2.0 * np.log(raw / (1 - raw)) - 1.0)))
    y = rng.uniform(size=raw.size) < truth
    a, b = tc.fit_platt(raw, y)
    assert a == pytest.approx(2.0, abs=0.25) and b == pytest.approx(-1.0, abs=0.2)
    assert np.all(np.diff(tc.platt(np.sort(raw), a, b)) >= 0)  # monotone: the ranking is kept


def test_threshold_is_precision_first_and_disabled_when_never_precise() -> None:
    p = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.65, 0.3])
    y = np.array([True, True, True, False, True, True, False])
    t = tc.pick_threshold(p, y)
    assert t == pytest.approx(0.81)  # 0.70 would add two hits but 0.8 is a false one: precision 0.8
    assert tc.counts_at(p, y, t).precision >= tc.TARGET_PRECISION
    assert tc.pick_threshold(np.array([0.9, 0.8]), np.array([False, True])) == 1.0


def test_the_training_posts_build_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "data" / "train" / "build_train.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
