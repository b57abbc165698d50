"""Builds the held-out sets data/holdout/<name>.jsonl from <name>.txt and checks them.

The .txt files use the gold source.txt line format (see data/gold/README.md):
    platform | expected_verdict | content labels or - | text with {{span|LABEL}} marks (\\n = line break)
Span offsets are never counted by hand: data/gold/build_gold.py's strip_marks records them while
building the text, and its check() validates every span. This script adds: a deterministic
`created_at` per post, cross-file duplicate detection, per-file verdict expectations, a
consistency check of every expected_verdict against the default-policy rules as the gold README
states them, checksum validation of health/ID numbers, and phone/fax validation (phonenumbers).

Usage: python data/holdout/build.py          # rewrite the .jsonl files
       python data/holdout/build.py --check  # fail if any .jsonl is stale or anything is wrong

MEASUREMENT ONLY: nobody writing detection rules or training models may read these posts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "gold"))

import build_gold  # noqa: E402  (strip_marks, check, render, label sets)

NAMES = (
    "staff_intl", "clinical_notes", "clean_education_news", "general_names", "content_staff", "content_clean",
)  # fmt: skip
ALL_ALLOW = {"clean_education_news", "general_names", "content_clean"}  # every post in these must be clean
# mostly identifiers (clinical_notes) or content labels (content_staff) by design: gold's >= 40 % clean rule
# is waived for these files
MIN_CLEAN_EXEMPT = {"clinical_notes", "content_staff"}
MIN_POSITIVES = {"content_staff": 18}  # every content label has at least this many posts in the file

# created_at: spread deterministically over 2025-01-01 .. 2026-11-30 (UTC), from a hash of post_id
_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_SPAN_SECONDS = int((dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC) - _START).total_seconds())

# Expected-verdict rules, restated from data/gold/README.md and policy/defaults/default.yaml
BLOCK_LABELS = {
    "PHONE", "FAX", "EMAIL", "IP_ADDRESS", "SSN", "MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_NUMBER",
    "ACCOUNT_NUMBER", "LICENSE_NUMBER", "VEHICLE_ID", "DEVICE_ID",
}  # fmt: skip
REVIEW_LABELS = {"PERSON", "URL", "QUASI_IDENTIFIER"}
REDACT_LABELS = {"DATE", "AGE", "LOCATION", "FACILITY"}  # FACILITY: issue 8 item 5, bed/room/ward redacted
CONTENT_ACTIONS = {
    "PERSONAL_ADVICE": "REVIEW", "PATIENT_SOLICITATION": "REVIEW", "UNSUPPORTED_CLAIM": "REVIEW",
    "UNPROFESSIONAL": "BLOCK", "UNDISCLOSED_PROMOTION": "REVIEW", "MISSING_DISCLAIMER": "ALLOW_WITH_CHANGES",
    "CARE_CONFIRMATION": "REVIEW", "POLITICS_OR_RANT": "REVIEW",
}  # fmt: skip
SEVERITY = {"ALLOW": 0, "ALLOW_WITH_CHANGES": 1, "REVIEW": 2, "BLOCK": 3}
_UNITS = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"))}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}  # fmt: skip


def age_years(span: str) -> int | None:
    """The age in years an AGE span states (0 for months/weeks), None when it cannot tell."""
    low = span.lower()
    if re.search(r"\b(month|mo|week|wk|day)s?\b|\d(mo|wk)\b", low):
        return 0
    digits = re.search(r"\d+", low)
    if digits:
        return int(digits.group())
    words = re.findall(r"[a-z]+", low)
    total = sum(_TENS.get(w, 0) + _UNITS.get(w, 0) for w in words)
    return total or None


def derived_verdict(rec: dict) -> str:
    """What the README's stated default-policy rules give for a record's labels."""
    labels = {s["label"] for s in rec["identifiers"]}
    verdicts = ["ALLOW"]
    for label in labels:
        if label in BLOCK_LABELS:
            verdicts.append("BLOCK")
        elif label in REVIEW_LABELS:
            verdicts.append("REVIEW")
        elif label in REDACT_LABELS:
            verdicts.append("ALLOW_WITH_CHANGES")
        else:
            verdicts.append("REVIEW")  # default_action: review
    for span in rec["identifiers"]:
        if span["label"] == "AGE" and (age_years(span["_text"]) or 0) > 89:
            verdicts.append("REVIEW")
    if len(labels) >= 2:
        verdicts.append("REVIEW")
    if "PERSON" in labels and len(labels) >= 2:
        verdicts.append("BLOCK")
    verdicts += [CONTENT_ACTIONS[c] for c in rec["content_labels"] if c in CONTENT_ACTIONS]
    return max(verdicts, key=SEVERITY.__getitem__)


def _medicare_au(d: str) -> bool:
    weights = (1, 3, 7, 9, 1, 3, 7, 9)
    return len(d) == 10 and d[0] in "23456" and sum(
        int(x) * w for x, w in zip(d[:8], weights, strict=True)) % 10 == int(d[8])  # fmt: skip


def number_ok(label: str, value: str) -> bool:
    """True when a HEALTH_PLAN_NUMBER / SSN value validates under one of the schemes we use."""
    from stdnum import luhn
    from stdnum.ca import bc_phn, sin
    from stdnum.gb import nhs
    from stdnum.ie import pps
    from stdnum.in_ import aadhaar
    from stdnum.us import ssn

    compact = re.sub(r"[\s-]", "", value).upper()
    if label == "HEALTH_PLAN_NUMBER":
        if re.fullmatch(
            r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
            r"[AC-HJKMNP-RT-Y]{2}\d\d",
            compact,
        ):
            return True  # US MBI: format only (CMS publishes no check digit)
        if compact.isdigit() and len(compact) == 10:
            return (
                nhs.is_valid(compact)
                or bc_phn.is_valid(compact)
                or luhn.is_valid(compact)
                or _medicare_au(compact)
            )  # NHS, BC PHN, Ontario (Luhn), AU Medicare
        return False
    if label == "SSN":
        return any(v.is_valid(compact) for v in (aadhaar, pps, sin, ssn))
    return True


def phone_ok(value: str) -> bool:
    """True when a PHONE / FAX value is a valid number in one of the six countries."""
    import phonenumbers

    for region in ("US", "CA", "GB", "IE", "IN", "AU"):
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(value, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def build(name: str) -> list[dict]:
    """Parse <name>.txt into records (spans keep a private ``_text`` used by the checks)."""
    source = HERE / f"{name}.txt"
    records = []
    for lineno, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        platform, verdict, labels, marked = (part.strip() for part in line.split(" | ", 3))
        text, spans = build_gold.strip_marks(marked.replace("\\n", "\n"))
        post_id = f"{name}-{len(records) + 1:03d}"
        offset = int(hashlib.sha256(post_id.encode()).hexdigest(), 16) % _SPAN_SECONDS
        created = (_START + dt.timedelta(seconds=offset - offset % 60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        records.append(
            {
                "post_id": post_id,
                "institution_id": "demo-hospital",
                "platform": platform,
                "text": text,
                "identifiers": spans,
                "content_labels": [] if labels == "-" else [x.strip() for x in labels.split(",")],
                "expected_verdict": verdict,
                "created_at": created,
                "_line": lineno,
            }
        )
    return records


def check(name: str, records: list[dict]) -> list[str]:
    """Every problem in one file's records: gold's checks plus the hold-out's own."""
    problems = []
    for problem in build_gold.check(records):
        if name in MIN_CLEAN_EXEMPT and problem.startswith("only "):
            continue
        problems.append(f"{name}: {problem.replace('source.txt', f'{name}.txt')}")
    for rec in records:
        where = f"{name}.txt:{rec['_line']} ({rec['post_id']})"
        dt.datetime.fromisoformat(rec["created_at"].replace("Z", "+00:00"))
        if name in ALL_ALLOW and rec["expected_verdict"] != "ALLOW":
            problems.append(f"{where}: every post in {name} must be ALLOW")
        derived = derived_verdict(rec)
        if derived != rec["expected_verdict"]:
            expected = rec["expected_verdict"]
            problems.append(f"{where}: expected {expected} but the stated rules give {derived}")
        for label in rec["content_labels"]:
            if label not in CONTENT_ACTIONS:
                problems.append(f"{where}: unknown content label {label!r}")
        for span in rec["identifiers"]:
            if not number_ok(span["label"], span["_text"]):
                problems.append(f"{where}: {span['label']} span fails its checksum/format")
            if span["label"] in ("PHONE", "FAX") and not phone_ok(span["_text"]):
                problems.append(f"{where}: {span['label']} span is not a valid number in any region")
    if name in MIN_POSITIVES:
        for label in sorted(CONTENT_ACTIONS):
            count = sum(1 for rec in records if label in rec["content_labels"])
            if count < MIN_POSITIVES[name]:
                needed = MIN_POSITIVES[name]
                problems.append(f"{name}: only {count} posts labelled {label} (need >= {needed})")
    return problems


