"""identifier-detection's agent: batches of posts through the identifier detector."""

from __future__ import annotations

from typing import Any

import faust

from postguard.core.detection_stage import DetectionStage
from postguard.core.faust_app import Topics, add_detection_agent
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import require_models
from postguard.core.stream_settings import StreamServiceSettings
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import StageName

STAGE = StageName.IDENTIFIER_DETECTION.value


def build_detector(common: CommonSettings) -> IdentifierDetector:
    """The shipped detector: rules, plus the trained NER model unless ``use_models`` is false.

    With ``use_models`` the model is required: if ``<models_dir>/ner`` cannot be loaded this logs the path
    and raises ``ModelsUnavailable`` (exit status 78) instead of detecting with rules alone.
    """
    if not common.use_models:
        return IdentifierDetector(ner_model=None)
    from postguard.domain.models import load_ner_model

    ner = require_models(lambda: load_ner_model(common.models_dir))
    return IdentifierDetector(ner_model=ner)


def default_stage(common: CommonSettings, detector: IdentifierDetector | None = None) -> DetectionStage:
    """The stream stage around ``detector`` (default: ``build_detector``)."""
    return DetectionStage(STAGE, (detector or build_detector(common)).detect_batch)


def register(app: faust.App, known: Topics, stage: DetectionStage, settings: StreamServiceSettings) -> Any:
    """Add the detection agent to ``app``."""
    return add_detection_agent(
        app,
        known,
        stage,
        batch_size=settings.batch_size,
        within=settings.batch_within_seconds,
        stall_seconds=settings.stall_seconds,
    )
