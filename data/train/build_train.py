"""Build the in-genre training posts: every content_train_*.txt here -> content_train_*.jsonl (gold format).

The source format and the parsing are data/dev/build_dev.py's (``platform | LABEL,LABEL | text``, ``-`` for
no label, ``\\n`` for a line break, ``{{text|LABEL}}`` marks a patient identifier), and so are the record
checks (build_gold's, without its 40%-clean quota). Post ids are ``train-<letter>-NNN``.

    .venv/bin/python data/train/build_train.py          # rewrite the .jsonl files
    .venv/bin/python data/train/build_train.py --check  # fail if one is stale or a record is wrong
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _load_dev_builder():
    """data/dev/build_dev.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("build_dev", ROOT / "data" / "dev" / "build_dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEV = _load_dev_builder()


def sources() -> list[Path]:
    """The training source files, in name order."""
    return sorted(HERE.glob("content_train_*.txt"))


def build_one(source: Path) -> tuple[list[dict], list[str]]:
    """Records of one source and the problems the checks find in them."""
    records = DEV.build(source, prefix=f"train-{source.stem.removeprefix('content_train_')}")
    problems = [p.replace("source.txt", source.name) for p in DEV.problems_of(records)]
    return records, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args()
    status = 0
    for source in sources():
        records, problems = build_one(source)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            status = 1
            continue
        output = source.with_suffix(".jsonl")
        rendered = DEV.GOLD.render(records)
        if args.check:
            if not output.exists() or output.read_text(encoding="utf-8") != rendered:
                print(f"{output.name} is stale: run python data/train/build_train.py", file=sys.stderr)
                status = 1
            continue
        output.write_text(rendered, encoding="utf-8")
        counts = Counter(label for r in records for label in r["content_labels"])
        clean = sum(1 for r in records if not r["content_labels"])
        print(f"wrote {output.name}: {len(records)} posts, {clean} clean, {dict(sorted(counts.items()))}")
    return status


if __name__ == "__main__":
    sys.exit(main())
