"""advice-classification's agent: batches of posts through the advice classifier."""

from __future__ import annotations

from typing import Any

import faust

from postguard.core.detection_stage import DetectionStage
from postguard.core.faust_app import Topics, add_detection_agent
from postguard.core.settings import CommonSettings
from postguard.core.stream_settings import StreamServiceSettings
from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import StageName

STAGE = StageName.ADVICE_CLASSIFICATION.value


def build_classifier(common: CommonSettings) -> AdviceClassifier:
    """The shipped classifier: rules, plus the trained text classifiers when built and enabled."""
    from postguard.domain.models import load_advice_model

    return AdviceClassifier(text_model=load_advice_model() if common.use_models else None)


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
