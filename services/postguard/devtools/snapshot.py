"""Findings snapshot: every finding and verdict on a fixed post set, to prove an engine change kept them.

    python -m postguard.devtools.snapshot --out before.jsonl [--no-models]
    ... change the engine ...
    python -m postguard.devtools.snapshot --compare before.jsonl [--no-models]

The post set is the gold posts, the demo samples and ``--generated`` posts from the benchmark generator.
``--compare`` prints each post whose findings or verdict differ (ids and labels only, no post text) and
exits 1 when any does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from postguard.domain.types import Post

ROOT = Path(__file__).resolve().parents[3]
SOURCES = (ROOT / "data" / "gold" / "posts.jsonl", ROOT / "samples" / "posts.jsonl")


def _posts(generated: int) -> list[Post]:
    records = []
    for path in SOURCES:
        records += [
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    if generated:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_embedded import generate

        records += generate(generated)
    posts = []
    for i, r in enumerate(records):
        posts.append(
            Post(
                post_id=f"snap-{i:06d}",
                institution_id=r.get("institution_id", "riverside-clinic"),
                platform=r.get("platform", "x"),
                text=r["text"],
                consent_reference=r.get("consent_reference", ""),
            )
        )
    return posts


def snapshot(*, use_models: bool, generated: int) -> list[dict]:
    """One record per post: verdict and the sorted (category, label, start, end, detector) findings."""
    from postguard.domain.pipeline import ScreeningPipeline

    pipeline = ScreeningPipeline.default(use_models=use_models)
    posts = _posts(generated)
    out = []
    for i in range(0, len(posts), 64):
        for post, decision in zip(posts[i : i + 64], pipeline.screen_batch(posts[i : i + 64]), strict=True):
            findings = sorted(
                [f.category.value, f.label, f.start, f.end, f.detector, round(f.confidence, 2)]
                for f in decision.findings
            )
            out.append({"post_id": post.post_id, "verdict": decision.verdict.value, "findings": findings})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the snapshot here")
    parser.add_argument("--compare", type=Path, help="compare with this snapshot; exit 1 on any difference")
    parser.add_argument("--no-models", action="store_true", help="rules only")
    parser.add_argument("--generated", type=int, default=2000, help="generated posts added (default 2000)")
    args = parser.parse_args(argv)
    current = snapshot(use_models=not args.no_models, generated=args.generated)
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in current), encoding="utf-8")
        print(f"wrote {len(current)} posts to {args.out}")
    if args.compare:
        before = {
            r["post_id"]: r for r in map(json.loads, args.compare.read_text(encoding="utf-8").splitlines())
        }
        changed = [r for r in current if before.get(r["post_id"]) != r]
        for r in changed[:50]:
            old = before.get(r["post_id"], {})
            print(
                f"{r['post_id']}: verdict {old.get('verdict')} -> {r['verdict']}; "
                f"findings {old.get('findings')} -> {r['findings']}"
            )
        print(f"{len(changed)} of {len(current)} posts differ")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
