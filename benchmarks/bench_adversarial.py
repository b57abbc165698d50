"""Worst-case screening time of hostile posts, per shape, at 1x / 2x / 4x the post-length limit.

Usage: .venv/bin/python benchmarks/bench_adversarial.py [--multiples 1,2,4] [--shapes colon,emoji]
       [--runs 3] [--no-models] [--timeout 300] [--json out.json]

Each shape (tests/unit/adversarial/adversarial_shapes.py: punctuation and emoji runs, digits and
separators, nested brackets, long tokens and URLs, line breaks, dense candidates...) is screened by the
embedded ``ScreeningPipeline`` (with the trained models unless ``--no-models``) at each multiple of
``MAX_TEXT_CHARS``; 4x exceeds validation, so the post is handed to the pipeline directly. Every run
uses a different variant of the text, so no tokenizer cache helps. Printed: the worst wall-clock
seconds per post over the runs, and the 4x / 1x ratio (linear work gives about 4).

Each shape runs in its own worker process; a post slower than ``--timeout`` seconds stops that shape
(reported as ">timeout", larger multiples are skipped), so the old quadratic code can be measured too:
PYTHONPATH=<old checkout>/services .venv/bin/python benchmarks/bench_adversarial.py ...
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "adversarial"))

from adversarial_shapes import SHAPES  # noqa: E402


def worker(shape: str, multiples: list[int], runs: int, models: bool) -> None:
    """Screen ``shape`` at each multiple ``runs`` times; one JSON line per multiple on stdout."""
    from postguard.domain.pipeline import ScreeningPipeline
    from postguard.domain.types import Post
    from postguard.domain.validation import MAX_TEXT_CHARS

    pipeline = ScreeningPipeline.default(use_models=models)
    pipeline.screen(Post("warm-up", "demo-hospital", "x", "Warm-up post about our ICU team."))
    variant = 0
    for multiple in multiples:
        walls, cpus, verdict, incomplete = [], [], "", []
        for _ in range(runs):
            variant += 1
            text = SHAPES[shape](multiple * MAX_TEXT_CHARS, variant)
            post = Post(f"{shape}-{multiple}-{variant}", "demo-hospital", "x", text)
            wall, cpu = time.perf_counter(), time.process_time()
            decision = pipeline.screen_batch([post])[0]
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            verdict, incomplete = str(decision.verdict), list(getattr(decision, "incomplete_stages", ()))
        line = {"multiple": multiple, "wall": max(walls), "cpu": max(cpus), "verdict": verdict}
        print(json.dumps({**line, "incomplete": incomplete}), flush=True)


def measure(shape: str, args: argparse.Namespace) -> dict[int, dict | None]:
    """Results per multiple for one shape (None: timed out or skipped), from a worker process."""
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        shape,
        "--multiples",
        args.multiples,
        "--runs",
        str(args.runs),
    ]
    if args.no_models:
        cmd.append("--no-models")
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert child.stdout is not None
        for raw in child.stdout:
            lines.put(raw)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    results: dict[int, dict | None] = {m: None for m in _multiples(args)}
    startup = 120.0  # loading spaCy and the models
    for index, multiple in enumerate(_multiples(args)):
        try:
            raw = lines.get(timeout=args.timeout * args.runs + (startup if index == 0 else 0))
        except queue.Empty:
            child.kill()
            break
        if raw is None:
            break
        results[multiple] = json.loads(raw)
    child.wait()
    return results


def _multiples(args: argparse.Namespace) -> list[int]:
    return [int(m) for m in args.multiples.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--multiples", default="1,2,4")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size; the worst is reported")
    parser.add_argument("--no-models", action="store_true", help="rules only")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per post before giving up")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, _multiples(args), args.runs, not args.no_models)
        return
    multiples = _multiples(args)
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        parser.error(f"unknown shapes: {', '.join(unknown)} (known: {', '.join(SHAPES)})")
    mode = "rules only" if args.no_models else "rules + models"
    print(f"worst seconds per post over {args.runs} run(s), {mode}, one process per shape")
    header = f"{'shape':14s}" + "".join(f"{f'{m}x':>10s}" for m in multiples) + f"{'ratio':>8s}  verdict@1x"
    print(header)
    print("-" * len(header))
    report = {}
    for shape in shapes:
        results = measure(shape, args)
        report[shape] = results
        cells = [
            f"{r['wall']:10.2f}" if r else f"{'>' + str(int(args.timeout)):>10s}" for r in results.values()
        ]
        first, last = results.get(multiples[0]), results.get(multiples[-1])
        ratio = f"{last['wall'] / max(first['wall'], 1e-9):8.1f}" if first and last else f"{'-':>8s}"
        verdict = first["verdict"] + (" (incomplete)" if first["incomplete"] else "") if first else "-"
        print(f"{shape:14s}" + "".join(cells) + ratio + "  " + verdict, flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
