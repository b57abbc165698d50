"""A detection stage as a stream processor: a batch of post records in, one StageResult record per post out.

Shared by identifier-detection and advice-classification (they differ only in the detector). Posts
that cannot be decoded or validated are skipped here and logged: policy-decision, which consumes the
same topic, is the one service that dead-letters them, so a poison post yields exactly one
dead-letter record.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from postguard.core import codec, topics
from postguard.core.metrics import DETECTOR_ERRORS, POSTS_RECEIVED, STAGE_DURATION, observe_findings
from postguard.core.records import Inbound, Outgoing
from postguard.domain.pipeline import BatchStage, run_stage
from postguard.domain.types import Post, StageResult
from postguard.domain.validation import MAX_TEXT_CHARS, PostValidationError, validate_post

log = logging.getLogger(__name__)


class DetectionStage:
    """Runs one detector over batches of consumed posts and turns the outcome into findings records."""

    def __init__(self, stage: str, run_batch: BatchStage, *, max_text_chars: int = MAX_TEXT_CHARS) -> None:
        self.stage = stage
        self.run_batch = run_batch
        self.max_text_chars = max_text_chars

    def accept(self, record: Inbound) -> Post | None:
        """Decode and validate one record; ``None`` (logged, not dead-lettered here) when it is poison."""
        POSTS_RECEIVED.labels(service=self.stage).inc()
        try:
            return validate_post(codec.decode_post(record.value), max_text_chars=self.max_text_chars)
        except (codec.DecodeError, PostValidationError) as exc:
            log.warning(
                "skipping a post that cannot be screened (policy-decision dead-letters it)",
                extra={
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "error_type": type(exc).__name__,
                    "field": getattr(exc, "field", ""),
                },
            )
            return None

    def detect(self, posts: Sequence[Post]) -> list[StageResult]:
        """Run the detector over ``posts``; a failing batch is retried post by post so one bad post
        fails alone. Failures become ``ok=False`` results (the policy fails closed on them)."""
        if not posts:
            return []
        results = run_stage(self.stage, self.run_batch, posts)
        if len(posts) > 1 and not all(r.ok for r in results):
            results = [run_stage(self.stage, self.run_batch, [post])[0] for post in posts]
        # Each result names the content it was computed for, so it can only ever join that content.
        results = [
            dataclasses.replace(r, institution_id=p.institution_id, text_sha256=p.text_sha256)
            for r, p in zip(results, posts, strict=True)
        ]
        for result in results:
            STAGE_DURATION.labels(stage=self.stage).observe(result.duration_seconds)
            if result.ok:
                observe_findings(result.findings)
            else:
                DETECTOR_ERRORS.labels(stage=self.stage).inc()
                log.error("detector failed", extra={"post_id": result.post_id, "error": result.error})
        return results

    def screenable(self, records: Sequence[Inbound]) -> list[tuple[Inbound, Post]]:
        """The records that decode to a valid post, with their post."""
        accepted = [(record, self.accept(record)) for record in records]
        return [(record, post) for record, post in accepted if post is not None]

    def process(self, records: Sequence[Inbound]) -> list[Outgoing]:
        """The whole step: records in, one findings record per screenable post out."""
        pairs = self.screenable(records)
        return self.outgoing(self.detect([post for _, post in pairs]), [r.partition for r, _ in pairs])

    @staticmethod
    def outgoing(results: Sequence[StageResult], partitions: Sequence[int]) -> list[Outgoing]:
        """Each result as a findings record keyed by its post_id, on the partition its post came from.

        The join in policy-decision needs a post and its findings on the same partition; pinning the
        findings to the post's partition makes that hold whatever partitioner produced the post.
        """
        return [
            Outgoing(topics.FINDINGS, codec.encode_key(r.post_id), codec.encode(r), partition=p)
            for r, p in zip(results, partitions, strict=True)
        ]
