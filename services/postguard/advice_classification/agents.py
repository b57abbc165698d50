"""advice-classification's agent: batches of posts through the advice classifier."""

from __future__ import annotations

from typing import Any

import faust

from postguard.core.detection_stage import DetectionStage
from postguard.core.faust_app import Topics, add_detection_agent
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import require_models
from postguard.core.stream_settings import StreamServiceSettings
from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import StageName

STAGE = StageName.ADVICE_CLASSIFICATION.value


def build_classifier(common: CommonSettings) -> AdviceClassifier:
    """The shipped classifier: rules, plus the trained text classifiers unless ``use_models`` is false.

    With ``use_models`` the classifiers are required: if ``<models_dir>/textcat`` cannot be loaded this
    logs the path and raises ``ModelsUnavailable`` (exit status 78) instead of classifying with rules alone.
    """
    if not common.use_models:
        return AdviceClassifier(text_model=None)
    from postguard.domain.models import load_advice_model

    text_model = require_models(lambda: load_advice_model(common.models_dir))
    return AdviceClassifier(text_model=text_model)


def default_stage(common: CommonSettings, classifier: AdviceClassifier | None = None) -> DetectionStage:
    """The stream stage around ``classifier`` (default: ``build_classifier``)."""
    return DetectionStage(STAGE, (classifier or build_classifier(common)).classify_batch)


def register(app: faust.App, known: Topics, stage: DetectionStage, settings: StreamServiceSettings) -> Any:
    """Add the classification agent to ``app``."""
    return add_detection_agent(
        app,
        known,
        stage,
        batch_size=settings.batch_size,
        within=settings.batch_within_seconds,
        stall_seconds=settings.stall_seconds,
    )
