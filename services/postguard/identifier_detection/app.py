"""The identifier-detection faust app: posts topic in, findings topic out."""

from __future__ import annotations

import faust

from postguard.core import topics
from postguard.core.detection_stage import DetectionStage
from postguard.core.faust_app import add_lag_timer, create_faust_app, declare_topics
from postguard.core.settings import CommonSettings
from postguard.identifier_detection import agents
from postguard.identifier_detection.settings import IdentifierDetectionSettings


def create_app(
    settings: IdentifierDetectionSettings, common: CommonSettings, stage: DetectionStage | None = None
) -> faust.App:
    """Build the app with its agent; ``stage`` defaults to the shipped detector (rules + model)."""
    app = create_faust_app(settings.consumer_group, common, settings)
    known = declare_topics(app)
    agents.register(app, known, stage or agents.default_stage(common), settings)
    add_lag_timer(app, "identifier-detection", settings.lag_interval_seconds, [topics.POSTS])
    return app
