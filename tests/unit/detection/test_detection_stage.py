"""The detection stages as stream processors, with the real rule-based detector and classifier."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from postguard.core import codec, topics
from postguard.core.detection_stage import DetectionStage
from postguard.core.records import Inbound
from postguard.domain.advice import AdviceClassifier
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import Finding, Post, StageName
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

ID = StageName.IDENTIFIER_DETECTION.value
AD = StageName.ADVICE_CLASSIFICATION.value
PHI = "My patient John Smith, 92, from Springfield was admitted 3/4. Call me at (617) 555-0142."
ADVICE = "You should take 40 mg of prednisone twice a day, DM me your symptoms."


def rec(post: Post | None, offset: int, raw: bytes | None = None) -> Inbound:
    value = raw if post is None else codec.encode(post)
    key = b"poison" if post is None else codec.encode_key(post.post_id)
    return Inbound(topics.POSTS, 1, offset, key, value)


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_identifier_stage_emits_one_result_per_post_keyed_by_post_id() -> None:
    stage = DetectionStage(ID, IdentifierDetector().detect_batch)
    before = _value("postguard_findings_total", category="IDENTIFIER", label="PHONE")
    posts = [Post("a", "h", "x", PHI), Post("b", "h", "linkedin", "Flu clinic opens Monday at nine.")]
    out = stage.process([rec(p, i) for i, p in enumerate(posts)])
    assert [o.topic for o in out] == [topics.FINDINGS, topics.FINDINGS]
    assert [o.key for o in out] == [b"a", b"b"]
    first, second = (codec.decode_stage_result(o.value) for o in out)
    assert first.stage == ID and first.ok and first.institution_id == "h"
    assert {"PERSON", "PHONE"} <= {f.label for f in first.findings}
    assert second.ok
    assert _value("postguard_findings_total", category="IDENTIFIER", label="PHONE") == before + 1


def test_advice_stage_finds_personal_advice() -> None:
    stage = DetectionStage(AD, AdviceClassifier().classify_batch)
    [out] = stage.process([rec(Post("c", "h", "x", ADVICE), 0)])
    result = codec.decode_stage_result(out.value)
    assert result.stage == AD
    assert "PERSONAL_ADVICE" in {f.label for f in result.findings}


def test_poison_and_invalid_posts_are_skipped_not_emitted() -> None:
    stage = DetectionStage(ID, IdentifierDetector().detect_batch)
    records = [
        rec(None, 0, b"\x0a\xff\xff"),
        rec(None, 1, None),
        rec(Post("d", "h", "myspace", "hello"), 2),
        rec(Post("e", "h", "x", "Flu clinic opens Monday."), 3),
    ]
    out = stage.process(records)
    assert [o.key for o in out] == [b"e"]


class Flaky:
    """A detector that crashes on one post (its message quotes the text, as real bugs do)."""

    def detect_batch(self, posts: Sequence[Post]) -> list[list[Finding]]:
        for post in posts:
            if "boom" in post.text:
                raise RuntimeError(f"cannot parse {post.text!r}")
        return [[] for _ in posts]


def test_a_crashing_detector_fails_only_that_post_closed_without_leaking_text() -> None:
    stage = DetectionStage(ID, Flaky().detect_batch)
    before = _value("postguard_detector_errors_total", stage=ID)
    posts = [Post("f", "h", "x", "fine"), Post("g", "h", "x", "Jane Example boom"), Post("i", "h", "x", "ok")]
    results = [
        codec.decode_stage_result(o.value) for o in stage.process([rec(p, n) for n, p in enumerate(posts)])
    ]
    assert [(r.post_id, r.ok) for r in results] == [("f", True), ("g", False), ("i", True)]
    assert results[1].error == f"{ID} failed: RuntimeError"
    assert "Jane" not in results[1].error
    assert _value("postguard_detector_errors_total", stage=ID) == before + 1


def test_empty_batch_produces_nothing() -> None:
    assert DetectionStage(ID, Flaky().detect_batch).process([]) == []
