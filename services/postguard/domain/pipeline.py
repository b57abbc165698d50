"""The whole screening job in one process: both detection stages, then the policy engine."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from postguard.domain.advice import AdviceClassifier
from postguard.domain.engine.tokens import SharedTokens
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.images.store import reference_for
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.text_guard import TooComplexError, too_complex
from postguard.domain.types import (
    IMAGE_SCREENING_STAGE,
    Decision,
    Finding,
    Post,
    StageName,
    StageResult,
    expected_stages,
)

if TYPE_CHECKING:
    from postguard.domain.images.screen import ImageScreener
    from postguard.domain.images.store import RedactedStore

BatchStage = Callable[[Sequence[Post]], list[list[Finding]]]
Budget = Callable[[str, Post], "str | None"]
"""``(stage, post) -> error`` for a post the stage must not screen (over its work budget), else None."""


def run_stage(
    stage: str, run_batch: BatchStage, posts: Sequence[Post], *, budget: Budget = too_complex
) -> list[StageResult]:
    """Run one detection stage over a batch; a crash becomes ``ok=False`` results (fail closed).

    Posts over the stage's work budget (``text_guard.too_complex``, checked in linear time before any
    detector work) are not screened: their result is ``ok=False`` with an error starting
    ``"too complex: "`` that names sizes only; the rest of the batch is screened as usual. A detector
    that raises ``TooComplexError`` itself fails the same way (a batch is then retried post by post).

    The error recorded for a crash is the exception type only: exception messages may quote post text.
    """
    started = time.perf_counter()
    refused = {i: error for i, post in enumerate(posts) if (error := budget(stage, post)) is not None}
    todo = [post for i, post in enumerate(posts) if i not in refused]
    try:
        per_post = run_batch(todo) if todo else []
    except TooComplexError as exc:
        if len(todo) == 1:
            per_post = []
            refused.update({i: exc.error for i in range(len(posts)) if i not in refused})
        else:  # one post over a detector's own budget must not fail the others: one by one
            retried = iter([run_stage(stage, run_batch, [post], budget=budget)[0] for post in todo])
            return [
                _failed(stage, p, refused[i]) if i in refused else next(retried) for i, p in enumerate(posts)
            ]
    except Exception as exc:  # any detector failure must hold the post, not crash the batch
        return [_failed(stage, post, f"{stage} failed: {type(exc).__name__}") for post in posts]
    if len(per_post) != len(posts) - len(refused):
        return [_failed(stage, post, f"{stage} failed: wrong result count") for post in posts]
    each = (time.perf_counter() - started) / max(len(posts), 1)
    found = iter(per_post)
    return [
        _failed(stage, post, refused[i], each)
        if i in refused
        else StageResult(
            post.post_id, stage, tuple(next(found)), duration_seconds=each, institution_id=post.institution_id
        )
        for i, post in enumerate(posts)
    ]


def _sharing(run_batch: Callable[..., list[list[Finding]]], shared: SharedTokens) -> BatchStage:
    """``run_batch`` given the batch's shared token tables, when it takes them (``shared=``)."""
    if "shared" in inspect.signature(run_batch).parameters:
        return functools.partial(run_batch, shared=shared)
    return run_batch


def _failed(stage: str, post: Post, error: str, duration: float = 0.0) -> StageResult:
    return StageResult(
        post.post_id,
        stage,
        ok=False,
        error=error,
        duration_seconds=duration,
        institution_id=post.institution_id,
    )


class ScreeningPipeline:
    """Identifier detection + advice classification (+ image screening for posts with image bytes) +
    policy decision, in-process. Without ``images`` a post with image bytes is held as incomplete."""

    def __init__(
        self,
        identifiers: IdentifierDetector,
        advice: AdviceClassifier,
        policies: PolicyRegistry,
        engine: PolicyEngine | None = None,
        *,
        images: ImageScreener | None = None,
        store: RedactedStore | None = None,
    ) -> None:
        self.identifiers = identifiers
        self.advice = advice
        self.policies = policies
        self.engine = engine or PolicyEngine()
        self.images = images
        self.store = store

    @classmethod
    def default(cls, policy_dir: Path | None = None, *, use_models: bool = True) -> ScreeningPipeline:
        """The shipped configuration: rules plus the trained models when present and ``use_models``."""
        from postguard.domain.images.screen import ImageScreener
        from postguard.domain.models import load_advice_model, load_ner_model

        ner = load_ner_model() if use_models else None
        text_model = load_advice_model() if use_models else None
        identifiers = IdentifierDetector(ner_model=ner)
        advice = AdviceClassifier(text_model=text_model)
        images = ImageScreener.default(identifiers, advice)
        return cls(identifiers, advice, PolicyRegistry.load(policy_dir), images=images)

    def screen(self, post: Post) -> Decision:
        """Screen one post. Raises ``UnknownInstitutionError`` before any work for unknown institutions."""
        return self.screen_batch([post])[0]

    def screen_batch(self, posts: Sequence[Post]) -> list[Decision]:
        """Screen posts together (faster: the language models batch). Every post gets one decision."""
        policies = [self.policies.policy_for(p.institution_id) for p in posts]
        # one tokenisation per post: the identifier stage leaves its token tables for the text model
        # (without one nobody reads them, so none are built)
        if getattr(self.advice, "text_model", None) is not None:
            shared = SharedTokens()
            identify = _sharing(self.identifiers.detect_batch, shared)
            classify = _sharing(self.advice.classify_batch, shared)
        else:
            identify, classify = self.identifiers.detect_batch, self.advice.classify_batch
        id_results = run_stage(StageName.IDENTIFIER_DETECTION, identify, posts)
        ad_results = run_stage(StageName.ADVICE_CLASSIFICATION, classify, posts)
        image_results = [self.screen_images(post) for post in posts]
        decisions = []
        for post, policy, id_res, ad_res, image_res in zip(
            posts, policies, id_results, ad_results, image_results, strict=True
        ):
            started = time.perf_counter()
            results = [id_res, ad_res] if image_res is None else [id_res, ad_res, image_res]
            decision = self.engine.decide(post, results, policy, expected_stages(post))
            decision.timings.update({r.stage: r.duration_seconds for r in results})
            decision.timings["policy-decision"] = time.perf_counter() - started
            decisions.append(decision)
        return decisions

    def screen_images(self, post: Post) -> StageResult | None:
        """The image-screening result for one post with image bytes (None for a text-only post, or when
        this pipeline has no image screener: the decision then lists the stage as incomplete). One post
        at a time, so one unreadable image fails only its own post (closed)."""
        if self.images is None or not any(a.has_content for a in post.attachments):
            return None
        screener = self.images
        redacted: dict[str, tuple[tuple[str, bytes], ...]] = {}

        def stage(batch: Sequence[Post]) -> list[list[Finding]]:
            reports = screener.screen_posts(batch)
            redacted.update({p.post_id: r.redacted for p, r in zip(batch, reports, strict=True)})
            return [list(r.findings) for r in reports]

        result = run_stage(IMAGE_SCREENING_STAGE, stage, [post], budget=screener.refusal)[0]
        if not result.ok or not redacted.get(post.post_id):
            return result
        store = self.store
        references = tuple(
            sorted(
                (aid, store.put(data) if store else reference_for(data))
                for aid, data in redacted[post.post_id]
            )
        )
        return replace(result, redacted_attachments=references)
