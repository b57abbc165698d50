"""policy-decision's agent (posts + findings + deadline ticks, one stream) and its deadline timer."""

from __future__ import annotations

import logging
from typing import Any

import faust

from postguard.core import topics
from postguard.core.faust_app import add_stall_timer, send_all
from postguard.core.gap_guard import GapGuard
from postguard.core.records import Inbound
from postguard.policy_decision.app import PolicyDecisionApp
from postguard.policy_decision.joiner import DecisionJoiner

log = logging.getLogger(__name__)


def register(
    built: PolicyDecisionApp,
    joiner: DecisionJoiner,
    sweep_interval_seconds: float,
    stall_seconds: float = 10.0,
) -> Any:
    """Add the joining agent and the deadline timer to ``built.app``; returns the agent."""
    app = built.app
    # One stream over the three topics: every change of a post_id's state happens in this agent, in
    # order per partition, which is what the table's changelog (partitioned like the inputs) needs.
    inputs = app.topic(
        topics.POSTS,
        topics.FINDINGS,
        joiner.deadlines_topic,
        key_serializer="raw",
        value_serializer="raw",
        allow_empty=True,
    )

    guard = GapGuard(app)
    add_stall_timer(app, guard, [topics.POSTS, topics.FINDINGS, joiner.deadlines_topic], stall_seconds)

    @app.agent(inputs, name=f"{app.conf.id}.join")
    async def join_agent(stream: faust.StreamT) -> None:
        async for event in stream.events():
            await guard.check(event)
            record = Inbound.from_event(event)
            try:
                outgoing = joiner.handle(record)
            except Exception as exc:
                log.error(
                    "record could not be processed",
                    extra={
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                        "error_type": type(exc).__name__,
                    },
                )
                continue
            await send_all(built.topics, outgoing)

    @app.timer(sweep_interval_seconds, name=f"{app.conf.id}.deadlines")
    async def sweep() -> None:
        if joiner.needs_reindex(len(built.table)):
            joiner.reindex(list(built.table.items()))
        for post_id in joiner.due():
            tick = joiner.tick(post_id)
            await built.deadlines.send(key=tick.key, value=tick.value, partition=tick.partition)

    return join_agent