def label_sync_problems() -> list[str]:
    """Content labels the expected-verdict table and the domain's ContentLabel disagree on."""
    sys.path.insert(0, str(HERE.parent.parent / "services"))
    from postguard.domain.types import ContentLabel

    known = {label.value for label in ContentLabel}
    differ = sorted(known ^ set(CONTENT_ACTIONS))
    return [f"content label {x} is in only one of CONTENT_ACTIONS / ContentLabel" for x in differ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args()
    built = {name: build(name) for name in NAMES}
    problems: list[str] = label_sync_problems()
    seen: dict[str, str] = {}
    for name, records in built.items():
        problems += check(name, records)
        for rec in records:
            if rec["text"] in seen:
                problems.append(f"{rec['post_id']}: same text as {seen[rec['text']]}")
            seen.setdefault(rec["text"], rec["post_id"])
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    stale = []
    for name, records in built.items():
        output = HERE / f"{name}.jsonl"
        rendered = build_gold.render(records)
        if args.check:
            if not output.exists() or output.read_text(encoding="utf-8") != rendered:
                stale.append(output.name)
            continue
        output.write_text(rendered, encoding="utf-8")
        clean = sum(1 for r in records if r["expected_verdict"] == "ALLOW")
        spans = sum(len(r["identifiers"]) for r in records)
        print(f"wrote {output.name}: {len(records)} posts, {clean} clean, {spans} identifier spans")
    if stale:
        print(f"stale: {', '.join(stale)}: run python data/holdout/build.py", file=sys.stderr)
        return 1
    if args.check:
        print(f"ok: {sum(len(r) for r in built.values())} posts in {len(built)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
