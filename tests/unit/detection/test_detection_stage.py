"""The detection stages as stream processors, with the real rule-based detector and classifier."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from postguard.core import codec, topics
from postguard.core.detection_stage import DetectionStage
from postguard.core.records import Inbound
from postguard.domain.advice import AdviceClassifier
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import Finding, Post, StageName, StageResult
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

ID = StageName.IDENTIFIER_DETECTION.value
AD = StageName.ADVICE_CLASSIFICATION.value
PHI = "My patient John Smith, 92, from Springfield was admitted 3/4. Call me at (617) 555-0142."
ADVICE = "You should take 40 mg of prednisone twice a day, DM me your symptoms."


def rec(post: Post | None, offset: int, raw: bytes | None = None, partition: int = 1) -> Inbound:
    value = raw if post is None else codec.encode(post)
    key = b"poison" if post is None else codec.encode_key(post.post_id)
    return Inbound(topics.POSTS, partition, offset, key, value)


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
    # each result names the content it was computed for, so it can only ever join that content
    assert [r.text_sha256 for r in (first, second)] == [p.text_sha256 for p in posts]
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
    assert DetectionStage.outgoing([], []) == []


def test_findings_go_to_the_partition_their_post_came_from() -> None:
    stage = DetectionStage(ID, IdentifierDetector().detect_batch)
    posts = [Post(f"q{n}", "h", "x", "Flu clinic opens Monday.") for n in range(3)]
    records = [
        rec(posts[0], 0, partition=4),
        rec(None, 1, b"\x0a\xff\xff", partition=9),  # skipped: must not shift the partitions after it
        rec(posts[1], 2, partition=0),
        rec(posts[2], 3, partition=7),
    ]
    out = stage.process(records)
    assert [(o.key, o.partition) for o in out] == [(b"q0", 4), (b"q1", 0), (b"q2", 7)]
    # the same from the parts the faust agent calls
    pairs = stage.screenable(records)
    assert [(r.partition, p.post_id) for r, p in pairs] == [(4, "q0"), (0, "q1"), (7, "q2")]
    results = stage.detect([p for _, p in pairs])
    again = DetectionStage.outgoing(results, [r.partition for r, _ in pairs])
    assert [(o.topic, o.key, o.partition) for o in again] == [(o.topic, o.key, o.partition) for o in out]


def test_outgoing_pins_each_result_to_its_partition_and_needs_one_per_result() -> None:
    results = [StageResult("a", ID, (), institution_id="h", text_sha256="1" * 64), StageResult("b", ID, ())]
    out = DetectionStage.outgoing(results, [2, 5])
    assert [(o.topic, o.key, o.partition) for o in out] == [
        (topics.FINDINGS, b"a", 2),
        (topics.FINDINGS, b"b", 5),
    ]
    assert codec.decode_stage_result(out[0].value) == results[0]
    with pytest.raises(ValueError):
        DetectionStage.outgoing(results, [2])
