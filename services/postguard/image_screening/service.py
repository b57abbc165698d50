"""The image-screening process: settings -> logging -> screener -> metrics, gRPC, faust worker."""

from __future__ import annotations

import argparse

from postguard.core.logging import configure_logging
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import run_stream_service
from postguard.image_screening import agents
from postguard.image_screening.app import create_app
from postguard.image_screening.grpc_api import SERVICE_NAMES, ImageScreeningServicer, add_servicers
from postguard.image_screening.settings import ImageScreeningSettings

SERVICE = "image-screening"


def run(argv: list[str] | None = None) -> int:
    """Start image-screening; returns when the worker stops (SIGTERM / SIGINT)."""
    argparse.ArgumentParser(
        prog="python -m postguard.image_screening",
        description="image-screening: posts with image bytes in, image findings and redacted copies out. "
        "Configured by environment variables POSTGUARD_* and POSTGUARD_IMAGE_SCREENING_*.",
    ).parse_args(argv)
    common = CommonSettings()
    settings = ImageScreeningSettings()
    configure_logging(common.log_level, service=SERVICE)
    agents.require_redacted_dir(settings)
    stage = agents.default_stage(common, settings)
    agents.require_ocr(stage.screener)
    app = create_app(settings, common, stage)
    return run_stream_service(
        service=SERVICE,
        app=app,
        settings=settings,
        common=common,
        add_servicers=add_servicers(ImageScreeningServicer(stage), common.max_message_bytes),
        service_names=SERVICE_NAMES,
    )
