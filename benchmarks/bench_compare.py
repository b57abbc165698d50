"""PostGuard beside Presidio and the spaCy tokenizer floor: posts per CPU-second, one pinned core, one run.

Usage: .venv/bin/python benchmarks/bench_compare.py [--posts 10000] [--rounds 3] [--warmup 300]
       [--core 0] [--systems floor,pg-rules,...] [--json FILE]

Every system gets the same generated posts (``bench_embedded.generate``). The process pins itself to
one CPU before anything heavy is imported, loads every system, warms each one up, then runs
``--rounds`` rounds; each round runs every system once over all the posts, in an order rotated per
round (interleaved, so a burst of load on the machine falls on all systems alike). Each run is timed
with ``time.process_time()`` (CPU seconds of this process, so time stolen by other processes does
not count) and reported as posts per CPU-second, min and median over the rounds, with ratios to
Presidio + PostGuard's NER (BatchAnalyzerEngine) and to the tokenizer floor. Presidio needs the
``bench`` extra (``pip install -e '.[bench]'``); the run forbids network access (an audit hook
refuses every socket connect / DNS look-up), so no system may fetch a model or a suffix list.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postguard.devtools.presidio_reference import presidio_analyzer, presidio_missing

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "services" / "postguard" / "models"
NER_MODEL = MODELS / "ner"
TEXTCAT_MODEL = MODELS / "textcat"
BATCH = 64
"""Posts per batch for every batched system (PostGuard screen_batch, nlp.pipe, BatchAnalyzerEngine)."""
MIN_CPU_SECONDS = 0.5
"""A timed pass shorter than this is repeated (see ``_timed``)."""
REFERENCE = "presidio-ner-batch"
FLOOR = "floor"

Run = Callable[[int, int], Counter]
"""``run(lo, hi)`` processes posts ``lo:hi`` and returns counts of the work done (tokens, findings…)."""


@dataclass
class System:
    """One contender: how to load it and what it reports."""

    key: str
    label: str
    build: Callable[[list[dict]], Run]
    presidio: bool = False


@dataclass
class Measured:
    """A loaded system and its timings."""

    system: System
    run: Run
    load_seconds: float
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    work: Counter = field(default_factory=Counter)


def _texts(posts: list[dict]) -> list[str]:
    return [p["text"] for p in posts]


def build_floor(posts: list[dict]) -> Run:
    """The tokenizer alone: ``spacy.blank("en")`` over every text with ``nlp.pipe``."""
    import spacy

    nlp, texts = spacy.blank("en"), _texts(posts)

    def run(lo: int, hi: int) -> Counter:
        return Counter(tokens=sum(len(doc) for doc in nlp.pipe(texts[lo:hi], batch_size=BATCH)))

    return run


def build_ner(posts: list[dict]) -> Run:
    """PostGuard's NER pipeline directory alone (tok2vec + ner, or tok2vec + tagger + the tag reader),
    ``nlp.pipe`` in batches of 64."""
    import postguard.domain.ner_tagging  # noqa: F401  (a tagging NER's spaCy factory, for spacy.load)
    import spacy

    nlp, texts = spacy.load(NER_MODEL), _texts(posts)

    def run(lo: int, hi: int) -> Counter:
        return Counter(entities=sum(len(doc.ents) for doc in nlp.pipe(texts[lo:hi], batch_size=BATCH)))

    return run


def build_textcat(posts: list[dict]) -> Run:
    """PostGuard's content classifier pipeline directory alone, ``nlp.pipe`` in batches of 64."""
    import postguard.domain.textcat_architecture  # noqa: F401  (registers the model's architecture)
    import spacy

    nlp, texts = spacy.load(TEXTCAT_MODEL), _texts(posts)

    def run(lo: int, hi: int) -> Counter:
        docs = nlp.pipe(texts[lo:hi], batch_size=BATCH)
        return Counter(label for doc in docs for label, score in doc.cats.items() if score >= 0.5)

    return run


def _build_postguard(posts: list[dict], *, models: bool) -> Run:
    from postguard.domain.pipeline import ScreeningPipeline
    from postguard.domain.validation import post_from_mapping

    pipeline = ScreeningPipeline.default(use_models=models)
    objs = [post_from_mapping(p) for p in posts]

    def run(lo: int, hi: int) -> Counter:
        work: Counter = Counter()
        for start in range(lo, hi, BATCH):
            for decision in pipeline.screen_batch(objs[start : min(start + BATCH, hi)]):
                work["findings"] += len(decision.findings)
                work["incomplete"] += bool(decision.incomplete_stages)
                work[f"verdict:{decision.verdict.value}"] += 1
        return work

    return run


def build_pg_rules(posts: list[dict]) -> Run:
    """PostGuard rules only: ``ScreeningPipeline.default(use_models=False).screen_batch``."""
    return _build_postguard(posts, models=False)


def build_pg_models(posts: list[dict]) -> Run:
    """PostGuard rules + NER + classifier: ``ScreeningPipeline.default(use_models=True).screen_batch``."""
    return _build_postguard(posts, models=True)


