"""The in-genre training posts of the content classifier: the project's own hand-written staff posts.

Sources (gold format, ``data/gold/README.md``): every ``data/dev/*.jsonl`` (the rule writers' dev sets)
and every ``data/train/*.jsonl`` (built by ``data/train/build_train.py`` from the writers' ``.txt``).
``data/gold/posts.jsonl`` is evaluation data and ``data/holdout/`` is never read: both are refused here.
Every post annotates all eight content labels (a label it does not carry is a negative).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from postguard.domain.types import ContentLabel

from training.common import REPO_ROOT, fingerprint

LABELS = tuple(label.value for label in ContentLabel)
FOLDERS = ("data/dev", "data/train")
FORBIDDEN = ("data/gold", "data/holdout")


@dataclass(frozen=True)
class LabelledPost:
    """One staff post with its content labels and the file it came from."""

    post_id: str
    source: str
    text: str
    labels: frozenset[str]

    def cats(self) -> dict[str, float]:
        """spaCy ``doc.cats``: 1.0 for each label the post carries, 0.0 for the others."""
        return {label: float(label in self.labels) for label in LABELS}


def in_genre_files(root: Path = REPO_ROOT) -> list[Path]:
    """The jsonl files the classifier may train on, in a fixed order."""
    files = [f for folder in FOLDERS for f in sorted((root / folder).glob("*.jsonl"))]
    for f in files:
        relative = f.resolve().relative_to(root.resolve()).as_posix()
        if relative.startswith(FORBIDDEN):
            raise ValueError(f"{relative} is evaluation data, not training data")
    return files


def load_in_genre(root: Path = REPO_ROOT) -> list[LabelledPost]:
    """Every in-genre post, de-duplicated on normalised text (the first copy wins; a duplicate whose
    labels differ raises, since one of the two annotations must be wrong)."""
    seen: dict[str, LabelledPost] = {}
    for path in in_genre_files(root):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            unknown = set(row["content_labels"]) - set(LABELS)
            if unknown:
                raise ValueError(f"{path.name}:{lineno}: unknown content labels {sorted(unknown)}")
            post = LabelledPost(row["post_id"], path.stem, row["text"], frozenset(row["content_labels"]))
            key = fingerprint(post.text)
            first = seen.setdefault(key, post)
            if first is not post and first.labels != post.labels:
                raise ValueError(f"{path.name}:{lineno}: same text as {first.post_id}, other labels")
    return list(seen.values())
