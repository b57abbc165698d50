"""The policy-decision faust app: topics, the join table, the joining agent and the deadline timer."""

from __future__ import annotations

from dataclasses import dataclass

import faust

from postguard.core import topics
from postguard.core.faust_app import Topics, add_lag_timer, create_faust_app, declare_topics
from postguard.core.settings import CommonSettings
from postguard.policy_decision.settings import PolicyDecisionSettings
from postguard.policy_decision.tables import join_table


def deadlines_topic_name(settings: PolicyDecisionSettings) -> str:
    """The service's own topic of deadline ticks (co-partitioned with posts and findings)."""
    return f"{settings.consumer_group}-deadlines"


@dataclass
class PolicyDecisionApp:
    """The faust app with the handles the agents and the service need."""

    app: faust.App
    topics: Topics
    deadlines: faust.TopicT
    table: faust.Table


def create_app(settings: PolicyDecisionSettings, common: CommonSettings) -> PolicyDecisionApp:
    """Build the app and declare its topics and table (agents are added by ``agents.register``)."""
    app = create_faust_app(settings.consumer_group, common, settings, store=settings.store)
    known = declare_topics(app)
    deadlines = app.topic(
        deadlines_topic_name(settings),
        key_serializer="raw",
        value_serializer="raw",
        partitions=common.topic_partitions,
        allow_empty=True,
    )
    table = join_table(app, common.topic_partitions)
    add_lag_timer(
        app,
        "policy-decision",
        settings.lag_interval_seconds,
        [topics.POSTS, topics.FINDINGS, deadlines_topic_name(settings)],
    )
    return PolicyDecisionApp(app=app, topics=known, deadlines=deadlines, table=table)
