"""Reviewers' feedback on findings as labelled data, and the gold JSONL lines `postguard eval` reads.

Feedback keeps the reviewed text on purpose: a span label is useless without the text it indexes. It is
labelled data for measuring the detectors, held in the review store (not the audit trail), and removed by
the retention purge like resolved review items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from postguard.domain.review.items import FeedbackOutcome
from postguard.domain.types import Category, ContentLabel, IdentifierLabel


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """One stored reviewer outcome on ``text[start:end]`` of the text the reviewer judged."""

    institution_id: str
    post_id: str
    reviewer: str
    given_at: str
    text: str
    platform: str
    outcome: FeedbackOutcome
    category: str
    label: str
    start: int
    end: int
    final_verdict: str


def _newest_sets(records: Iterable[FeedbackRecord]) -> dict[tuple[str, str], list[FeedbackRecord]]:
    """Per (institution, post): the records of the newest feedback given (one reviewer's judgement)."""
    groups: dict[tuple[str, str], list[FeedbackRecord]] = {}
    for record in sorted(records, key=lambda r: (r.institution_id, r.post_id, r.given_at)):
        key = (record.institution_id, record.post_id)
        current = groups.get(key)
        if current and current[0].given_at != record.given_at:
            current.clear()  # a later review of the same post replaces the earlier judgement
        groups.setdefault(key, []).append(record)
    return groups


def _identifier_span(record: FeedbackRecord) -> dict[str, Any] | None:
    if record.category != Category.IDENTIFIER or record.outcome == FeedbackOutcome.FALSE_ALARM:
        return None
    if record.label not in IdentifierLabel.__members__:
        return None
    if not 0 <= record.start < record.end <= len(record.text):
        return None
    return {"start": record.start, "end": record.end, "label": record.label}


def _content_label(record: FeedbackRecord) -> str | None:
    if record.category != Category.CONTENT or record.outcome == FeedbackOutcome.FALSE_ALARM:
        return None
    return record.label if record.label in ContentLabel.__members__ else None


def gold_line(records: list[FeedbackRecord]) -> dict[str, Any]:
    """One gold post from the feedback a reviewer gave on one post.

    ``identifiers`` = confirmed + missed identifier spans (false alarms dropped), ``content_labels`` =
    confirmed (or added) content labels, ``expected_verdict`` = the reviewer's final verdict. Spans
    that do not fit the text or labels outside the closed enums are left out, so the line always loads.
    """
    first = records[0]
    spans = {(s["start"], s["end"], s["label"]) for r in records if (s := _identifier_span(r))}
    labels = {label for r in records if (label := _content_label(r))}
    return {
        "post_id": first.post_id,
        "institution_id": first.institution_id,
        "platform": first.platform,
        "text": first.text,
        "identifiers": [{"start": s, "end": e, "label": lab} for s, e, lab in sorted(spans)],
        "content_labels": sorted(labels),
        "expected_verdict": first.final_verdict,
    }


def gold_lines(records: Iterable[FeedbackRecord]) -> list[dict[str, Any]]:
    """Gold posts from stored feedback, one per (institution, post), in a stable order."""
    return [gold_line(group) for _key, group in sorted(_newest_sets(records).items()) if group]