def _entities(results: list[list[Any]]) -> Counter:
    return Counter(r.entity_type for per_post in results for r in per_post)


def build_presidio_patterns(posts: list[dict]) -> Run:
    """Presidio's predefined pattern recognizers only (no NER), BatchAnalyzerEngine in batches of 64."""
    from presidio_analyzer import BatchAnalyzerEngine

    batch, texts = BatchAnalyzerEngine(presidio_analyzer(ner=False)), _texts(posts)

    def run(lo: int, hi: int) -> Counter:
        return _entities(batch.analyze_iterator(texts[lo:hi], language="en", batch_size=BATCH))

    return run


def build_presidio_ner_batch(posts: list[dict]) -> Run:
    """Presidio + PostGuard's NER, BatchAnalyzerEngine.analyze_iterator in batches of 64."""
    from presidio_analyzer import BatchAnalyzerEngine

    batch, texts = BatchAnalyzerEngine(presidio_analyzer(ner=True)), _texts(posts)

    def run(lo: int, hi: int) -> Counter:
        return _entities(batch.analyze_iterator(texts[lo:hi], language="en", batch_size=BATCH))

    return run


def build_presidio_ner_call(posts: list[dict]) -> Run:
    """Presidio + PostGuard's NER, ``AnalyzerEngine.analyze()`` once per post."""
    analyzer, texts = presidio_analyzer(ner=True), _texts(posts)

    def run(lo: int, hi: int) -> Counter:
        return _entities([analyzer.analyze(text=t, language="en") for t in texts[lo:hi]])

    return run


SYSTEMS = [
    System(FLOOR, 'spaCy tokenizer alone (spacy.blank("en"), nlp.pipe): the floor', build_floor),
    System("textcat-alone", "PostGuard's content classifier alone (nlp.pipe)", build_textcat),
    System("ner-alone", "PostGuard's NER model alone (nlp.pipe, batch 64)", build_ner),
    System("pg-rules", "PostGuard rules only", build_pg_rules),
    System("pg-models", "PostGuard rules + models", build_pg_models),
    System("presidio-patterns", "Presidio, pattern recognizers only", build_presidio_patterns, True),
    System(REFERENCE, "Presidio + PostGuard's NER, BatchAnalyzerEngine", build_presidio_ner_batch, True),
    System(
        "presidio-ner-call", "Presidio + PostGuard's NER, analyze() per post", build_presidio_ner_call, True
    ),
]


def forbid_network() -> None:
    """Refuse every socket connect and DNS look-up in this process from now on (audit hook)."""
    events = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"}

    def hook(event: str, args: tuple) -> None:
        if event in events:
            raise RuntimeError(f"bench_compare: network access attempted at run time ({event} {args[1:2]})")

    sys.addaudithook(hook)


def pin(core: int | None) -> str:
    """Pin this process (and every thread it starts later) to ``core``; describe what was done."""
    if core is None:
        return "not pinned"
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    try:
        os.sched_setaffinity(0, {core})
    except OSError as exc:
        allowed = sorted(os.sched_getaffinity(0))
        why = f"cannot pin to CPU {core} ({exc.strerror}); allowed: {allowed}"
        raise SystemExit(f"bench_compare: {why}") from None
    return f"pinned to CPU {core} (affinity {sorted(os.sched_getaffinity(0))})"


def _timed(m: Measured, lo: int, hi: int) -> tuple[float, float, Counter]:
    """CPU and wall seconds of one pass over posts ``lo:hi``, and its work counts.

    A system whose pass takes under ``MIN_CPU_SECONDS`` (the floor on a few posts) repeats the pass
    until it has used that much, and the mean per pass is returned: a few milliseconds are noise.
    """
    gc.collect()
    passes, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while True:
        work = m.run(lo, hi)
        passes += 1
        if (cpu := time.process_time() - cpu0) >= MIN_CPU_SECONDS:
            return cpu / passes, (time.perf_counter() - wall0) / passes, work


def measure(systems: list[System], posts: list[dict], *, rounds: int, warmup: int) -> list[Measured]:
    """Load every system, warm each up on ``warmup`` posts, then ``rounds`` interleaved timed rounds."""
    loaded = []
    for s in systems:
        started = time.perf_counter()
        run = s.build(posts)
        loaded.append(Measured(s, run, time.perf_counter() - started))
        print(f"  loaded {s.key:<18} in {loaded[-1].load_seconds:5.1f} s", flush=True)
    for m in loaded:
        m.run(0, min(warmup, len(posts)))
    for r in range(rounds):
        order = loaded[r % len(loaded) :] + loaded[: r % len(loaded)]
        for m in order:
            cpu, wall, work = _timed(m, 0, len(posts))
            m.cpu.append(cpu)
            m.wall.append(wall)
            m.work = work
            rate = len(posts) / cpu
            print(f"  round {r + 1}/{rounds} {m.system.key:<18} {rate:>9,.0f} posts/CPU-s", flush=True)
    return loaded


