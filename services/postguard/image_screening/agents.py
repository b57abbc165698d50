"""image-screening's stage and agent: posts with image bytes through the ImageScreener, one post at a time.

Posts without image bytes are skipped (no result: policy-decision does not wait for this stage on them).
Each post's images are screened in a worker thread bounded by ``timeout_seconds``; a crash, a refused
image or the time running out gives an ``ok=False`` result, so the policy holds the post (fail closed).
Redacted copies are written to the store and only their references travel on the findings topic.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import hashlib
import logging
import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import faust
from prometheus_client import Counter, Histogram

from postguard.core.detection_stage import DetectionStage
from postguard.core.faust_app import Topics, add_detection_agent
from postguard.core.metrics import DETECTOR_ERRORS, STAGE_DURATION, observe_findings
from postguard.core.records import Inbound
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import EXIT_MODELS_UNAVAILABLE
from postguard.domain.images.decode import sniff_format
from postguard.domain.images.store import DirectoryStore, RedactedStore
from postguard.domain.pipeline import run_stage
from postguard.domain.types import IMAGE_SCREENING_STAGE, Finding, Post, StageResult
from postguard.image_screening.settings import ImageScreeningSettings

if TYPE_CHECKING:
    from postguard.domain.images.screen import ImageScreener

log = logging.getLogger(__name__)

STAGE = IMAGE_SCREENING_STAGE

IMAGES_SCREENED = Counter(
    "postguard_images_screened_total",
    "Attachment images image-screening screened, by the format of their bytes.",
    ["format"],
)
IMAGE_SECONDS = Histogram(
    "postguard_image_screening_seconds",
    "Wall time image-screening spent per image (a post's time shared over its images).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0),
)
IMAGES_REJECTED = Counter(
    "postguard_images_rejected_total",
    "Posts whose images image-screening could not screen (held for review), by reason class.",
    ["reason"],
)
_REASON_CLASSES = (
    ("timed out", "timeout"),
    ("too large", "too_large"),
    ("pixels", "too_many_pixels"),
    ("frames", "too_many_frames"),
    ("not a supported image", "unsupported"),
    ("corrupt", "corrupt"),
    ("OcrUnavailable", "ocr_unavailable"),
    ("store", "store_failed"),
)


def reason_class(error: str) -> str:
    """A bounded label for a failed result's error (which names sizes and types, never content)."""
    return next((label for cue, label in _REASON_CLASSES if cue in error), "error")


class ImageScreeningStage(DetectionStage):
    """The image-screening stream stage: decode + validate, screen posts with image bytes, keep copies."""

    def __init__(
        self,
        screener: ImageScreener,
        store: RedactedStore,
        *,
        timeout_seconds: float = 120.0,
        remember: int = 1024,
    ) -> None:
        super().__init__(STAGE, screener.screen_batch)
        self.screener = screener
        self.store = store
        self.timeout_seconds = timeout_seconds
        self.remember = remember
        # Results of the last ``remember`` posts screened ok, by content: a post seen again (policy-decision
        # re-drives a post whose result is late, a re-delivery after a rebalance) is answered from here
        # instead of being OCR'd again, so re-drives cannot pile seconds of work onto a lagging stage.
        self._done: collections.OrderedDict[tuple[str, ...], StageResult] = collections.OrderedDict()

    def screenable(self, records: Sequence[Inbound]) -> list[tuple[Inbound, Post]]:
        """The valid posts that carry image bytes (the others get no result from this stage)."""
        return [(r, p) for r, p in super().screenable(records) if any(a.has_content for a in p.attachments)]

    def detect(self, posts: Sequence[Post]) -> list[StageResult]:
        """One result per post, each screened alone (one unreadable image fails only its own post)."""
        results = []
        for post in posts:
            result = dataclasses.replace(
                self.screen_one(post), institution_id=post.institution_id, text_sha256=post.text_sha256
            )
            self._observe(post, result)
            results.append(result)
        return results

    def screen_one(self, post: Post) -> StageResult:
        """Screen one post's images within ``timeout_seconds`` (or answer a post screened before)."""
        key = _content_key(post)
        known = self._done.get(key)
        if known is not None:
            self._done.move_to_end(key)
            return dataclasses.replace(known, post_id=post.post_id)
        result = self._screen(post)
        if result.ok and self.remember > 0:
            self._done[key] = result
            while len(self._done) > self.remember:
                self._done.popitem(last=False)
        return result

    def _screen(self, post: Post) -> StageResult:
        """Screen one post's images within ``timeout_seconds``; store the redacted copies."""
        redacted: list[tuple[str, bytes]] = []

        def stage(batch: Sequence[Post]) -> list[list[Finding]]:
            reports = self.screener.screen_posts(batch)
            redacted.extend(pair for report in reports for pair in report.redacted)
            return [list(report.findings) for report in reports]

        started = time.perf_counter()
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="image-screening")
        future = pool.submit(run_stage, STAGE, stage, [post], budget=self.screener.refusal)
        try:
            result = future.result(timeout=self.timeout_seconds)[0]
        except concurrent.futures.TimeoutError:
            # The thread cannot be killed; it finishes on its own (OCR has its own per-frame bound).
            return _failed(post, f"{STAGE} failed: timed out after {self.timeout_seconds:g} s", started)
        finally:
            pool.shutdown(wait=False)
        if not result.ok or not redacted:
            return result
        try:
            references = tuple(sorted((aid, self.store.put(data)) for aid, data in redacted))
        except OSError as exc:
            log.error(
                "redacted copy not stored", extra={"post_id": post.post_id, "error_type": type(exc).__name__}
            )
            return _failed(post, f"{STAGE} failed: redacted copy store ({type(exc).__name__})", started)
        return dataclasses.replace(result, redacted_attachments=references)

    def _observe(self, post: Post, result: StageResult) -> None:
        images = [a for a in post.attachments if a.has_content]
        STAGE_DURATION.labels(stage=STAGE).observe(result.duration_seconds)
        for attachment in images:
            IMAGES_SCREENED.labels(format=sniff_format(attachment.content) or "unknown").inc()
            IMAGE_SECONDS.observe(result.duration_seconds / len(images))
        if result.ok:
            observe_findings(result.findings)
            return
        DETECTOR_ERRORS.labels(stage=STAGE).inc()
        IMAGES_REJECTED.labels(reason=reason_class(result.error)).inc()
        log.error("image screening failed", extra={"post_id": result.post_id, "error": result.error})


