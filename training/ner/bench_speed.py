"""NER-only throughput: posts per CPU-second of ``nlp.pipe`` over the generated benchmark posts.

    taskset -c 1 python -m training.ner.bench_speed [--model DIR ...] [--posts N] [--repeat R]

Batch 64, after one warm-up pass; CPU time of this process (run it pinned to one core). Each model is
timed ``--repeat`` times in turn (interleaved, so a busy neighbour hurts all of them alike); the best
run is reported.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import postguard.domain.ner_tagging  # noqa: F401  (the tagging NER's spaCy factory, for spacy.load)
import spacy

from training.common import MODELS_DIR, REPO_ROOT


def posts(count: int) -> list[str]:
    """Texts of the benchmark's generated posts (benchmarks/bench_embedded.generate)."""
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    from bench_embedded import generate

    return [p["text"] for p in generate(count)]


def cpu_seconds(nlp: spacy.language.Language, texts: list[str]) -> float:
    """Process CPU seconds of one pass of ``nlp.pipe`` (batch 64)."""
    start = time.process_time()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, action="append", default=None)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    models = args.model or [MODELS_DIR / "ner"]
    texts = posts(args.posts)
    nlps = {str(m): spacy.load(m) for m in models}
    for nlp in nlps.values():
        cpu_seconds(nlp, texts[:300])  # warm-up
    best = dict.fromkeys(nlps, float("inf"))
    tok = spacy.blank("en")
    tok_best = float("inf")
    for _ in range(args.repeat):
        tok_best = min(tok_best, cpu_seconds(tok, texts))
        for name, nlp in nlps.items():
            best[name] = min(best[name], cpu_seconds(nlp, texts))
    print(f"{len(texts)} posts, batch 64, best of {args.repeat}, CPU seconds of this process")
    print(f"  tokenizer only          {len(texts) / tok_best:8.0f} posts/CPU-s")
    for name, secs in best.items():
        model_only = secs - tok_best
        print(
            f"  {name}: {len(texts) / secs:8.0f} posts/CPU-s  "
            f"(pipeline minus tokenizer: {1000 * model_only / len(texts):.3f} ms/post)"
        )


if __name__ == "__main__":
    main()
