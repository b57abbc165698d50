"""The post/stage-result join behind policy-decision: ordering, deadlines, idempotence, fail closed."""

from __future__ import annotations

import dataclasses

import pytest
from postguard.domain import join
from postguard.domain.join import Step
from postguard.domain.policy import PolicyEngine, PolicyRegistry, UnknownInstitutionError
from postguard.domain.types import Category, Decision, Finding, Post, StageResult, Verdict

pytestmark = pytest.mark.unit

ID, AD = join.EXPECTED_STAGES
POST = Post("p-1", "demo-hospital", "x", "Seen Mrs Example today")
NAME = Finding(Category.IDENTIFIER, "PERSON", 5, 16, 0.9, "ner", "a patient's name")
ID_RES = StageResult("p-1", ID, (NAME,), duration_seconds=0.01, institution_id="demo-hospital")
AD_RES = StageResult("p-1", AD, (), duration_seconds=0.02, institution_id="demo-hospital")


def _policies() -> PolicyRegistry:
    return PolicyRegistry.load(None)


def _feed(order: list[object], now: float = 100.0) -> tuple[join.JoinState, list[Step]]:
    state: join.JoinState | None = None
    steps = []
    for item in order:
        if isinstance(item, Post):
            state, step = join.add_post(state, item, now)
        else:
            state, step = join.add_result(state, item, now)  # type: ignore[arg-type]
        steps.append(step)
    assert state is not None
    return state, steps


@pytest.mark.parametrize(
    "order",
    [[POST, ID_RES, AD_RES], [ID_RES, POST, AD_RES], [AD_RES, ID_RES, POST], [ID_RES, AD_RES, POST]],
)
def test_ready_exactly_when_the_last_piece_arrives_in_any_order(order: list[object]) -> None:
    state, steps = _feed(order)
    assert steps == [Step.WAIT, Step.WAIT, Step.DECIDE]
    assert join.is_ready(state)
    assert join.missing_stages(state) == ()


def test_first_result_per_stage_wins_and_unknown_stages_are_ignored() -> None:
    other = dataclasses.replace(ID_RES, findings=())
    rogue = StageResult("p-1", "rogue-stage", ())
    state, steps = _feed([POST, ID_RES, other, rogue])
    assert steps == [Step.WAIT, Step.WAIT, Step.WAIT, Step.WAIT]
    assert state.results[ID] is ID_RES
    assert join.missing_stages(state) == (AD,)


def test_complete_decision_carries_timings_and_drops_text_from_state() -> None:
    state, _ = _feed([POST, ID_RES, AD_RES])
    decision = join.decide(state, _policies(), PolicyEngine(), "2026-01-01T00:00:00Z")
    assert decision.post_id == "p-1"
    assert decision.incomplete_stages == ()
    assert decision.timings[ID] == 0.01 and decision.timings[AD] == 0.02
    assert decision.decided_at == "2026-01-01T00:00:00Z"
    closed = join.record_decision(state, decision, now=101.0)
    assert closed.decided and closed.post is None and dict(closed.results) == {}
    assert set(closed.inputs) == {join.POST_INPUT, ID, AD}


def test_redelivered_inputs_reemit_the_same_decision_and_late_ones_are_ignored() -> None:
    state, _ = _feed([POST, ID_RES])
    assert join.is_overdue(state, now=100.0 + 5.0, deadline_seconds=5.0)
    assert not join.is_overdue(state, now=104.9, deadline_seconds=5.0)
    decision = join.decide(state, _policies(), PolicyEngine(), "t")
    closed = join.record_decision(state, decision, now=105.0)
    # the post and the identifier result were used: re-delivery asks for the same decision again
    assert join.add_post(closed, POST, 106.0) == (closed, Step.REEMIT)
    assert join.add_result(closed, ID_RES, 106.0) == (closed, Step.REEMIT)
    # advice-classification reporting after the deadline changes nothing
    assert join.add_result(closed, AD_RES, 106.0) == (closed, Step.IGNORE)
    assert not join.is_overdue(closed, now=1e9, deadline_seconds=5.0)


