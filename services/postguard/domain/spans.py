"""Span queries in ``O(log n)`` for the detectors: overlap with kept spans, containment in spans.

A hostile post can hold thousands of candidate spans (numbers, names, insults); checking each against
every kept one is quadratic. These indexes answer the same questions by bisection. Spans are half-open
``[start, end)`` integer pairs (characters or tokens); "overlap" is ``a.start < b.end and b.start <
a.end``, as in ``Finding.overlaps``.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable


class DisjointSpans:
    """A growing set of pairwise non-overlapping spans: "does this span overlap one of them?".

    Only add a span that overlaps none already held (the greedy "keep it unless it overlaps a kept one"
    loops this serves); ``overlaps`` is then exact.
    """

    __slots__ = ("_empty", "_ends", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._empty: list[int] = []  # zero-length spans (rare): checked one by one

    def overlaps(self, start: int, end: int) -> bool:
        """Does ``[start, end)`` overlap a held span?"""
        # non-empty disjoint spans ordered by start are ordered by end too: only the last one starting
        # before ``end`` can reach past ``start``
        i = bisect.bisect_left(self._starts, end) - 1
        if i >= 0 and self._ends[i] > start:
            return True
        return any(start < point < end for point in self._empty)

    def add(self, start: int, end: int) -> None:
        """Hold ``[start, end)`` (which must overlap no held span)."""
        if start >= end:
            self._empty.append(start)
            return
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)

    def add_if_free(self, start: int, end: int) -> bool:
        """Hold ``[start, end)`` unless it overlaps a held span; whether it was added."""
        if self.overlaps(start, end):
            return False
        self.add(start, end)
        return True


class FixedSpans:
    """Fixed spans (they may overlap each other): "is this span inside / overlapping one of them?"."""

    __slots__ = ("_reach", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._reach = list(itertools.accumulate((end for _, end in ordered), max))
        """The furthest end among the spans starting at or before each position."""

    def __bool__(self) -> bool:
        return bool(self._starts)

    def contains(self, start: int, end: int) -> bool:
        """Is there a span ``[s, e)`` with ``s <= start`` and ``end <= e``?"""
        i = bisect.bisect_right(self._starts, start) - 1
        return i >= 0 and self._reach[i] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Is there a span ``[s, e)`` with ``s < end`` and ``start < e``?"""
        i = bisect.bisect_left(self._starts, end) - 1
        return i >= 0 and self._reach[i] > start
