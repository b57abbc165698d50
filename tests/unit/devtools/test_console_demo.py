"""make console's sample posts: every bundled sample is a valid post, every other one scheduled ahead."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from postguard.devtools.console_demo import sample_posts
from postguard.domain.review.deadlines import parse_rfc3339

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "posts.jsonl"


def test_the_samples_are_posts_and_every_other_one_is_scheduled_ahead() -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    posts = sample_posts(SAMPLES, now)
    lines = [line for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(posts) == len(lines) > 10
    scheduled = [p for p in posts if p.scheduled_publish_at]
    assert len(scheduled) == len(posts) // 2
    assert all(parse_rfc3339(p.scheduled_publish_at) > now for p in scheduled)
    assert all(p.author_id for p in posts)