def test_recording_a_different_decision_is_refused() -> None:
    state, _ = _feed([POST, ID_RES, AD_RES])
    decision = join.decide(state, _policies(), PolicyEngine(), "t1")
    closed = join.record_decision(state, decision, 1.0)
    same_but_later = dataclasses.replace(decision, decided_at="t2", timings={"x": 9.0})
    assert join.record_decision(closed, same_but_later, 2.0) is closed
    with pytest.raises(ValueError, match="different decision"):
        join.record_decision(closed, dataclasses.replace(decision, verdict=Verdict.BLOCK), 2.0)


def test_overdue_post_is_review_screening_incomplete_never_allow() -> None:
    state, _ = _feed([POST, ID_RES])
    decision = join.decide(state, _policies(), PolicyEngine(), "t")
    assert decision.verdict in (Verdict.REVIEW, Verdict.BLOCK)
    assert join.INCOMPLETE_REASON in decision.reasons
    assert decision.incomplete_stages == (AD,)
    nothing, _ = _feed([POST])
    assert join.decide(nothing, _policies(), PolicyEngine(), "t").incomplete_stages == (ID, AD)


def test_failed_stage_fails_closed_even_if_the_policy_says_allow() -> None:
    failed = StageResult("p-1", AD, (), ok=False, error="advice-classification failed: RuntimeError")
    state, steps = _feed([POST, ID_RES, failed])
    assert steps[-1] == Step.DECIDE
    decision = join.decide(state, _policies(), PolicyEngine(), "t")
    assert decision.verdict.severity >= Verdict.REVIEW.severity
    assert any(AD in r for r in decision.reasons)


def test_enforce_fail_closed_keeps_block_and_leaves_complete_decisions_alone() -> None:
    block = Decision("p", "h", Verdict.BLOCK, (), ("names a patient",), "", "d", "1", "")
    assert join.enforce_fail_closed(block, [ID_RES]).verdict == Verdict.BLOCK
    assert join.enforce_fail_closed(block, [ID_RES, AD_RES]) is block


def test_results_without_a_post_wait_and_then_expire() -> None:
    state, steps = _feed([ID_RES, AD_RES])
    assert steps == [Step.WAIT, Step.WAIT]
    assert not join.is_overdue(state, now=1e9, deadline_seconds=1.0)  # nothing to decide on
    assert join.is_expired(state, now=100.0 + 3600, retention_seconds=3600)
    with pytest.raises(ValueError, match="before the post"):
        join.decide(state, _policies(), PolicyEngine(), "t")


def test_rejected_posts_ignore_everything_afterwards() -> None:
    bad = dataclasses.replace(POST, institution_id="nowhere")
    state, _ = _feed([bad])
    with pytest.raises(UnknownInstitutionError):
        join.decide(state, _policies(), PolicyEngine(), "t")
    rejected = join.reject(state, "p-1", "unknown_institution", now=100.0)
    assert rejected.closed and not rejected.decided and rejected.post is None
    assert join.add_post(rejected, bad, 101.0)[1] == Step.IGNORE
    assert join.add_result(rejected, ID_RES, 101.0)[1] == Step.IGNORE
    assert join.is_expired(rejected, now=100.0 + 60, retention_seconds=60)


def test_fingerprint_ignores_time_but_not_content() -> None:
    state, _ = _feed([POST, ID_RES, AD_RES])
    decision = join.decide(state, _policies(), PolicyEngine(), "t1")
    later = dataclasses.replace(decision, decided_at="t2", timings={})
    assert join.decision_fingerprint(decision) == join.decision_fingerprint(later)
    changed = dataclasses.replace(decision, reasons=("other",))
    assert join.decision_fingerprint(decision) != join.decision_fingerprint(changed)
