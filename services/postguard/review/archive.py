"""The decision archive: search the audit trail, export it (CSV / JSONL), and purge it after the retention.

Exports carry what the audit store keeps: redacted text, hashes, labels and spans, who decided and when;
reviewers' notes only when asked (``include_notes``), since a note is free text a person wrote. The
retention purge removes audit rows decided before the cutoff and, from the review store, resolved items
and feedback (feedback keeps the reviewed text as labelled data, so it must not outlive the retention).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from postguard.core.audit import ArchiveQuery, AuditRecord, SearchableAuditStore
from postguard.review.store import ReviewStore

__all__ = [
    "CSV_COLUMNS",
    "ArchiveQuery",
    "PurgeResult",
    "export_csv",
    "export_jsonl",
    "purge_older_than",
    "search",
]

CSV_COLUMNS = (
    "institution_id",
    "post_id",
    "version",
    "decided_at",
    "verdict",
    "author_id",
    "labels",
    "reasons",
    "redacted_text",
    "text_sha256",
    "policy_id",
    "policy_version",
    "provisional",
    "incomplete_stages",
    "review_action",
    "reviewer",
    "review_deadline",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def search(audit: SearchableAuditStore, query: ArchiveQuery) -> list[AuditRecord]:
    """Decision versions matching ``query``, newest first (parameterised SQL in the store)."""
    return audit.search(query)


def _labels(record: AuditRecord) -> str:
    return ";".join(sorted({str(f.get("label", "")) for f in record.findings}))


def _cell(value: str) -> str:
    """A spreadsheet-safe cell: text that a spreadsheet would run as a formula gets a leading quote."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def export_csv(records: Iterable[AuditRecord], *, include_notes: bool = False) -> str:
    """The records as CSV with a header row (``CSV_COLUMNS``, then ``review_note`` when asked)."""
    columns = (*CSV_COLUMNS, "review_note") if include_notes else CSV_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for r in records:
        values = {
            **asdict(r),
            "labels": _labels(r),
            "reasons": "; ".join(r.reasons),
            "incomplete_stages": ";".join(r.incomplete_stages),
            "provisional": "true" if r.provisional else "false",
        }
        writer.writerow([_cell(str(values[c])) for c in columns])
    return out.getvalue()


def export_jsonl(records: Iterable[AuditRecord], *, include_notes: bool = False) -> str:
    """One JSON object per record and line: the stored fields (redacted text and hashes only)."""
    lines = []
    for r in records:
        fields = asdict(r)
        if not include_notes:
            fields.pop("review_note")
        lines.append(json.dumps(fields, ensure_ascii=False, sort_keys=True))
    return "".join(line + "\n" for line in lines)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a retention purge removed, and the cutoff it used (RFC 3339)."""

    cutoff: str
    audit_rows: int
    review_rows: int


def purge_older_than(
    days: float,
    audit: SearchableAuditStore,
    review: ReviewStore | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
) -> PurgeResult:
    """Delete audit rows decided more than ``days`` ago, and resolved review items and feedback as old.

    Open review items are never purged (a person still has to decide them).
    """
    if days <= 0:
        raise ValueError("the retention must be a positive number of days")
    now = (clock or (lambda: datetime.now(UTC)))()
    cutoff = (now - timedelta(days=days)).astimezone(UTC).isoformat(timespec="milliseconds")
    cutoff = cutoff.replace("+00:00", "Z")
    audit_rows = audit.purge_before(cutoff)
    review_rows = review.purge_resolved(cutoff) if review is not None else 0
    return PurgeResult(cutoff, audit_rows, review_rows)
