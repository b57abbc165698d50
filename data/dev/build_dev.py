"""Build content_dev_b.jsonl (gold format, see data/gold/README.md) from content_dev_b.txt.

Each source line is ``platform | LABEL,LABEL | text`` (``-`` for no label, ``\\n`` for a line break,
``{{text|LABEL}}`` marks a patient identifier). Parsing of the marks and the record checks are
data/gold/build_gold.py's own; the expected verdict is the strictest action the shipped default policy
(services/postguard/domain/policy/defaults/default.yaml) gives the post's content labels.

    .venv/bin/python data/dev/build_dev.py          # rewrite content_dev_b.jsonl
    .venv/bin/python data/dev/build_dev.py --check  # fail if it is stale or a record is wrong
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = HERE / "content_dev_b.txt"
OUTPUT = HERE / "content_dev_b.jsonl"
POLICY = ROOT / "services" / "postguard" / "domain" / "policy" / "defaults" / "default.yaml"
ACTION_VERDICT = {"ignore": "ALLOW", "redact": "ALLOW_WITH_CHANGES", "review": "REVIEW", "block": "BLOCK"}
ORDER = ["ALLOW", "ALLOW_WITH_CHANGES", "REVIEW", "BLOCK"]


def _load_gold_builder():
    """data/gold/build_gold.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("build_gold", ROOT / "data" / "gold" / "build_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOLD = _load_gold_builder()


def label_verdicts() -> dict[str, str]:
    """The verdict the default policy gives each content label on its own."""
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    return {label: ACTION_VERDICT[rule["action"]] for label, rule in policy["content"].items()}


def build(source: Path = SOURCE, prefix: str = "dev-b") -> list[dict]:
    """Parse ``source`` into gold-format records with ids ``<prefix>-NNN`` (spans carry build_gold's
    private ``_text``). data/train/build_train.py builds the training posts with it too."""
    verdicts = label_verdicts()
    records = []
    for lineno, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        platform, labels_field, marked = (part.strip() for part in line.split(" | ", 2))
        labels = [] if labels_field == "-" else [x.strip() for x in labels_field.split(",")]
        text, spans = GOLD.strip_marks(marked.replace("\\n", "\n"))
        verdict = max((verdicts.get(x, "REVIEW") for x in labels), key=ORDER.index, default="ALLOW")
        if spans and verdict == "ALLOW":
            verdict = "REVIEW"  # this set keeps patient identifiers out; a span must not pass as clean
        records.append(
            {
                "post_id": f"{prefix}-{len(records) + 1:03d}",
                "institution_id": "demo-hospital",
                "platform": platform,
                "text": text,
                "identifiers": spans,
                "content_labels": labels,
                "expected_verdict": verdict,
                "_line": lineno,
            }
        )
    return records


def problems_of(records: list[dict]) -> list[str]:
    """build_gold's checks, except its 40%-clean quota (an evaluation-set rule, not a dev-set one)."""
    return [p for p in GOLD.check(records) if "clean posts (need" not in p]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args()
    records = build()
    problems = problems_of(records)
    for problem in problems:
        print(problem.replace("source.txt", SOURCE.name), file=sys.stderr)
    if problems:
        return 1
    rendered = GOLD.render(records)
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != rendered:
            print(f"{OUTPUT.name} is stale: run python data/dev/build_dev.py", file=sys.stderr)
            return 1
        print(f"ok: {len(records)} posts")
        return 0
    OUTPUT.write_text(rendered, encoding="utf-8")
    counts = Counter(label for r in records for label in r["content_labels"])
    clean = sum(1 for r in records if not r["content_labels"])
    multi = sum(1 for r in records if len(r["content_labels"]) > 1)
    print(f"wrote {OUTPUT.name}: {len(records)} posts, {clean} clean, {multi} with two labels")
    for label, n in sorted(counts.items()):
        print(f"  {label}: {n}")
    print("  verdicts:", dict(sorted(Counter(r["expected_verdict"] for r in records).items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
