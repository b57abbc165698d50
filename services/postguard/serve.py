"""``postguard serve <service>``: runs one service process. STUB (distributed-path issue)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand to the ``postguard`` parser."""
    parser = subparsers.add_parser("serve", help="run one PostGuard service")
    parser.set_defaults(handler=lambda args: 2)
