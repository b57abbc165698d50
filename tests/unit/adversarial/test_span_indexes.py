"""The bisection indexes that replaced quadratic "does it overlap any kept span" loops give the same
answers as those loops (random spans, including empty and nested ones)."""

from __future__ import annotations

import random

import pytest
from postguard.domain.spans import DisjointSpans, FixedSpans

pytestmark = pytest.mark.unit


def _random_spans(rng: random.Random) -> list[tuple[int, int]]:
    spans = []
    for _ in range(rng.randint(0, 10)):
        start = rng.randint(0, 20)
        spans.append((start, start + rng.randint(0, 6)))
    return spans


def test_fixed_spans_answer_like_a_scan() -> None:
    rng = random.Random(0)
    for _ in range(5_000):
        spans = _random_spans(rng)
        index = FixedSpans(spans)
        for _ in range(10):
            start = rng.randint(-2, 25)
            end = start + rng.randint(0, 6)
            assert index.contains(start, end) == any(s <= start and end <= e for s, e in spans)
            assert index.overlaps(start, end) == any(s < end and start < e for s, e in spans)


def test_disjoint_spans_keep_like_the_greedy_scan() -> None:
    rng = random.Random(1)
    for _ in range(5_000):
        index, kept = DisjointSpans(), []
        for start, end in _random_spans(rng):
            free = not any(s < end and start < e for s, e in kept)
            assert index.add_if_free(start, end) == free
            if free:
                kept.append((start, end))
