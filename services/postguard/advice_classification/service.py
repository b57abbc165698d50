"""The advice-classification process: settings -> logging -> classifier -> metrics, gRPC, faust worker."""

from __future__ import annotations

import argparse

from postguard.advice_classification import agents
from postguard.advice_classification.app import create_app
from postguard.advice_classification.grpc_api import (
    SERVICE_NAMES,
    AdviceClassificationServicer,
    add_servicers,
)
from postguard.advice_classification.settings import AdviceClassificationSettings
from postguard.core.logging import configure_logging
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import run_stream_service

SERVICE = "advice-classification"


def run(argv: list[str] | None = None) -> int:
    """Start advice-classification; returns when the worker stops (SIGTERM / SIGINT)."""
    argparse.ArgumentParser(
        prog="python -m postguard.advice_classification",
        description="advice-classification: posts in, content findings out. Configured by environment "
        "variables POSTGUARD_* and POSTGUARD_ADVICE_CLASSIFICATION_*.",
    ).parse_args(argv)
    common = CommonSettings()
    settings = AdviceClassificationSettings()
    configure_logging(common.log_level, service=SERVICE)
    classifier = agents.build_classifier(common)
    app = create_app(settings, common, agents.default_stage(common, classifier))
    return run_stream_service(
        service=SERVICE,
        app=app,
        settings=settings,
        common=common,
        add_servicers=add_servicers(AdviceClassificationServicer(classifier)),
        service_names=SERVICE_NAMES,
    )
