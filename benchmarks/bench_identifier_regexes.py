"""Does every shipped identifier regex take linear time on adversarial text? (timing; not a unit test)

Usage: .venv/bin/python benchmarks/bench_identifier_regexes.py [--size 4000] [--factor 4] [--limit 8]

Each regex the identifier recognizers ship (tests/unit/identifiers/identifier_regexes.py: module
regexes, age/date pattern tables, each contextual-number recognizer's cue regex) is run with
``finditer`` over adversarial texts of ``size`` and ``factor * size`` characters (runs of the pattern's
own characters and words, digits with separators, spaces, a cue followed by glue...). A regex whose
time grows more than ``limit`` times when the text grows ``factor`` times is reported (linear work
gives about ``factor``, quadratic ``factor**2``); each time is the best of three, so a busy machine
rarely makes a false alarm, and a flagged pair is re-measured before it is reported. A pass slower than
``--timeout`` seconds is stopped (SIGALRM interrupts the matcher) and reported as super-linear, so the old
exponential regexes can be measured too: PYTHONPATH=<old checkout>/services .venv/bin/python ...
Regexes only run on bounded slices or anchored at one position are skipped (``WINDOWED``). Exit 1 when
any is reported.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "identifiers"))

from identifier_regexes import adversarial_texts, anchored, shipped_regexes  # noqa: E402

MIN_SECONDS = 0.002
"""Texts the regex finishes faster than this at ``size`` are not worth timing at ``factor * size``."""


class PassTimeoutError(Exception):
    """A pass took longer than ``--timeout`` seconds."""


def _alarm(_signum: int, _frame: object) -> None:
    raise PassTimeoutError


def best_of(pattern, text: str, runs: int = 3, timeout: float = 10.0) -> float:
    """The least CPU time of ``runs`` full ``finditer`` passes over ``text``; raises after ``timeout`` s."""
    times = []
    for _ in range(runs):
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            start = time.process_time()
            for _match in pattern.finditer(text):
                pass
            times.append(time.process_time() - start)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return min(times)


def _ratio(pattern, small: str, large: str, timeout: float) -> float:
    return best_of(pattern, large, timeout=timeout) / max(best_of(pattern, small, timeout=timeout), 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--factor", type=int, default=4)
    parser.add_argument("--limit", type=float, default=8.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    regexes = shipped_regexes()
    flagged, timed = [], 0
    for name, pattern in regexes.items():
        if anchored(name):
            continue
        small, large = (
            adversarial_texts(pattern, args.size),
            adversarial_texts(pattern, args.size * args.factor),
        )
        for label, text in small.items():
            try:
                if best_of(pattern, text, runs=1, timeout=args.timeout) < MIN_SECONDS:
                    continue
                timed += 1
                ratio = _ratio(pattern, text, large[label], args.timeout)
                if ratio > args.limit:
                    ratio = _ratio(pattern, text, large[label], args.timeout)  # re-measure
            except PassTimeoutError:
                ratio = float("inf")
            if ratio > args.limit:
                flagged.append((name, label, ratio))
                print(f"SUPER-LINEAR {name} on {label}: x{ratio:.1f} for x{args.factor} text", flush=True)
    print(
        f"{len(regexes)} regexes, {timed} (regex, text) pairs slow enough to time, "
        f"{len(flagged)} super-linear (size {args.size} -> {args.size * args.factor}, "
        f"limit x{args.limit:g}; measured on a possibly busy machine)"
    )
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
