"""GapGuard: holes in the consumed offsets of a partition are detected once and read again."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from postguard.core.gap_guard import GapGuard

pytestmark = pytest.mark.unit

TP = ("postguard.posts.v1", 2)


@dataclass
class Consumer:
    _committed_offset: dict = field(default_factory=dict)


@dataclass
class App:
    consumer: Consumer
    consumer_generation_id: int = 1


def test_first_record_must_be_the_committed_offset() -> None:
    app = App(Consumer({TP: 1}))
    guard = GapGuard(app)
    # offset 1 was dropped by the consumer after the rebalance; 2 arrives first
    assert guard.observe(TP, 2) == 1
    assert guard.observe(TP, 3) is None  # asked once per hole
    assert guard.observe(TP, 1) is None  # the re-read record
    assert guard.observe(TP, 2) is None


def test_contiguous_offsets_and_new_groups_pass() -> None:
    guard = GapGuard(App(Consumer({TP: 5})))
    assert [guard.observe(TP, o) for o in (5, 6, 7)] == [None, None, None]
    fresh = GapGuard(App(Consumer({})))  # no committed offset yet: start anywhere
    assert fresh.observe(TP, 40) is None
    assert fresh.observe(TP, 42) == 41


def test_a_new_generation_starts_from_the_committed_offset_again() -> None:
    app = App(Consumer({TP: 3}))
    guard = GapGuard(app)
    assert guard.observe(TP, 3) is None
    assert guard.observe(TP, 4) is None
    app.consumer_generation_id = 2
    app.consumer._committed_offset[TP] = 5
    assert guard.observe(TP, 5) is None
    app.consumer_generation_id = 3
    app.consumer._committed_offset[TP] = 6
    assert guard.observe(TP, 8) == 6


class FlowControl:
    def is_active(self) -> bool:
        return True


@dataclass
class LiveConsumer:
    """The slice of faust's consumer the sweep uses: assignment, broker high watermarks, seek."""

    _committed_offset: dict = field(default_factory=dict)
    high: dict = field(default_factory=dict)
    sought: list = field(default_factory=list)

    def assignment(self) -> set:
        return set(self.high)

    async def highwaters(self, *tps: object) -> dict:
        return {tp: self.high[tp] for tp in tps}

    async def seek(self, tp: object, offset: int) -> None:
        self.sought.append((tp, offset))


@dataclass
class LiveApp:
    consumer: LiveConsumer
    consumer_generation_id: int = 1
    flow_control: FlowControl = field(default_factory=FlowControl)
    rebalancing: bool = False


def test_sweep_rereads_a_partition_stuck_behind_its_high_watermark() -> None:
    import asyncio
    from collections import namedtuple

    tp_cls = namedtuple("tp_cls", "topic partition")
    stuck, fine = tp_cls("postguard.posts.v1", 1), tp_cls("postguard.posts.v1", 0)
    consumer = LiveConsumer({stuck: 45, fine: 10}, high={stuck: 46, fine: 10})
    guard = GapGuard(LiveApp(consumer))
    topics = frozenset({"postguard.posts.v1"})
    assert asyncio.run(guard.sweep(topics, 5.0, now=100.0)) == []  # starts the clock
    assert asyncio.run(guard.sweep(topics, 5.0, now=104.0)) == []
    assert asyncio.run(guard.sweep(topics, 5.0, now=105.0)) == [stuck]
    assert consumer.sought == [(stuck, 45)]
    guard.observe(stuck, 45)  # the record arrives: progress, no further seek
    assert asyncio.run(guard.sweep(topics, 5.0, now=200.0)) == []
