"""The adaptive in-flight limit: cuts on slow decisions (at most once per target), grows back on fast ones."""

from __future__ import annotations

import pytest
from postguard.ingest.admission import AdmissionLimit
from postguard.ingest.decision_book import DecisionBook

pytestmark = pytest.mark.unit


def test_slow_decisions_cut_the_limit_once_per_target_interval_down_to_the_floor() -> None:
    limit = AdmissionLimit(ceiling=1000, floor=16, target_seconds=2.0, initial=256)
    limit.observe(5.0, now=100.0)
    assert limit.limit == 192
    limit.observe(5.0, now=100.5)  # a burst of slow answers is one signal, not many
    assert limit.limit == 192
    for step in range(40):
        limit.observe(5.0, now=103.0 + 2.0 * step)
    assert limit.limit == 16


def test_fast_decisions_grow_the_limit_up_to_the_ceiling() -> None:
    limit = AdmissionLimit(ceiling=300, floor=16, target_seconds=2.0, initial=16)
    for _ in range(200):
        limit.observe(0.1, now=0.0)
    grown = limit.limit
    assert 16 < grown < 300
    for _ in range(100_000):
        limit.observe(0.1, now=0.0)
    assert limit.limit == 300


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="floor"):
        AdmissionLimit(ceiling=10, floor=20)


def test_the_book_sheds_by_the_adaptive_limit_and_feeds_it_its_own_latencies() -> None:
    admission = AdmissionLimit(ceiling=100, floor=2, target_seconds=0.0, initial=2)
    book = DecisionBook(max_in_flight=100, admission=admission)
    assert book.claim("demo-hospital", "a", "1" * 64).new
    assert book.claim("demo-hospital", "b", "2" * 64).new
    assert book.claim("demo-hospital", "c", "3" * 64).shed  # the limit (2), not the ceiling (100)
    assert book.limit == 2
