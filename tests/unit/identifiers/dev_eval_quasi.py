"""Precision/recall of the quasi-identifier recognizer on the hand-written dev cases (not the gold set).

Run: .venv/bin/python tests/unit/identifiers/dev_eval_quasi.py [-v] [--holdout]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import IdentifierLabel, Post

DEV_FILE = Path(__file__).parent / "dev_cases" / "quasi.jsonl"


def load_cases(path: Path = DEV_FILE) -> list[tuple[str, bool]]:
    """``(text, expected)`` rows of the quasi-identifier dev file."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return [(r["text"], bool(r["expected"])) for r in rows]


def score(detector: IdentifierDetector, path: Path = DEV_FILE) -> tuple[float, float, list[str], list[str]]:
    """Precision, recall, missed positives and false positives of QUASI_IDENTIFIER."""
    label = IdentifierLabel.QUASI_IDENTIFIER.value
    tp = fp = fn = 0
    missed: list[str] = []
    false_pos: list[str] = []
    for n, (text, expected) in enumerate(load_cases(path)):
        post = Post(post_id=f"dev-{n}", institution_id="inst-1", platform="x", text=text)
        fired = any(f.label == label for f in detector.detect(post))
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
    path = DEV_FILE.parent / "holdout" / DEV_FILE.name if "--holdout" in sys.argv else DEV_FILE
    p, r, missed, false_pos = score(IdentifierDetector(), path)
    print(f"QUASI_IDENTIFIER         P={p:.2f} R={r:.2f}  missed={len(missed)} fp={len(false_pos)}")
    if "-v" in sys.argv:
        for t in missed:
            print("   MISS", t)
        for t in false_pos:
            print("   FP  ", t)


if __name__ == "__main__":
    main()
