"""Pixel boxes: ``Box = (left, top, width, height)`` in pixels of one frame, and small helpers on them."""

from __future__ import annotations

import math
from collections.abc import Iterable

Box = tuple[int, int, int, int]


def union(boxes: Iterable[Box]) -> Box:
    """The smallest box holding every box; ``ValueError`` when there is none."""
    items = list(boxes)
    if not items:
        raise ValueError("union of no boxes")
    left = min(b[0] for b in items)
    top = min(b[1] for b in items)
    right = max(b[0] + b[2] for b in items)
    bottom = max(b[1] + b[3] for b in items)
    return (left, top, right - left, bottom - top)


def pad(box: Box, px: int, width: int, height: int) -> Box:
    """``box`` grown by ``px`` on every side, clipped to a ``width`` x ``height`` frame (may become empty)."""
    return clip((box[0] - px, box[1] - px, box[2] + 2 * px, box[3] + 2 * px), width, height)


def clip(box: Box, width: int, height: int) -> Box:
    """``box`` cut to the frame ``(0, 0, width, height)``; a box outside it has zero width or height."""
    left = min(max(box[0], 0), width)
    top = min(max(box[1], 0), height)
    right = min(max(box[0] + box[2], left), width)
    bottom = min(max(box[1] + box[3], top), height)
    return (left, top, right - left, bottom - top)


def scale(box: Box, factor: float) -> Box:
    """``box`` with every coordinate multiplied by ``factor`` (outer edges rounded outwards)."""
    left = math.floor(box[0] * factor)
    top = math.floor(box[1] * factor)
    right = math.ceil((box[0] + box[2]) * factor)
    bottom = math.ceil((box[1] + box[3]) * factor)
    return (left, top, right - left, bottom - top)


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when they do not touch)."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def share(a: Box, b: Box) -> float:
    """The intersection of two boxes as a share of the smaller one (1 when one lies inside the other)."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    smaller = min(a[2] * a[3], b[2] * b[3])
    if width <= 0 or height <= 0 or smaller <= 0:
        return 0.0
    return width * height / smaller


def contains(outer: Box, inner: Box) -> bool:
    """True when ``inner`` lies entirely inside ``outer``."""
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def box_attr(box: Box) -> str:
    """The box as an attribute value: ``"left,top,width,height"``."""
    return ",".join(str(int(v)) for v in box)


def parse_box_attr(text: str) -> Box:
    """The box written by :func:`box_attr`; ``ValueError`` for anything else."""
    parts = text.split(",")
    if len(parts) != 4:
        raise ValueError(f"a box needs 4 comma-separated integers, got {len(parts)} parts")
    left, top, width, height = (int(p.strip()) for p in parts)
    if width < 0 or height < 0:
        raise ValueError("a box cannot have a negative width or height")
    return (left, top, width, height)
