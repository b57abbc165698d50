"""Builds data/gold/posts.jsonl from source.txt (inline-marked spans) and checks the result.

Usage: python data/gold/build_gold.py          # rewrite posts.jsonl
       python data/gold/build_gold.py --check  # fail if posts.jsonl is stale or any span is wrong
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source.txt"
OUTPUT = HERE / "posts.jsonl"
SAMPLES = HERE.parent.parent / "samples" / "posts.jsonl"
MARK = re.compile(r"\{\{(?P<span>[^{}|]+)\|(?P<label>[A-Z_]+)\}\}")
IDENTIFIER_LABELS = {
    "PERSON", "DATE", "AGE", "LOCATION", "FACILITY", "PHONE", "FAX", "EMAIL", "URL", "IP_ADDRESS", "SSN",
    "MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_NUMBER", "ACCOUNT_NUMBER", "LICENSE_NUMBER", "VEHICLE_ID",
    "DEVICE_ID", "QUASI_IDENTIFIER",
}  # fmt: skip
CONTENT_LABELS = {
    "PERSONAL_ADVICE", "PATIENT_SOLICITATION", "UNSUPPORTED_CLAIM", "UNPROFESSIONAL",
    "UNDISCLOSED_PROMOTION", "MISSING_DISCLAIMER", "CARE_CONFIRMATION", "POLITICS_OR_RANT",
}  # fmt: skip
VERDICTS = {"ALLOW", "ALLOW_WITH_CHANGES", "REVIEW", "BLOCK"}
PLATFORMS = {"x", "linkedin", "instagram", "tiktok", "youtube", "facebook", "other"}


def strip_marks(marked: str) -> tuple[str, list[dict]]:
    """Remove ``{{span|LABEL}}`` marks; return the plain text and the spans, found while building it."""
    text_parts: list[str] = []
    spans: list[dict] = []
    cursor = 0
    length = 0
    for match in MARK.finditer(marked):
        before = marked[cursor : match.start()]
        text_parts.append(before)
        length += len(before)
        span = match.group("span")
        spans.append(
            {"start": length, "end": length + len(span), "label": match.group("label"), "_text": span}
        )
        text_parts.append(span)
        length += len(span)
        cursor = match.end()
    text_parts.append(marked[cursor:])
    return "".join(text_parts), spans


def build() -> list[dict]:
    """Parse source.txt into gold records (spans carry a private ``_text`` used by the checks)."""
    records = []
    for lineno, line in enumerate(SOURCE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        platform, verdict, labels, marked = (part.strip() for part in line.split(" | ", 3))
        text, spans = strip_marks(marked.replace("\\n", "\n"))
        records.append(
            {
                "post_id": f"gold-{len(records) + 1:03d}",
                "institution_id": "demo-hospital",
                "platform": platform,
                "text": text,
                "identifiers": spans,
                "content_labels": [] if labels == "-" else [x.strip() for x in labels.split(",")],
                "expected_verdict": verdict,
                "_line": lineno,
            }
        )
    return records


def check(records: list[dict]) -> list[str]:
    """Every problem found in the records (empty when the set is sound)."""
    problems = []
    texts = set()
    for rec in records:
        where = f"source.txt:{rec['_line']} ({rec['post_id']})"
        text = rec["text"]
        if "{{" in text or "}}" in text:
            problems.append(f"{where}: unbalanced span mark")
        if rec["platform"] not in PLATFORMS:
            problems.append(f"{where}: bad platform {rec['platform']!r}")
        if rec["expected_verdict"] not in VERDICTS:
            problems.append(f"{where}: bad verdict {rec['expected_verdict']!r}")
        for label in rec["content_labels"]:
            if label not in CONTENT_LABELS:
                problems.append(f"{where}: bad content label {label!r}")
        if text in texts:
            problems.append(f"{where}: duplicate text")
        texts.add(text)
        previous_end = 0
        for span in rec["identifiers"]:
            covered = text[span["start"] : span["end"]]
            if covered != span["_text"]:
                problems.append(f"{where}: span {span} covers {covered!r}")
            if covered != covered.strip() or not covered:
                problems.append(f"{where}: span {covered!r} has edge whitespace")
            if span["label"] not in IDENTIFIER_LABELS:
                problems.append(f"{where}: bad identifier label {span['label']!r}")
            if span["start"] < previous_end:
                problems.append(f"{where}: overlapping spans")
            previous_end = span["end"]
        no_labels = not rec["identifiers"] and not rec["content_labels"]
        if no_labels != (rec["expected_verdict"] == "ALLOW"):
            problems.append(f"{where}: ALLOW exactly when a post has no labels")
    clean = sum(1 for r in records if r["expected_verdict"] == "ALLOW")
    if clean < 0.4 * len(records):
        problems.append(f"only {clean}/{len(records)} clean posts (need >= 40%)")
    if SAMPLES.exists():
        sample_texts = {json.loads(x)["text"] for x in SAMPLES.read_text(encoding="utf-8").splitlines() if x}
        for rec in records:
            if rec["text"] in sample_texts:
                problems.append(f"{rec['post_id']}: also in samples/posts.jsonl")
    return problems


def render(records: list[dict]) -> str:
    """The JSONL text of the public records (private ``_`` keys dropped)."""
    lines = []
    for rec in records:
        public = {k: v for k, v in rec.items() if not k.startswith("_")}
        public["identifiers"] = [
            {k: v for k, v in s.items() if not k.startswith("_")} for s in rec["identifiers"]
        ]
        lines.append(json.dumps(public, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args()
    records = build()
    problems = check(records)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    rendered = render(records)
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != rendered:
            print("posts.jsonl is stale: run python data/gold/build_gold.py", file=sys.stderr)
            return 1
        print(f"ok: {len(records)} posts")
        return 0
    OUTPUT.write_text(rendered, encoding="utf-8")
    clean = sum(1 for r in records if r["expected_verdict"] == "ALLOW")
    n_spans = sum(len(r["identifiers"]) for r in records)
    print(f"wrote {OUTPUT.name}: {len(records)} posts, {clean} clean, {n_spans} identifier spans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
