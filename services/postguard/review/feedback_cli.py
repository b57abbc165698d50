"""``postguard feedback export``: reviewers' feedback as labelled gold JSONL, as ``postguard eval`` reads.

The export holds post text (the text each reviewer judged): it is labelled data, kept in the review store
only until the retention purge. Treat the output file like the gold sets, not like logs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from postguard.domain.review.feedback import gold_lines
from postguard.review.store import open_review_store

EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``feedback export`` to the ``postguard`` sub-commands."""
    feedback = subparsers.add_parser("feedback", help="reviewers' feedback on findings (labelled data)")
    commands = feedback.add_subparsers(dest="feedback_command", required=True, metavar="{export}")
    export = commands.add_parser(
        "export",
        help="write feedback as gold JSONL for `postguard eval`",
        description="One gold post per reviewed post: confirmed and missed identifiers, confirmed content "
        "labels, and the reviewer's final verdict. False alarms are left out.",
    )
    export.add_argument(
        "--store", required=True, metavar="URL", help="review store: sqlite path or URL, or postgresql://"
    )
    export.add_argument("--institution", default=None, metavar="ID", help="only this institution's feedback")
    export.add_argument(
        "--since", default="", metavar="RFC3339", help="only feedback given at or after this time"
    )
    export.add_argument("--out", required=True, metavar="FILE", help="where to write the JSONL ('-': stdout)")
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Write the export; returns the exit status (2 on a bad argument or an unreadable store)."""
    since = ""
    if args.since:
        try:
            moment = datetime.fromisoformat(args.since.strip().upper().replace("Z", "+00:00"))
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
            since = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # as given_at
        except ValueError:
            print(
                f"postguard feedback export: --since is not an RFC 3339 time: {args.since[:64]!r}",
                file=sys.stderr,
            )
            return EXIT_USAGE
    local = args.store.removeprefix("sqlite:///")
    if not args.store.startswith(("postgresql://", "postgres://")) and not Path(local).is_file():
        print(f"postguard feedback export: no review store at {local[:200]}", file=sys.stderr)
        return EXIT_USAGE
    try:
        store = open_review_store(args.store)
    except Exception as exc:  # a wrong path or an unreachable server: name the kind of error, not the URL
        print(
            f"postguard feedback export: cannot open the review store ({type(exc).__name__})", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        lines = gold_lines(store.feedback(args.institution, since))
    finally:
        store.close()
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if args.out == "-":
        sys.stdout.write(body)
    else:
        Path(args.out).write_text(body, encoding="utf-8")
    print(f"postguard feedback export: {len(lines)} posts written", file=sys.stderr)
    return 0
