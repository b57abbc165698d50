"""``postguard serve <service>``: runs one PostGuard service process until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import importlib

SERVICE_MODULES: dict[str, str] = {
    "ingest": "postguard.ingest.service",
    "identifier-detection": "postguard.identifier_detection.service",
    "advice-classification": "postguard.advice_classification.service",
    "policy-decision": "postguard.policy_decision.service",
    "image-screening": "postguard.image_screening.service",
    "review-console": "postguard.review_console.service",
    "all-in-one": "postguard.allinone.server",
}
"""Deployed service name -> module whose ``run(argv) -> int`` runs it (settings from ``POSTGUARD_*``)."""


def run_service(name: str, argv: list[str] | None = None) -> int:
    """Import the service's module and run it; returns its exit code."""
    module = importlib.import_module(SERVICE_MODULES[name])
    return int(module.run(argv or []))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand to the ``postguard`` parser."""
    parser = subparsers.add_parser(
        "serve",
        help="run one PostGuard service",
        description="Run one service of the distributed stack. Every setting comes from POSTGUARD_* "
        "environment variables (e.g. POSTGUARD_KAFKA_BOOTSTRAP_SERVERS, POSTGUARD_INGEST_GRPC_PORT).",
    )
    parser.add_argument("service", choices=sorted(SERVICE_MODULES), help="the service to run")
    parser.set_defaults(handler=lambda args: run_service(args.service))
