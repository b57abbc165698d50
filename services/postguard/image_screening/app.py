"""The image-screening faust app: posts topic in, findings topic out."""

from __future__ import annotations

import faust

from postguard.core import topics
from postguard.core.faust_app import add_lag_timer, create_faust_app, declare_topics
from postguard.core.settings import CommonSettings
from postguard.image_screening import agents
from postguard.image_screening.settings import ImageScreeningSettings


def create_app(
    settings: ImageScreeningSettings, common: CommonSettings, stage: agents.ImageScreeningStage | None = None
) -> faust.App:
    """Build the app with its agent; ``stage`` defaults to the shipped screener (rules + models)."""
    app = create_faust_app(settings.consumer_group, common, settings)
    known = declare_topics(app)
    agents.register(app, known, stage or agents.default_stage(common, settings), settings)
    add_lag_timer(app, agents.STAGE, settings.lag_interval_seconds, [topics.POSTS])
    return app
