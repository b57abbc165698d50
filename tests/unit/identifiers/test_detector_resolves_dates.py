"""The identifier detector resolves relative dates against the post's created_at, in its region."""

from __future__ import annotations

import pytest
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.identifiers.detector import post_region
from postguard.domain.types import Post

pytestmark = pytest.mark.unit
DETECTOR = IdentifierDetector()


def dates(text: str, created_at: str = "", **metadata: str) -> list[tuple[str, str]]:
    post = Post("p", "demo-hospital", "x", text, created_at=created_at, metadata=metadata)
    return [
        (post.text[f.start : f.end], f.attribute("resolved_date"))
        for f in DETECTOR.detect(post)
        if f.label == "DATE"
    ]


def test_a_relative_date_gets_the_calendar_day_it_points_to():
    found = dates("My patient was admitted yesterday with chest pain.", "2026-03-11T09:30:00Z")
    assert found == [("yesterday", "2026-03-10")]


def test_without_created_at_the_date_is_found_but_not_resolved():
    assert dates("My patient was admitted yesterday with chest pain.") == [("yesterday", "")]


def test_the_post_region_decides_day_first_dates():
    text = "Our patient was admitted on 04/03/2026 after a fall."
    assert dates(text, "2026-05-01T10:00:00Z", region="GB") == [("04/03/2026", "2026-03-04")]
    assert dates(text, "2026-05-01T10:00:00Z") == [("04/03/2026", "2026-04-03")]


def test_region_comes_from_metadata_and_is_checked():
    assert post_region(Post("p", "i", "x", "t", metadata={"region": "in"})) == "IN"
    assert post_region(Post("p", "i", "x", "t", metadata={"region": "India"})) == "US"
    assert post_region(Post("p", "i", "x", "t")) == "US"
