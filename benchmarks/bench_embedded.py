"""Throughput of the embedded job: `postguard screen` on N generated posts, one process on one core.

Usage: .venv/bin/python benchmarks/bench_embedded.py [--posts 10000] [--mode rules|default|both] [--core 0]
                                                     [--workers 1,2]
Prints posts/s end to end (including start-up) and steady state (start-up of a 1-post run subtracted).
Then `postguard screen --workers W` for each W (not pinned: on the CPUs this benchmark may use, e.g.
`taskset -c 0,1 ...`): posts/s, the speed-up over the first W, CPU/wall (CPU seconds of the run,
workers included, over its wall time) and peak memory: the largest process's
peak RSS (wait4 rusage, workers included) and the peak sum over the process tree of RSS and of PSS
(PSS shares the copy-on-write model pages fairly; sampled from /proc every 0.1 s). The outputs of all
W must be the same records (timings and decision clock aside).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
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


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc), best effort."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        with contextlib.suppress(OSError):
            todo.extend(int(x) for x in Path(f"/proc/{current}/task/{current}/children").read_text().split())
    return out


def _memory_kb(pids: list[int]) -> tuple[int, int]:
    """Sum of RSS and of PSS (kB) over ``pids``, from /proc/<pid>/smaps_rollup."""
    rss = pss = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss"):
                kb = int(value.split()[0])
                rss, pss = (rss + kb, pss) if key == "Rss" else (rss, pss + kb)
    return rss, pss


def run_workers(src: Path, out: Path, *, models: bool, workers: int) -> dict:
    """One `postguard screen --workers N` run (not pinned): seconds and peak memory in MB."""
    cmd = [sys.executable, "-m", "postguard.cli", "screen", "--input", str(src), "--output", str(out)]
    cmd += ["--workers", str(workers)] + ([] if models else ["--no-models"])
    started = time.perf_counter()
    with (out.parent / "stderr.txt").open("wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    peak_rss = peak_pss = 0
    while True:  # wait4: this run's own rusage, whose ru_maxrss covers its workers (reaped by it)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        rss, pss = _memory_kb(_tree(proc.pid))
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss
    if proc.returncode != 0:
        text = (out.parent / "stderr.txt").read_text(errors="replace")[-2000:]
        raise SystemExit(f"postguard screen --workers {workers} failed ({proc.returncode}): {text}")
    return {"seconds": elapsed, "largest_process_mb": largest / 1024, "tree_rss_mb": peak_rss / 1024,
            "tree_pss_mb": peak_pss / 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}  # fmt: skip


def _stable(path: Path) -> list[dict]:
    records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    for r in records:
        r.pop("timings", None)
        r.pop("decided_at", None)
        r.pop("review_deadline", None)  # a held post's deadline is counted from its decision time
    return records


def bench_workers(
    posts: int, counts: list[int], *, models: bool, workdir: Path, startup: float
) -> list[dict]:
    """``postguard screen --workers W`` on the posts of ``bench`` for each W; same records for every W."""
    src, results, first = workdir / "posts.jsonl", [], None
    for workers in counts:
        out = workdir / f"out-w{workers}.jsonl"
        run = run_workers(src, out, models=models, workers=workers)
        records = _stable(out)
        if first is None:
            first = records
        elif records != first:
            raise SystemExit(f"--workers {workers} wrote other records than --workers {counts[0]}")
        rate = posts / run["seconds"]
        results.append(
            {
                "workers": workers,
                "seconds": round(run["seconds"], 2),
                "posts_per_second": round(rate, 1),
                "steady_posts_per_second": round(posts / max(run["seconds"] - startup, 1e-9), 1),
                "speedup": round(rate / results[0]["posts_per_second"], 2) if results else 1.0,
                "cpu_seconds": round(run["cpu_seconds"], 2),
                "cpu_per_wall": round(run["cpu_seconds"] / run["seconds"], 2),
                "largest_process_rss_mb": round(run["largest_process_mb"], 1),
                "peak_total_rss_mb": round(run["tree_rss_mb"], 1),
                "peak_total_pss_mb": round(run["tree_pss_mb"], 1),
            }
        )
    return results


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
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated --workers counts to compare ('' to skip)"
    )
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",") if x.strip()]
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
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
            if not counts:
                continue
            r["workers"] = bench_workers(
                len(posts), counts, models=models, workdir=Path(tmp), startup=r["startup_seconds"]
            )
            print(f"    --workers, not pinned (CPUs {','.join(map(str, cpus)) or '?'} available):")
            for w in r["workers"]:
                print(
                    f"      {w['workers']} worker(s) {w['posts_per_second']:>8,.0f} posts/s end to end "
                    f"(steady {w['steady_posts_per_second']:,.0f}; x{w['speedup']:.2f} vs {counts[0]}; "
                    f"CPU/wall {w['cpu_per_wall']:.2f})  "
                    f"peak RSS: largest process {w['largest_process_rss_mb']:.0f} MB, all processes "
                    f"{w['peak_total_rss_mb']:.0f} MB (PSS {w['peak_total_pss_mb']:.0f} MB)"
                )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