def summarise(measured: list[Measured], posts: int) -> list[dict[str, Any]]:
    """Per system: posts per CPU-second (min/median/max), ratios, load time, CPU/wall, work counts."""
    median = {m.system.key: statistics.median(posts / c for c in m.cpu) for m in measured}
    rows = []
    for m in measured:
        rates = [posts / c for c in m.cpu]
        key = m.system.key
        rows.append(
            {
                "system": key,
                "label": m.system.label,
                "posts": posts,
                "cpu_seconds": [round(c, 3) for c in m.cpu],
                "wall_seconds": [round(w, 3) for w in m.wall],
                "posts_per_cpu_second": {
                    "min": round(min(rates), 1),
                    "median": round(median[key], 1),
                    "max": round(max(rates), 1),
                },
                "ratio_to_presidio_ner_batch": round(median[key] / median[REFERENCE], 3)
                if REFERENCE in median
                else None,
                "floor_cost_ratio": round(median[FLOOR] / median[key], 1) if FLOOR in median else None,
                "cpu_per_wall": round(sum(m.cpu) / sum(m.wall), 2),
                "load_seconds": round(m.load_seconds, 2),
                "work": dict(sorted(m.work.items())),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    """The comparison as a table, fastest first."""
    width = max(len(r["label"]) for r in rows)
    columns = f"{'min':>8} {'median':>8} {'x Presidio+NER':>15} {'floor cost':>11} {'CPU/wall':>9}"
    head = f"{'system':<{width}} {columns}"
    print(head + "\n" + "-" * len(head))
    for row in sorted(rows, key=lambda r: -r["posts_per_cpu_second"]["median"]):
        rate = row["posts_per_cpu_second"]
        ratio = (
            "-"
            if row["ratio_to_presidio_ner_batch"] is None
            else f"{row['ratio_to_presidio_ner_batch']:.2f}x"
        )
        floor = "-" if row["floor_cost_ratio"] is None else f"{row['floor_cost_ratio']:.1f}x"
        print(
            f"{row['label']:<{width}} {rate['min']:>8,.0f} {rate['median']:>8,.0f} "
            f"{ratio:>15} {floor:>11} "
            f"{row['cpu_per_wall']:>9.2f}"
        )
    print("(posts per CPU-second; 'x Presidio+NER' = median / Presidio + PostGuard's NER batched;")
    print(" 'floor cost' = tokenizer-floor median / this median: how many times the floor's CPU per post)")
    for row in rows:
        shown = {k: v for k, v in row["work"].items() if not k.startswith("verdict:")}
        print(f"  work per round, {row['system']:<18} {shown}")
        if row["work"].get("incomplete"):
            print(f"  WARNING: {row['system']} left {row['work']['incomplete']} decisions incomplete")


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("spacy", "thinc", "numpy", "presidio-analyzer"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def _generate(count: int) -> list[dict]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_embedded import generate

    return generate(count)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000, help="generated posts per round (default 10000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per system (default 3)")
    parser.add_argument("--warmup", type=int, default=300, help="posts each system screens before timing")
    parser.add_argument("--core", type=int, default=0, help="pin to this CPU (-1: no pinning)")
    parser.add_argument(
        "--systems",
        default=",".join(s.key for s in SYSTEMS),
        help=f"comma-separated subset of {', '.join(s.key for s in SYSTEMS)} (default: all)",
    )
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    wanted = [k.strip() for k in args.systems.split(",") if k.strip()]
    unknown = sorted(set(wanted) - {s.key for s in SYSTEMS})
    if unknown or not wanted:
        parser.error(f"unknown --systems {unknown}; choose from {[s.key for s in SYSTEMS]}")
    if args.posts < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--posts and --rounds must be at least 1, --warmup at least 0")
    args.systems = [s for s in SYSTEMS if s.key in wanted]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the comparison: 0, 1 if a PostGuard run left decisions incomplete, 2 if Presidio is missing."""
    args = parse_args(argv)
    if any(s.presidio for s in args.systems) and (why := presidio_missing()):
        print(f"bench_compare: {why}", file=sys.stderr)
        return 2
    pinned = pin(None if args.core < 0 else args.core)  # before spaCy/numpy start any thread
    forbid_network()
    posts = _generate(args.posts)
    load_before = os.getloadavg()
    print(
        f"bench_compare: {len(posts):,} generated posts, {args.rounds} interleaved rounds after a "
        f"{min(args.warmup, len(posts))}-post warm-up, {pinned}, load average {load_before[0]:.2f}"
    )
    measured = measure(args.systems, posts, rounds=args.rounds, warmup=args.warmup)
    rows = summarise(measured, len(posts))
    load_after = os.getloadavg()
    print(f"\nposts per CPU-second over {args.rounds} rounds (load average now {load_after[0]:.2f}):")
    print_table(rows)
    if args.json:
        report = {
            "benchmark": "bench_compare",
            "posts": len(posts),
            "rounds": args.rounds,
            "warmup_posts": min(args.warmup, len(posts)),
            "batch": BATCH,
            "pinning": pinned,
            "load_average": {"start": load_before, "end": load_after},
            "versions": _versions(),
            "systems": rows,
        }
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if failed := [r["system"] for r in rows if r["work"].get("incomplete")]:
        print(f"bench_compare: {failed} timed incomplete decisions (a stage failed)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
