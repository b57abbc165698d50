"""The advice-classification faust app: posts topic in, findings topic out."""

from __future__ import annotations

import faust

from postguard.advice_classification import agents
from postguard.advice_classification.settings import AdviceClassificationSettings
from postguard.core import topics
from postguard.core.detection_stage import DetectionStage
from postguard.core.faust_app import add_lag_timer, create_faust_app, declare_topics
from postguard.core.settings import CommonSettings


def create_app(
    settings: AdviceClassificationSettings, common: CommonSettings, stage: DetectionStage | None = None
) -> faust.App:
    """Build the app with its agent; ``stage`` defaults to the shipped classifier (rules + model)."""
    app = create_faust_app(settings.consumer_group, common, settings)
    known = declare_topics(app)
    agents.register(app, known, stage or agents.default_stage(common), settings)
    add_lag_timer(app, "advice-classification", settings.lag_interval_seconds, [topics.POSTS])
    return app
