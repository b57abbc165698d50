"""Throughput of the embedded job: `postguard screen` on N generated posts, one process on one core.

Usage: .venv/bin/python benchmarks/bench_embedded.py [--posts 10000] [--mode rules|default|both] [--core 0]
Prints posts/s end to end (including start-up) and steady state (start-up of a 1-post run subtracted).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "posts.jsonl"
NAMES = ["Maria Lopez", "Ken Adams", "Priya Shah", "Tom Novak", "Aisha Bello", "Li Wei", "Sam O'Neil"]
TOWNS = ["Dayton", "Fresno", "Millbrook", "Oakridge", "Toledo", "Akron", "Lakeview"]
PREFIXES = ["", "", "Update: ", "Quick one — ", "Thread 🧵 ", "PSA: ", "Honestly, "]
SUFFIXES = ["", "", " #nurselife", " #MedTwitter 🩺", " 💙", " Thoughts?", " (opinions my own)"]


def generate(count: int, seed: int = 7) -> list[dict]:
    """``count`` varied posts derived from the demo samples (names, towns, numbers, framing changed)."""
    rng = random.Random(seed)
    base = [json.loads(x) for x in SAMPLES.read_text(encoding="utf-8").splitlines() if x.strip()]
    posts = []
    for i in range(count):
        src = rng.choice(base)
        text = src["text"]
        text = re.sub(r"\d+", lambda m: str(rng.randint(1, 99)) if len(m.group()) < 3 else m.group(), text)
        text = text.replace("John Smith", rng.choice(NAMES)).replace("Springfield", rng.choice(TOWNS))
        if rng.random() < 0.25:
            text = text + " " + rng.choice(base)["text"]
        text = rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)
        post = {"post_id": f"bench-{i:06d}", "institution_id": src["institution_id"],
                "platform": src["platform"], "text": text[:10_000]}  # fmt: skip
        if "consent_reference" in src:
            post["consent_reference"] = src["consent_reference"]
        posts.append(post)
    return posts


def run_screen(src: Path, out: Path, *, models: bool, core: int | None) -> float:
    """Wall-clock seconds of one `postguard screen` process."""
    cmd = [sys.executable, "-m", "postguard.cli", "screen", "--input", str(src), "--output", str(out)]
    if not models:
        cmd.append("--no-models")
    if core is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(core), *cmd]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"postguard screen failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed


def bench(posts: list[dict], *, models: bool, core: int | None, workdir: Path) -> dict:
    src, one = workdir / "posts.jsonl", workdir / "one.jsonl"
    src.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n", encoding="utf-8")
    one.write_text(json.dumps(posts[0], ensure_ascii=False) + "\n", encoding="utf-8")
    startup = run_screen(one, workdir / "one.out", models=models, core=core)
    total = run_screen(src, workdir / "out.jsonl", models=models, core=core)
    records = [json.loads(x) for x in (workdir / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(posts), "one decision per post"
    verdicts: dict[str, int] = {}
    for r in records:
        verdicts[r.get("verdict", "ERROR")] = verdicts.get(r.get("verdict", "ERROR"), 0) + 1
    return {
        "mode": "rules + models" if models else "rules only (--no-models)",
        "posts": len(posts),
        "seconds": round(total, 2),
        "startup_seconds": round(startup, 2),
        "posts_per_second": round(len(posts) / total, 1),
        "steady_posts_per_second": round(len(posts) / max(total - startup, 1e-9), 1),
        "verdicts": verdicts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--mode", choices=("rules", "default", "both"), default="both")
    parser.add_argument("--core", type=int, default=0, help="pin to this CPU with taskset (-1: no pinning)")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()
    core = None if args.core < 0 else args.core
    posts = generate(args.posts)
    modes = {"rules": [False], "default": [True], "both": [False, True]}[args.mode]
    results = []
    pinned = f"pinned to CPU {core}" if core is not None and shutil.which("taskset") else "not pinned"
    print(f"postguard screen on {len(posts):,} generated posts, one process, {pinned}")
    with tempfile.TemporaryDirectory(prefix="postguard-bench-") as tmp:
        for models in modes:
            r = bench(posts, models=models, core=core, workdir=Path(tmp))
            results.append(r)
            print(
                f"  {r['mode']:<26} {r['posts_per_second']:>8,.0f} posts/s end to end "
                f"({r['seconds']} s incl. {r['startup_seconds']} s start-up; "
                f"steady {r['steady_posts_per_second']:,.0f} posts/s)  verdicts {r['verdicts']}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