def _content_key(post: Post) -> tuple[str, ...]:
    """What a result is a function of: the post's identity and text, and every attachment's bytes."""
    images = (f"{a.attachment_id}:{hashlib.sha256(a.content).hexdigest()}" for a in post.attachments)
    return (post.institution_id, post.post_id, post.text_sha256, *images)


def _failed(post: Post, error: str, started: float) -> StageResult:
    return StageResult(
        post.post_id,
        STAGE,
        ok=False,
        error=error,
        duration_seconds=time.perf_counter() - started,
        institution_id=post.institution_id,
    )


def build_screener(common: CommonSettings) -> ImageScreener:
    """The shipped screener over the same identifier detector and content classifier as the text stages
    (rules plus the trained models unless ``use_models`` is false; then required, exit 78 without them)."""
    from postguard.advice_classification.agents import build_classifier
    from postguard.domain.images.screen import ImageScreener
    from postguard.identifier_detection.agents import build_detector

    return ImageScreener.default(build_detector(common), build_classifier(common))


def require_redacted_dir(settings: ImageScreeningSettings) -> None:
    """The redacted-copy directory exists and is writable, or start-up stops (status 78)."""
    directory = settings.redacted_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        writable = os.access(directory, os.W_OK | os.X_OK)
    except OSError:
        writable = False
    if not writable:
        log.error(
            "the redacted-copy directory is not writable; set POSTGUARD_IMAGE_SCREENING_REDACTED_DIR",
            extra={"path": str(directory), "exit_code": EXIT_MODELS_UNAVAILABLE},
        )
        raise SystemExit(EXIT_MODELS_UNAVAILABLE)


def require_ocr(screener: ImageScreener) -> None:
    """Read a blank image once at start-up: without a working Tesseract every post with images would be
    held, so the process stops (status 78, like missing models) before it reports healthy."""
    from PIL import Image

    from postguard.domain.images.ocr import OcrUnavailable

    try:
        screener.ocr.read(Image.new("RGB", (64, 32), "white"))
    except OcrUnavailable as exc:
        log.error("OCR is unavailable: %s; install tesseract-ocr (make ocr)", exc, extra={"exit_code": 78})
        raise SystemExit(EXIT_MODELS_UNAVAILABLE) from None


def default_stage(
    common: CommonSettings, settings: ImageScreeningSettings, screener: ImageScreener | None = None
) -> ImageScreeningStage:
    """The stream stage around ``screener`` (default: ``build_screener``), copies under ``redacted_dir``."""
    return ImageScreeningStage(
        screener or build_screener(common),
        DirectoryStore(settings.redacted_dir),
        timeout_seconds=settings.timeout_seconds,
    )


def register(app: faust.App, known: Topics, stage: DetectionStage, settings: ImageScreeningSettings) -> Any:
    """Add the screening agent to ``app``."""
    return add_detection_agent(
        app,
        known,
        stage,
        batch_size=settings.batch_size,
        within=settings.batch_within_seconds,
        stall_seconds=settings.stall_seconds,
    )
