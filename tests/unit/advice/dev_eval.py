"""Per-label precision/recall of the advice rules on the hand-written dev cases (not the gold set).

Run: .venv/bin/python tests/unit/advice/dev_eval.py [-v] [--holdout]  (-v lists misses; --holdout scores
dev_cases/holdout, written after the rules were tuned on dev_cases)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import ContentLabel, Post

DEV_DIR = Path(__file__).parent / "dev_cases"
DEV_LABELS: dict[str, str] = {
    "unprofessional": ContentLabel.UNPROFESSIONAL.value,
    "promotion": ContentLabel.UNDISCLOSED_PROMOTION.value,
    "disclaimer": ContentLabel.MISSING_DISCLAIMER.value,
    "personal_advice": ContentLabel.PERSONAL_ADVICE.value,
    "solicitation": ContentLabel.PATIENT_SOLICITATION.value,
}


def load_cases(name: str, directory: Path = DEV_DIR) -> list[tuple[str, bool]]:
    """``(text, expected)`` rows of one dev file."""
    rows = [
        json.loads(line) for line in (directory / f"{name}.jsonl").read_text("utf-8").splitlines() if line
    ]
    return [(r["text"], bool(r["expected"])) for r in rows]


def score(
    classifier: AdviceClassifier, name: str, directory: Path = DEV_DIR
) -> tuple[float, float, list[str], list[str]]:
    """Precision, recall, missed positives and false positives of one label on its dev file."""
    label = DEV_LABELS[name]
    tp = fp = fn = 0
    missed: list[str] = []
    false_pos: list[str] = []
    for n, (text, expected) in enumerate(load_cases(name, directory)):
        post = Post(post_id=f"dev-{n}", institution_id="inst-1", platform="x", text=text)
        fired = any(f.label == label for f in classifier.classify(post))
        if fired and expected:
            tp += 1
        elif fired:
            fp += 1
            false_pos.append(text)
        elif expected:
            fn += 1
            missed.append(text)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, missed, false_pos


def main() -> None:
    classifier = AdviceClassifier()
    verbose = "-v" in sys.argv
    directory = DEV_DIR / "holdout" if "--holdout" in sys.argv else DEV_DIR
    for name in DEV_LABELS:
        p, r, missed, false_pos = score(classifier, name, directory)
        print(f"{DEV_LABELS[name]:<24} P={p:.2f} R={r:.2f}  missed={len(missed)} fp={len(false_pos)}")
        if verbose:
            for t in missed:
                print("   MISS", t)
            for t in false_pos:
                print("   FP  ", t)


if __name__ == "__main__":
    main()
