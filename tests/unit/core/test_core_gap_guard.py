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
