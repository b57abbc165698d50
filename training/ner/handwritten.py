"""Hand-written, annotated staff posts for the NER (``data/train/ner_train_*.txt``), with name swaps.

Each line is ``platform | text``; entities are marked inline as ``{{span|LABEL}}`` or, for people,
``{{span|PERSON:role}}`` (role: patient, relative, staff, public, self). Every person is PERSON to the
model, whatever the role: the NER learns what a name is; the detector's role cues decide whose it is.

Each file is split by post (80/10/10, seeded). Training posts are used as written and, ``SWAPS`` more
times, with every person and place swapped for a name or town drawn from the training share
of the staff-template pools (`staff_templates.Filler`), keeping the writer's casing, so the natural
contexts are learnt with many names, not the few a writer happened to pick.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from training.common import REPO_ROOT, SEED, split_three
from training.ner.staff_templates import Filler

DATA = REPO_ROOT / "data" / "train"
PATTERN = "ner_train_*.txt"
MARK = re.compile(r"\{\{([^{}|]+)\|([A-Z]+)(?::([a-z]+))?\}\}")
LABELS = frozenset({"PERSON", "LOCATION", "FACILITY", "ORG"})
ROLES = frozenset({"patient", "relative", "staff", "public", "self"})
PLATFORMS = frozenset({"x", "linkedin", "instagram", "tiktok", "youtube", "facebook", "other"})
TITLE_BEFORE = re.compile(r"\b(?:mr|mrs|ms|miss|dr|prof|sister|nurse|sr|smt|shri|aunty|uncle)\.?\s+$", re.I)
SWAPS = 3
Example = tuple[str, list[tuple[int, int, str]]]


@dataclass(frozen=True)
class Entity:
    """One marked span: character offsets in the unmarked text, label and (for people) role."""

    start: int
    end: int
    label: str
    role: str | None


@dataclass(frozen=True)
class Post:
    """One hand-written post with its entities."""

    source: str
    platform: str
    text: str
    entities: tuple[Entity, ...]


def parse_line(line: str, where: str) -> tuple[str, str, list[Entity]]:
    """``platform | marked text`` -> (platform, text, entities); ValueError names ``where``."""
    platform, sep, marked = line.partition(" | ")
    platform = platform.strip()
    if not sep or platform not in PLATFORMS:
        raise ValueError(f"{where}: expected 'platform | text' with a known platform")
    marked = marked.strip().replace("\\n", "\n")
    text, entities, pos = "", [], 0
    for m in MARK.finditer(marked):
        label, role = m.group(2), m.group(3)
        if label not in LABELS or (label == "PERSON") != (role is not None) or (role and role not in ROLES):
            raise ValueError(f"{where}: unknown mark {m.group(2)}:{m.group(3)}")
        text += marked[pos : m.start()]
        span = m.group(1)
        if span != span.strip():
            raise ValueError(f"{where}: a marked span starts or ends with whitespace")
        entities.append(Entity(len(text), len(text) + len(span), label, role))
        text += span
        pos = m.end()
    text += marked[pos:]
    if "{{" in text or "}}" in text or "|" in text:
        raise ValueError(f"{where}: a mark is malformed or a '|' sits in the text")
    return platform, text, entities


def read_posts(path: Path) -> list[Post]:
    """Parse one file (comments and blank lines skipped)."""
    posts = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        platform, text, entities = parse_line(line, f"{path.name}:{n}")
        posts.append(Post(path.stem, platform, text, tuple(entities)))
    return posts


def _cased(value: str, like: str) -> str:
    if like.islower():
        return value.lower()
    if like.isupper() and len(like) > 1:
        return value.upper()
    return value


def _replacement(entity: Entity, original: str, before: str, filler: Filler) -> str | None:
    """A new name or town for one span, or None to keep it (facilities, orgs)."""
    if entity.label == "LOCATION":  # every place, so the model learns where places sit, not which
        return _cased(filler.town(), original)
    if entity.label != "PERSON":
        return None
    first, last = filler.person()
    if len(original.split()) >= 2:
        return _cased(f"{first} {last}", original)
    value = last if TITLE_BEFORE.search(before) else first
    return _cased(value, original)


def swap_names(post: Post, filler: Filler) -> Example:
    """The post with its people and places replaced; the same name maps alike."""
    out, spans, pos, chosen = "", [], 0, {}
    for e in post.entities:
        original = post.text[e.start : e.end]
        out += post.text[pos : e.start]
        key = (e.label, original.lower())
        if key not in chosen:
            chosen[key] = _replacement(e, original, post.text[max(0, e.start - 12) : e.start], filler)
        value = chosen[key] or original
        spans.append((len(out), len(out) + len(value), e.label))
        out += value
        pos = e.end
    return out + post.text[pos:], spans


def as_example(post: Post) -> Example:
    """The post as written."""
    return post.text, [(e.start, e.end, e.label) for e in post.entities]


def load_splits(data: Path = DATA, swaps: int = SWAPS) -> dict[str, list[Example]]:
    """train / dev / test examples from every hand-written file; train gets ``swaps`` name-swapped copies."""
    out: dict[str, list[Example]] = {"train": [], "dev": [], "test": []}
    filler = Filler(0, {}, random.Random(SEED))
    for path in sorted(data.glob(PATTERN)):
        posts = read_posts(path)
        for split, part in zip(out, split_three(posts, f"handwritten-{path.stem}"), strict=True):
            out[split].extend(as_example(p) for p in part)
            if split == "train":
                out[split].extend(swap_names(p, filler) for p in part for _ in range(swaps))
    return out
