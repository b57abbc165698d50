"""Build content_dev.jsonl (gold format, see data/gold/README.md) from content_source.txt.

Each source line is ``labels|platform|text``: labels comma-separated (``-`` for none), ``{{text|LABEL}}``
marks a patient identifier span. The expected verdict is the one the default policy gives the labels
(REVIEW for CARE_CONFIRMATION and PERSONAL_ADVICE, ALLOW_WITH_CHANGES for MISSING_DISCLAIMER).

    .venv/bin/python data/dev/build_content_dev.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).parent
MARK = re.compile(r"\{\{(.+?)\|([A-Z_]+)\}\}")
VERDICTS = {
    "CARE_CONFIRMATION": "REVIEW",
    "PERSONAL_ADVICE": "REVIEW",
    "MISSING_DISCLAIMER": "ALLOW_WITH_CHANGES",
}
ORDER = ["ALLOW", "ALLOW_WITH_CHANGES", "REVIEW"]


def build(source: Path) -> list[dict[str, object]]:
    """The gold-format rows of ``source``."""
    lines = [
        line for line in source.read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")
    ]
    rows = []
    for n, line in enumerate(lines):
        labels_field, platform, raw = line.split("|", 2)
        text, spans, pos = "", [], 0
        for m in MARK.finditer(raw):
            text += raw[pos : m.start()]
            spans.append({"start": len(text), "end": len(text) + len(m.group(1)), "label": m.group(2)})
            text += m.group(1)
            pos = m.end()
        text += raw[pos:]
        labels = [] if labels_field == "-" else labels_field.split(",")
        verdict = max((VERDICTS[label] for label in labels), key=ORDER.index, default="ALLOW")
        rows.append(
            {
                "post_id": f"dev-content-{n:03d}",
                "institution_id": "demo-hospital",
                "platform": platform,
                "text": text,
                "identifiers": spans,
                "content_labels": labels,
                "expected_verdict": verdict,
            }
        )
    return rows


def main() -> None:
    rows = build(HERE / "content_source.txt")
    with (HERE / "content_dev.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    print(f"{len(rows)} posts")


if __name__ == "__main__":
    main()
