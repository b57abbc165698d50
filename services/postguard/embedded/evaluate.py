"""Runs the embedded pipeline over a gold set and scores it (``postguard eval``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from postguard.domain.evaluation import EvalReport, GoldPost, evaluate, gold_from_mapping
from postguard.domain.pipeline import ScreeningPipeline, run_stage
from postguard.domain.policy.registry import Policy
from postguard.domain.types import Finding, StageName, Verdict
from postguard.domain.validation import PostValidationError


@dataclass(frozen=True, slots=True)
class GoldLoad:
    """Parsed gold posts and per-line errors (``(line, message)``)."""

    posts: list[GoldPost]
    errors: list[tuple[int, str]]


def load_gold(lines: Iterable[str]) -> GoldLoad:
    """Parse gold JSONL; a bad line is reported, never silently dropped."""
    posts, errors = [], []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            posts.append(gold_from_mapping(json.loads(raw)))
        except json.JSONDecodeError as exc:
            errors.append((number, f"not valid JSON ({exc.msg})"))
        except (PostValidationError, AttributeError) as exc:
            errors.append((number, f"invalid gold post: {exc}"))
    return GoldLoad(posts, errors)


def run_evaluation(
    pipeline: ScreeningPipeline, gold: list[GoldPost], batch_size: int = 64
) -> tuple[EvalReport, float]:
    """Screen every gold post; return the report and the screening rate (posts/s)."""
    started = time.perf_counter()
    findings, verdicts = predict(pipeline, gold, batch_size)
    elapsed = time.perf_counter() - started
    return evaluate(gold, findings, verdicts), len(gold) / elapsed if elapsed > 0 else 0.0


def predict(
    pipeline: ScreeningPipeline, gold: Sequence[GoldPost], batch_size: int = 64
) -> tuple[list[list[Finding]], list[Verdict]]:
    """The findings and verdict of every gold post, in order.

    Predicted findings are the detectors' own findings the policy acts on (``acted_on``: what can
    influence a decision); verdicts come from the policy engine as in ``postguard screen``.
    """
    findings: list[list[Finding]] = []
    verdicts: list[Verdict] = []
    for i in range(0, len(gold), batch_size):
        posts = [g.post for g in gold[i : i + batch_size]]
        id_results = run_stage(StageName.IDENTIFIER_DETECTION, pipeline.identifiers.detect_batch, posts)
        ad_results = run_stage(StageName.ADVICE_CLASSIFICATION, pipeline.advice.classify_batch, posts)
        for post, id_res, ad_res in zip(posts, id_results, ad_results, strict=True):
            policy = pipeline.policies.policy_for(post.institution_id)
            decision = pipeline.engine.decide(post, [id_res, ad_res], policy)
            verdicts.append(decision.verdict)
            findings.append([f for f in (*id_res.findings, *ad_res.findings) if acted_on(f, policy)])
    return findings, verdicts


def acted_on(finding: Finding, policy: Policy) -> bool:
    """Is this finding a prediction? It must reach its rule's confidence bar, and a kind the policy
    ignores (names of staff and public figures, reference links) is not one; a label-wide ``ignore``
    (FACILITY naming the institution) still is, as before rules by kind."""
    rule = policy.rule_for_finding(finding)
    if rule != policy.rule_for(finding.category, finding.label) and rule.action == "ignore":
        return False
    return finding.confidence >= rule.min_confidence
