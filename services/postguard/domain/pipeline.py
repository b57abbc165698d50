"""The whole screening job in one process: both detection stages, then the policy engine."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from postguard.domain.advice import AdviceClassifier
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.types import Decision, Finding, Post, StageName, StageResult

BatchStage = Callable[[Sequence[Post]], list[list[Finding]]]


def run_stage(stage: str, run_batch: BatchStage, posts: Sequence[Post]) -> list[StageResult]:
    """Run one detection stage over a batch; a crash becomes ``ok=False`` results (fail closed).

    The error recorded is the exception type only: exception messages may quote post text.
    """
    started = time.perf_counter()
    try:
        per_post = run_batch(posts)
    except Exception as exc:  # any detector failure must hold the post, not crash the batch
        return [
            StageResult(
                post.post_id,
                stage,
                ok=False,
                error=f"{stage} failed: {type(exc).__name__}",
                institution_id=post.institution_id,
            )
            for post in posts
        ]
    each = (time.perf_counter() - started) / max(len(posts), 1)
    return [
        StageResult(
            post.post_id, stage, tuple(found), duration_seconds=each, institution_id=post.institution_id
        )
        for post, found in zip(posts, per_post, strict=True)
    ]


class ScreeningPipeline:
    """Identifier detection + advice classification + policy decision, in-process."""

    def __init__(
        self,
        identifiers: IdentifierDetector,
        advice: AdviceClassifier,
        policies: PolicyRegistry,
        engine: PolicyEngine | None = None,
    ) -> None:
        self.identifiers = identifiers
        self.advice = advice
        self.policies = policies
        self.engine = engine or PolicyEngine()

    @classmethod
    def default(cls, policy_dir: Path | None = None, *, use_models: bool = True) -> ScreeningPipeline:
        """The shipped configuration: rules plus the trained models when present and ``use_models``."""
        from postguard.domain.models import load_advice_model, load_ner_model

        ner = load_ner_model() if use_models else None
        text_model = load_advice_model() if use_models else None
        return cls(
            IdentifierDetector(ner_model=ner),
            AdviceClassifier(text_model=text_model),
            PolicyRegistry.load(policy_dir),
        )

    def screen(self, post: Post) -> Decision:
        """Screen one post. Raises ``UnknownInstitutionError`` before any work for unknown institutions."""
        return self.screen_batch([post])[0]

    def screen_batch(self, posts: Sequence[Post]) -> list[Decision]:
        """Screen posts together (faster: the language models batch). Every post gets one decision."""
        policies = [self.policies.policy_for(p.institution_id) for p in posts]
        id_results = run_stage(StageName.IDENTIFIER_DETECTION, self.identifiers.detect_batch, posts)
        ad_results = run_stage(StageName.ADVICE_CLASSIFICATION, self.advice.classify_batch, posts)
        decisions = []
        for post, policy, id_res, ad_res in zip(posts, policies, id_results, ad_results, strict=True):
            started = time.perf_counter()
            decision = self.engine.decide(post, [id_res, ad_res], policy)
            decision.timings.update(
                {
                    StageName.IDENTIFIER_DETECTION.value: id_res.duration_seconds,
                    StageName.ADVICE_CLASSIFICATION.value: ad_res.duration_seconds,
                    "policy-decision": time.perf_counter() - started,
                }
            )
            decisions.append(decision)
        return decisions
