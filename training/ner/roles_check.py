"""What the whole pipeline acts on, per marked role, on the hand-written posts no model was trained on.

    python -m training.ner.roles_check [--models | --no-models]

The dev and test posts of every ``data/train/ner_train_*.txt`` file (the split ``handwritten.load_splits``
uses, so no NER candidate trained on them): for each marked entity (``PERSON:patient``, ``PERSON:staff``,
``LOCATION``, ...), the share covered by an identifier finding the demo policy acts on. Patient-side
names should be acted on, staff and public names mostly not. Prints counts only, no post text.
"""

from __future__ import annotations

import argparse
from collections import Counter

from training.common import split_three
from training.ner import handwritten

INSTITUTION = "demo-hospital"
CREATED_AT = "2026-11-20T10:00:00Z"


def held_out_posts() -> list[handwritten.Post]:
    """The dev + test posts of every hand-written file."""
    posts: list[handwritten.Post] = []
    for path in sorted(handwritten.DATA.glob(handwritten.PATTERN)):
        _, dev, test = split_three(handwritten.read_posts(path), f"handwritten-{path.stem}")
        posts += dev + test
    return posts


def acted_share(posts: list[handwritten.Post], *, models: bool) -> tuple[Counter[str], Counter[str]]:
    """``(acted, total)`` per entity kind (``LABEL`` or ``LABEL:role``)."""
    from postguard.domain.types import Category, Post
    from postguard.embedded.evaluate import acted_on
    from postguard.embedded.runner import build_pipeline

    pipeline = build_pipeline(use_models=models)
    policy = pipeline.policies.policy_for(INSTITUTION)
    batch = [
        Post(f"hw-{i}", INSTITUTION, p.platform, p.text, created_at=CREATED_AT) for i, p in enumerate(posts)
    ]
    findings = []
    for i in range(0, len(batch), 64):
        findings += pipeline.identifiers.detect_batch(batch[i : i + 64])
    acted: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for post, found in zip(posts, findings, strict=True):
        spans = [f for f in found if f.category is Category.IDENTIFIER and acted_on(f, policy)]
        for e in post.entities:
            kind = f"{e.label}:{e.role}" if e.role else e.label
            total[kind] += 1
            acted[kind] += any(f.start < e.end and e.start < f.end for f in spans)
    return acted, total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    posts = held_out_posts()
    acted, total = acted_share(posts, models=args.models)
    print(f"{len(posts)} dev + test hand-written posts, models {'on' if args.models else 'off'}")
    for kind in sorted(total):
        share = 100 * acted[kind] / total[kind]
        print(f"  {kind:18} acted on {acted[kind]:4} / {total[kind]:4} = {share:5.1f} %")


if __name__ == "__main__":
    main()
