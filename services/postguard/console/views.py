"""What the console's pages show, computed from review items: time left, highlighted text, finding rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from postguard.domain.review.deadlines import parse_rfc3339
from postguard.domain.review.items import ReviewItem
from postguard.domain.types import Decision, Finding


@dataclass(frozen=True, slots=True)
class TimeLeft:
    """How long until a deadline, as a reviewer reads it."""

    text: str
    overdue: bool
    soon: bool
    """Less than an hour left."""


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} days {hours % 24} h"


def time_left(deadline: str, now: datetime) -> TimeLeft:
    """``2 h 05 min left`` or ``overdue by 12 min`` (no deadline: nothing shown)."""
    if not deadline:
        return TimeLeft("no deadline", False, False)
    seconds = (parse_rfc3339(deadline) - now).total_seconds()
    if seconds <= 0:
        return TimeLeft(f"overdue by {_duration(-seconds)}", True, True)
    return TimeLeft(f"{_duration(seconds)} left", False, seconds < 3600)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One row of the queue page."""

    item: ReviewItem
    left: TimeLeft
    labels: tuple[str, ...]
    escalated: bool
    can_decide: bool


def labels_of(findings: tuple[Finding, ...]) -> tuple[str, ...]:
    """The distinct labels of ``findings``, in order of first appearance."""
    return tuple(dict.fromkeys(f.label for f in findings))


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the original text; ``finding`` is the index of the finding it highlights, or None."""

    text: str
    finding: int | None = None
    label: str = ""


def highlight(text: str, findings: tuple[Finding, ...]) -> list[Segment]:
    """``text`` cut into plain and highlighted runs, one per in-text finding whose span fits.

    Spans index ``text``; a finding overlapping an earlier (or longer) one is listed but not highlighted
    again (its row on the page still names the span).
    """
    spans = sorted(  # the longest of spans starting together is highlighted
        (f.start, -f.end, i, f.label)
        for i, f in enumerate(findings)
        if f.in_text and 0 <= f.start < f.end <= len(text)
    )
    out: list[Segment] = []
    pos = 0
    for start, neg_end, index, label in spans:
        end = -neg_end
        if start < pos:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], index, label))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def find_span(text: str, needle: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where ``needle`` (as it appears, exact) occurs in ``text``: the first occurrence no finding covers,
    else the first one; None when it does not occur."""
    needle = needle.strip()
    if not needle:
        return None
    first = None
    start = text.find(needle)
    while start >= 0:
        span = (start, start + len(needle))
        first = first or span
        if not any(s < span[1] and span[0] < e for s, e in taken):
            return span
        start = text.find(needle, start + 1)
    return first


@dataclass(frozen=True, slots=True)
class RedactedImage:
    """One flagged attachment on the post page: its redacted copy and what screening found in it."""

    attachment_id: str
    reference: str
    findings: tuple[Finding, ...]


def redacted_images(decision: Decision) -> list[RedactedImage]:
    """An entry per attachment ``decision.redacted_attachments`` names, with that attachment's findings."""
    return [
        RedactedImage(aid, ref, tuple(f for f in decision.findings if f.attachment_id == aid))
        for aid, ref in decision.redacted_attachments
    ]
