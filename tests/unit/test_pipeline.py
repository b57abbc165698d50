"""The embedded pipeline: batches, fail-closed stages, unknown institutions, shipped defaults."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from postguard.domain.advice import AdviceClassifier
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.pipeline import ScreeningPipeline, run_stage
from postguard.domain.policy import PolicyRegistry, UnknownInstitutionError
from postguard.domain.types import Category, Finding, Post, StageName, Verdict

pytestmark = pytest.mark.unit

CLEAN = "Great turnout at today's hand-hygiene workshop! Thanks to all our nurses."


class Exploding(IdentifierDetector):
    """A detector that crashes with the post text in its message (which must not leak)."""

    def detect_batch(self, posts: Sequence[Post]) -> list[list[Finding]]:
        raise RuntimeError(f"boom on {posts[0].text}")


class FixedAdvice(AdviceClassifier):
    """Reports the same content finding for every post."""

    def classify_batch(self, posts: Sequence[Post]) -> list[list[Finding]]:
        return [[Finding(Category.CONTENT, "UNPROFESSIONAL", 0, 0, 0.95, "fixed", "")] for _ in posts]


def post(pid: str, text: str = CLEAN, institution: str = "demo-hospital") -> Post:
    return Post(pid, institution, "x", text)


def test_run_stage_turns_a_crash_into_failed_results_without_text() -> None:
    results = run_stage("identifier-detection", Exploding().detect_batch, [post("a", "secret Zebulon")])
    assert len(results) == 1 and not results[0].ok
    assert results[0].error == "identifier-detection failed: RuntimeError"
    assert "Zebulon" not in results[0].error


def test_crashing_stage_makes_every_post_review_not_allow() -> None:
    pipeline = ScreeningPipeline(Exploding(), AdviceClassifier(), PolicyRegistry.load())
    decisions = pipeline.screen_batch([post("a"), post("b")])
    assert [d.verdict for d in decisions] == [Verdict.REVIEW, Verdict.REVIEW]
    assert all(d.incomplete_stages == (StageName.IDENTIFIER_DETECTION.value,) for d in decisions)
    assert "screening incomplete: identifier-detection failed" in decisions[0].reasons
    assert all(d.redacted_text == "" for d in decisions)  # partial findings: nothing derived is shown


def test_findings_from_a_stage_reach_the_policy() -> None:
    pipeline = ScreeningPipeline(IdentifierDetector(), FixedAdvice(), PolicyRegistry.load())
    (decision,) = pipeline.screen_batch([post("a")])
    assert decision.verdict == Verdict.BLOCK
    assert set(decision.timings) == {"identifier-detection", "advice-classification", "policy-decision"}


def test_unknown_institution_raises_before_any_work() -> None:
    pipeline = ScreeningPipeline(Exploding(), AdviceClassifier(), PolicyRegistry.load())
    with pytest.raises(UnknownInstitutionError):
        pipeline.screen(post("a", institution="nowhere"))


def test_default_pipeline_screens_the_two_reference_posts() -> None:
    pipeline = ScreeningPipeline.default(use_models=False)
    risky = "My patient John Smith, 92, from Springfield was admitted 3/4 with chest pain."
    clean, held = pipeline.screen_batch([post("c"), post("r", risky)])
    assert clean.verdict == Verdict.ALLOW and clean.redacted_text == CLEAN
    assert held.verdict in (Verdict.BLOCK, Verdict.REVIEW)
    assert held.findings and all(f.reason and f.suggestion for f in held.findings)
    assert clean.text_sha256 != held.text_sha256 and len(clean.text_sha256) == 64


def test_empty_batch() -> None:
    assert ScreeningPipeline.default(use_models=False).screen_batch([]) == []
