"""The NER gate's speed and what it changes: NER alone and the pipeline with models, gate on / off.

Usage: .venv/bin/python benchmarks/bench_ner_gate.py [--posts 2000] [--rounds 3] [--core 0]

The same generated posts (``bench_embedded.generate``) through (a) the NER adapter alone
(``SpacyNerModel.find_entities``, batches of 64) and (b) ``ScreeningPipeline.default(use_models=True)``,
with the adapter's ``gate`` on and off, rounds interleaved (the order alternates per round) in one
process. Timed with ``time.process_time()``: posts per CPU-second. Also prints the share of posts and
tokens the gate passes and whether the findings of both settings are the same (they should be: the
generated posts' entities all sit in gated sentences).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
BATCH = 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--core", type=int, default=None)
    args = parser.parse_args()
    if args.core is not None:
        os.sched_setaffinity(0, {args.core})
    from bench_embedded import generate
    from postguard.domain.identifiers.ner_gate import windows
    from postguard.domain.models import load_ner_model
    from postguard.domain.pipeline import ScreeningPipeline
    from postguard.domain.validation import post_from_mapping

    raw = generate(args.posts)
    posts = [post_from_mapping(p) for p in raw]
    texts = [p.text for p in posts]
    ner = load_ner_model()
    pipeline = ScreeningPipeline.default(use_models=True)
    docs = [ner.nlp.make_doc(t) for t in texts]
    wins = [windows([t.text for t in d]) for d in docs]
    kept = sum(hi - lo for w in wins for lo, hi in w)
    print(
        f"gate: {sum(bool(w) for w in wins)}/{len(texts)} posts pass, tokens in windows "
        f"{kept}/{sum(len(d) for d in docs)}"
    )

    def ner_only() -> list:
        return [f for i in range(0, len(texts), BATCH) for f in ner.find_entities(texts[i : i + BATCH])]

    def with_models() -> list:
        return [d for i in range(0, len(posts), BATCH) for d in pipeline.screen_batch(posts[i : i + BATCH])]

    results: dict[tuple[str, bool], list[float]] = {}
    outputs: dict[tuple[str, bool], list] = {}
    for gate in (True, False):  # warm-up
        ner.gate = gate
        outputs[("ner", gate)] = ner_only()
        outputs[("pipeline", gate)] = [(d.verdict, d.findings) for d in with_models()]
    for name in ("ner", "pipeline"):
        same = outputs[(name, True)] == outputs[(name, False)]
        print(f"{name}: findings gated == ungated: {same}")
    for r in range(args.rounds):
        for gate in (True, False) if r % 2 == 0 else (False, True):
            ner.gate = gate
            for name, fn in (("ner", ner_only), ("pipeline", with_models)):
                gc.collect()
                cpu = time.process_time()
                fn()
                results.setdefault((name, gate), []).append(len(texts) / (time.process_time() - cpu))
    print(f"load: {os.getloadavg()}")
    for name in ("ner", "pipeline"):
        for gate in (False, True):
            v = results[(name, gate)]
            print(
                f"{name:9s} gate={'on ' if gate else 'off'} posts/CPU-s median {statistics.median(v):7.1f} "
                f"min {min(v):7.1f} max {max(v):7.1f}  rounds {[round(x) for x in v]}"
            )


if __name__ == "__main__":
    main()
