"""Shared helpers of the training workflows: dataset paths, deterministic splits, P/R/F1 arithmetic."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = (REPO_ROOT / ".." / "shared" / "datasets").resolve()
MODELS_DIR = REPO_ROOT / "services" / "postguard" / "models"
SEED = 20261121
DEV_FRACTION = 0.1
TEST_FRACTION = 0.1

T = TypeVar("T")


def split_three(items: Sequence[T], name: str) -> tuple[list[T], list[T], list[T]]:
    """Deterministically split ``items`` into train/dev/test (80/10/10), seeded by ``name``."""
    order = list(range(len(items)))
    random.Random(f"{SEED}-{name}").shuffle(order)
    n_dev = round(len(items) * DEV_FRACTION)
    n_test = round(len(items) * TEST_FRACTION)
    dev = [items[i] for i in order[:n_dev]]
    test = [items[i] for i in order[n_dev : n_dev + n_test]]
    train = [items[i] for i in order[n_dev + n_test :]]
    return train, dev, test


def sample(items: Sequence[T], k: int, name: str) -> list[T]:
    """A seeded sample of at most ``k`` items (all of them, shuffled, when fewer)."""
    out = list(items)
    random.Random(f"{SEED}-sample-{name}").shuffle(out)
    return out[:k]


def fingerprint(text: str) -> str:
    """Normalised text hash used to de-duplicate examples across splits."""
    norm = " ".join("".join(c.lower() if c.isalnum() else " " for c in text).split())
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


@dataclass
class Counts:
    """True positives, false positives and false negatives of one label."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.tp + self.fn,
        }


def write_json(path: Path, payload: object) -> None:
    """Write ``payload`` as stable, diff-friendly JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def print_table(title: str, rows: dict[str, dict[str, float | int]]) -> None:
    """Print per-label P/R/F1 rows."""
    print(f"\n{title}")
    print(f"  {'label':<18}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}")
    for label, m in rows.items():
        print(f"  {label:<18}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9}")


def evaluation_arguments(
    description: str | None, model_dir: Path, corpus_dir: Path, *, calibrate_help: str, errors_help: str
) -> argparse.Namespace:
    """The command line every ``training.<pipeline>.evaluate`` shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", type=Path, default=model_dir)
    parser.add_argument("--corpus", type=Path, default=corpus_dir)
    parser.add_argument("--calibrate", action="store_true", help=calibrate_help)
    parser.add_argument("--write", action="store_true", help="write metrics.json beside the model")
    parser.add_argument("--errors", type=int, default=0, help=errors_help)
    return parser.parse_args()


def print_committed_metrics_if_no_corpus(tag: str, args: argparse.Namespace, corpus_target: str) -> bool:
    """Without a built corpus (no datasets here), print the committed metrics.json and return True."""
    if (args.corpus / "dev.spacy").is_file():
        return False
    print(f"[{tag}] no corpus at {args.corpus} (run `make {corpus_target}`); committed metrics.json:")
    committed = json.loads((args.model / "metrics.json").read_text(encoding="utf-8"))
    for split in ("dev", "test"):
        print_table(f"[{tag}] {split} ({committed[split]['docs']} docs)", committed[split]["labels"])
    return True


def package(src: Path, dest: Path, name: str, description: str, sources: list[dict[str, str]]) -> None:
    """Replace ``dest`` with the pipeline at ``src``, keeping the hand-written README and calibration."""
    keep = {f: (dest / f).read_bytes() for f in ("README.md", "calibration.json") if (dest / f).is_file()}
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest)
    for f, data in keep.items():
        (dest / f).write_bytes(data)
    meta = json.loads((dest / "meta.json").read_text(encoding="utf-8"))
    meta.update(name=name, version="0.1.0", description=description, sources=sources, license="see README.md")
    meta.pop("performance", None)  # our own metrics.json is the reference
    (dest / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    print(f"packaged {src} -> {dest} ({size / 1e6:.1f} MB)")
