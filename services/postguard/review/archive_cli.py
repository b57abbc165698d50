"""``postguard archive export|purge``: the decision archive from the command line, for operators.

``export`` writes the audit trail of one or all institutions (redacted text and hashes only) as CSV or
JSONL, paging through the store; ``purge`` applies a retention once (the servers apply theirs hourly).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from postguard.core.audit import MAX_SEARCH_LIMIT, ArchiveQuery, SearchableAuditStore, open_audit_store
from postguard.review.archive import export_csv, export_jsonl
from postguard.review.store import open_review_store
from postguard.review.sweeper import Retention

EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``archive export`` and ``archive purge`` to the ``postguard`` sub-commands."""
    archive = subparsers.add_parser("archive", help="export or purge the decision archive (the audit store)")
    commands = archive.add_subparsers(dest="archive_command", required=True, metavar="{export,purge}")
    export = commands.add_parser("export", help="write decision versions as CSV or JSONL")
    export.add_argument(
        "--audit", required=True, metavar="URL", help="audit store: sqlite path or postgresql://"
    )
    export.add_argument("--institution", action="append", default=None, metavar="ID", help="repeatable")
    export.add_argument("--author", default="", metavar="ID", help="one staff member's posts")
    export.add_argument("--since", default="", metavar="RFC3339", help="decided at or after")
    export.add_argument("--until", default="", metavar="RFC3339", help="decided before")
    export.add_argument(
        "--verdict", default="", choices=("", "ALLOW", "ALLOW_WITH_CHANGES", "REVIEW", "BLOCK")
    )
    export.add_argument("--label", default="", help="only versions with a finding of this label")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--include-notes", action="store_true", help="also reviewers' notes (free text)")
    export.add_argument("--out", required=True, metavar="FILE", help="where to write ('-': stdout)")
    export.set_defaults(handler=run_export)
    purge = commands.add_parser("purge", help="delete what is older than the retention, once")
    purge.add_argument("--audit", required=True, metavar="URL", help="audit store")
    purge.add_argument("--review-store", default="", metavar="URL", help="review store (items, feedback)")
    purge.add_argument("--audit-days", type=float, default=0.0, help="audit rows older than this (0: keep)")
    purge.add_argument("--review-days", type=float, default=90.0, help="decided items/feedback (0: keep)")
    purge.set_defaults(handler=run_purge)


def _open_audit(url: str, command: str) -> SearchableAuditStore | None:
    local = url.removeprefix("sqlite:///")
    if not url.startswith(("postgresql://", "postgres://")) and not Path(local).is_file():
        print(f"postguard archive {command}: no audit store at {local[:200]}", file=sys.stderr)
        return None
    try:
        return cast(SearchableAuditStore, open_audit_store(url))
    except Exception as exc:  # name the kind of error, never the URL (it may hold a password)
        print(
            f"postguard archive {command}: cannot open the audit store ({type(exc).__name__})",
            file=sys.stderr,
        )
        return None


def run_export(args: argparse.Namespace) -> int:
    """Page through the matching versions and write them; exit 2 on an unreadable store."""
    audit = _open_audit(args.audit, "export")
    if audit is None:
        return EXIT_USAGE
    base = ArchiveQuery(
        frozenset(args.institution) if args.institution else None,
        author_id=args.author,
        since=args.since,
        until=args.until,
        verdict=args.verdict,
        label=args.label,
        limit=MAX_SEARCH_LIMIT,
    )
    records = []
    try:
        while True:
            page = audit.search(ArchiveQuery(**{**_fields(base), "offset": len(records)}))
            records += page
            if len(page) < base.limit:
                break
    finally:
        audit.close()
    writer = export_csv if args.format == "csv" else export_jsonl
    body = writer(records, include_notes=args.include_notes)
    if args.out == "-":
        sys.stdout.write(body)
    else:
        Path(args.out).write_text(body, encoding="utf-8")
    print(f"postguard archive export: {len(records)} decision versions written", file=sys.stderr)
    return 0


def _fields(query: ArchiveQuery) -> dict[str, object]:
    return {name: getattr(query, name) for name in query.__dataclass_fields__}


def run_purge(args: argparse.Namespace) -> int:
    """Apply the retention once and say what it removed."""
    if args.audit_days < 0 or args.review_days < 0:
        print("postguard archive purge: days must not be negative", file=sys.stderr)
        return EXIT_USAGE
    audit = _open_audit(args.audit, "purge")
    if audit is None:
        return EXIT_USAGE
    review = open_review_store(args.review_store) if args.review_store else None
    try:
        days = args.review_days if review is not None else 0.0
        retention = Retention(audit, review, audit_days=args.audit_days, review_days=days)  # type: ignore[arg-type]
        audit_rows, review_rows = retention.purge(datetime.now(UTC))
    finally:
        audit.close()
        if review is not None:
            review.close()
    print(
        f"postguard archive purge: {audit_rows} audit rows, {review_rows} review rows deleted",
        file=sys.stderr,
    )
    return 0
