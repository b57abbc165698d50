"""The identifier-detection process: settings -> logging -> detector -> metrics, gRPC, faust worker."""

from __future__ import annotations

import argparse

from postguard.core.logging import configure_logging
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import run_stream_service
from postguard.identifier_detection import agents
from postguard.identifier_detection.app import create_app
from postguard.identifier_detection.grpc_api import SERVICE_NAMES, IdentifierDetectionServicer, add_servicers
from postguard.identifier_detection.settings import IdentifierDetectionSettings

SERVICE = "identifier-detection"


def run(argv: list[str] | None = None) -> int:
    """Start identifier-detection; returns when the worker stops (SIGTERM / SIGINT)."""
    argparse.ArgumentParser(
        prog="python -m postguard.identifier_detection",
        description="identifier-detection: posts in, identifier findings out. Configured by environment "
        "variables POSTGUARD_* and POSTGUARD_IDENTIFIER_DETECTION_*.",
    ).parse_args(argv)
    common = CommonSettings()
    settings = IdentifierDetectionSettings()
    configure_logging(common.log_level, service=SERVICE)
    detector = agents.build_detector(common)
    app = create_app(settings, common, agents.default_stage(common, detector))
    return run_stream_service(
        service=SERVICE,
        app=app,
        settings=settings,
        common=common,
        add_servicers=add_servicers(IdentifierDetectionServicer(detector)),
        service_names=SERVICE_NAMES,
    )
