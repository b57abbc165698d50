"""The post/stage-result join behind policy-decision: identity, ordering, deadlines, versions, fail closed."""

from __future__ import annotations

import dataclasses

import pytest
from postguard.domain import identity, join
from postguard.domain.join import Step
from postguard.domain.policy import PolicyEngine, PolicyRegistry, UnknownInstitutionError
from postguard.domain.types import Category, Decision, Finding, Post, StageResult, Verdict

pytestmark = pytest.mark.unit

ID, AD = join.EXPECTED_STAGES
POST = Post("p-1", "demo-hospital", "x", "Seen Mrs Example today")
NAME = Finding(Category.IDENTIFIER, "PERSON", 5, 16, 0.9, "ner", "a patient's name")


def _res(stage: str, *findings: Finding, post: Post = POST, **fields: object) -> StageResult:
    """A stage result computed for exactly ``post`` (its institution and text hash)."""
    return StageResult(
        post.post_id,
        stage,
        tuple(findings),
        institution_id=post.institution_id,
        text_sha256=post.text_sha256,
        **fields,  # type: ignore[arg-type]
    )


ID_RES = _res(ID, NAME, duration_seconds=0.01)
AD_RES = _res(AD, duration_seconds=0.02)


def _policies() -> PolicyRegistry:
    return PolicyRegistry.load(None)


def _feed(order: list[object], now: float = 100.0, state: join.JoinState | None = None):
    steps = []
    for item in order:
        if isinstance(item, Post):
            state, step = join.add_post(state, item, now)
        else:
            state, step = join.add_result(state, item, now)  # type: ignore[arg-type]
        steps.append(step)
    assert state is not None
    return state, steps


def _decide(state: join.JoinState, at: str = "t") -> Decision:
    return join.decide(state, _policies(), PolicyEngine(), at)


@pytest.mark.parametrize(
    "order",
    [[POST, ID_RES, AD_RES], [ID_RES, POST, AD_RES], [AD_RES, ID_RES, POST], [ID_RES, AD_RES, POST]],
)
def test_ready_exactly_when_the_last_piece_arrives_in_any_order(order: list[object]) -> None:
    state, steps = _feed(order)
    assert steps == [Step.WAIT, Step.WAIT, Step.DECIDE]
    assert join.is_ready(state)
    assert join.missing_stages(state) == ()
    assert state.key == identity.key_of_post(POST)


def test_states_are_keyed_by_institution_post_id_and_text_hash() -> None:
    key = identity.post_key(POST.institution_id, POST.post_id, POST.text_sha256)
    assert join.add_post(None, POST, 1.0)[0].key == key
    assert join.add_result(None, ID_RES, 1.0)[0].key == key  # an orphan result lands on the same key
    assert join.new_state(key, "p-1", 1.0).partition == -1
    # another institution's post, or other text, under the same post_id is another key
    other_inst = dataclasses.replace(POST, institution_id="riverside-clinic")
    other_text = dataclasses.replace(POST, text="Seen Mr Other today")
    keys = {identity.key_of_post(p) for p in (POST, other_inst, other_text)}
    assert len(keys) == 3


def test_partition_is_that_of_the_first_record_and_survives_closing() -> None:
    state, _ = join.add_post(None, POST, 1.0, partition=3)
    assert state.partition == 3
    state, _ = join.add_result(state, ID_RES, 1.0, partition=7)  # the state already lives somewhere
    assert state.partition == 3
    orphan, _ = join.add_result(None, ID_RES, 1.0, partition=5)
    assert orphan.partition == 5
    state, _ = join.add_result(state, AD_RES, 1.0)
    closed = join.record_decision(state, _decide(state), 2.0)
    assert (closed.key, closed.partition) == (state.key, 3)
    rejected = join.reject(state, "unknown_institution", 2.0)
    assert (rejected.key, rejected.partition) == (state.key, 3)


def test_first_result_per_stage_wins_and_unknown_stages_are_ignored() -> None:
    other = dataclasses.replace(ID_RES, findings=())
    rogue = _res("rogue-stage")
    state, steps = _feed([POST, ID_RES, other, rogue])
    assert steps == [Step.WAIT, Step.WAIT, Step.WAIT, Step.WAIT]
    assert state.results[ID] is ID_RES
    assert join.missing_stages(state) == (AD,)


@pytest.mark.parametrize(
    "foreign",
    [
        _res(AD, post=dataclasses.replace(POST, text="Seen Mr Other today")),  # other text, same id
        _res(AD, post=dataclasses.replace(POST, institution_id="riverside-clinic")),  # other institution
        StageResult("p-1", AD, ()),  # no institution and no hash: cannot be tied to this content
        dataclasses.replace(AD_RES, text_sha256=""),
        dataclasses.replace(AD_RES, institution_id=""),
    ],
    ids=["other-text", "other-institution", "untied", "no-hash", "no-institution"],
)
def test_a_result_for_other_content_never_joins_and_decides_nothing(foreign: StageResult) -> None:
    assert identity.key_of_result(foreign) != identity.key_of_post(POST)
    assert not identity.same_content(foreign, POST)
    state, _ = _feed([POST, ID_RES])
    # it would be the last missing stage, yet the post stays open
    assert join.add_result(state, foreign, 101.0) == (state, Step.IGNORE)
    assert join.missing_stages(state) == (AD,)
    # nor does it complete a provisional decision
    provisional = join.record_decision(state, _decide(state), 105.0)
    assert provisional.provisional
    assert join.add_result(provisional, foreign, 106.0) == (provisional, Step.IGNORE)


def test_complete_decision_carries_timings_and_drops_text_from_state() -> None:
    state, _ = _feed([POST, ID_RES, AD_RES])
    decision = join.decide(state, _policies(), PolicyEngine(), "2026-01-01T00:00:00Z")
    assert decision.post_id == "p-1"
    assert decision.incomplete_stages == ()
    assert (decision.version, decision.provisional) == (1, False)
    assert decision.redacted_text == "Seen [PERSON] today"  # complete findings: the redaction is kept
    assert decision.timings[ID] == 0.01 and decision.timings[AD] == 0.02
    assert decision.decided_at == "2026-01-01T00:00:00Z"
    closed = join.record_decision(state, decision, now=101.0)
    assert closed.decided and not closed.provisional
    assert closed.post is None and dict(closed.results) == {}
    assert set(closed.inputs) == {join.POST_INPUT, ID, AD}


def test_overdue_decision_is_provisional_and_keeps_what_late_results_need() -> None:
    state, _ = _feed([POST, ID_RES])
    assert join.is_overdue(state, now=100.0 + 5.0, deadline_seconds=5.0)
    assert not join.is_overdue(state, now=104.9, deadline_seconds=5.0)
    decision = _decide(state)
    assert (decision.version, decision.provisional) == (1, True)
    assert decision.redacted_text == ""  # partial findings: nothing derived from them is safe
    closed = join.record_decision(state, decision, now=105.0)
    assert closed.decided and closed.closed and closed.provisional
    assert closed.post == POST and dict(closed.results) == {ID: ID_RES}
    # the post and the identifier result were used: re-delivery asks for the same decision again
    assert join.add_post(closed, POST, 106.0) == (closed, Step.REEMIT)
    assert join.add_result(closed, ID_RES, 106.0) == (closed, Step.REEMIT)
    assert not join.is_overdue(closed, now=1e9, deadline_seconds=5.0)


def test_a_late_result_completes_a_provisional_decision_as_final_version_2() -> None:
    state, _ = _feed([POST, ID_RES])
    v1 = _decide(state)
    provisional = join.record_decision(state, v1, now=105.0)
    late, step = join.add_result(provisional, AD_RES, 106.0)
    assert step == Step.DECIDE
    v2 = _decide(late, "t2")
    assert (v2.version, v2.provisional) == (2, False)
    assert v2.incomplete_stages == () and join.INCOMPLETE_REASON not in v2.reasons
    assert v2.redacted_text == "Seen [PERSON] today"
    assert v2.timings[AD] == 0.02
    final = join.record_decision(late, v2, now=106.0)
    assert final.decision == v2 and not final.provisional
    assert final.post is None and dict(final.results) == {}  # the text is dropped once final
    assert set(final.inputs) == {join.POST_INPUT, ID, AD}
    # every input re-delivered now re-emits v2, the late one included
    for item in (AD_RES, ID_RES):
        assert join.add_result(final, item, 107.0) == (final, Step.REEMIT)
    assert join.add_post(final, POST, 107.0) == (final, Step.REEMIT)
    # recording v2 again is idempotent
    assert join.record_decision(final, dataclasses.replace(v2, decided_at="t3"), 108.0) is final


def test_late_results_complete_a_provisional_decision_only_once_all_are_in() -> None:
    state, _ = _feed([POST])
    v1 = _decide(state)
    assert v1.incomplete_stages == (ID, AD) and v1.provisional
    provisional = join.record_decision(state, v1, 105.0)
    waiting, step = join.add_result(provisional, ID_RES, 106.0)
    assert step == Step.WAIT
    assert waiting.provisional and waiting.decision == v1 and set(waiting.results) == {ID}
    # re-delivered before the rest: the first result stays, v1 still stands and nothing is emitted
    assert join.add_result(waiting, dataclasses.replace(ID_RES, findings=()), 106.5) == (waiting, Step.WAIT)
    complete, step = join.add_result(waiting, AD_RES, 107.0)
    assert step == Step.DECIDE
    assert (_decide(complete).version, _decide(complete).provisional) == (2, False)


def test_a_late_result_after_a_final_decision_is_ignored() -> None:
    # Final with stages missing: a decision recorded before decisions had versions (a version-1 state).
    state, _ = _feed([POST, ID_RES])
    legacy = dataclasses.replace(_decide(state), provisional=False)
    final = join.record_decision(state, legacy, 105.0)
    assert not final.provisional and final.post is None
    assert join.add_result(final, AD_RES, 106.0) == (final, Step.IGNORE)
    assert join.add_result(final, ID_RES, 106.0) == (final, Step.REEMIT)
    # Final because only one stage was expected: the other stage reporting later changes nothing.
    only_id = (ID,)
    state, step = join.add_result(join.add_post(None, POST, 1.0, only_id)[0], ID_RES, 1.0, only_id)
    assert step == Step.DECIDE
    decided = join.record_decision(state, join.decide(state, _policies(), PolicyEngine(), "t", only_id), 2.0)
    assert join.add_result(decided, AD_RES, 3.0, only_id) == (decided, Step.IGNORE)
    # and no later version can replace a final decision
    with pytest.raises(ValueError, match="different decision"):
        join.record_decision(final, dataclasses.replace(legacy, version=2, reasons=("x",)), 107.0)


def test_recording_a_different_decision_is_refused() -> None:
    state, _ = _feed([POST, ID_RES, AD_RES])
    decision = _decide(state, "t1")
    closed = join.record_decision(state, decision, 1.0)
    same_but_later = dataclasses.replace(decision, decided_at="t2", timings={"x": 9.0})
    assert join.record_decision(closed, same_but_later, 2.0) is closed
    with pytest.raises(ValueError, match="different decision"):
        join.record_decision(closed, dataclasses.replace(decision, verdict=Verdict.BLOCK), 2.0)


def test_only_a_higher_version_supersedes_a_provisional_decision() -> None:
    state, _ = _feed([POST, ID_RES])
    v1 = _decide(state)
    provisional = join.record_decision(state, v1, 1.0)
    with pytest.raises(ValueError, match="different decision"):  # same version, other content
        join.record_decision(provisional, dataclasses.replace(v1, verdict=Verdict.BLOCK), 2.0)
    with pytest.raises(ValueError, match="different decision"):  # an older version
        join.record_decision(provisional, dataclasses.replace(v1, version=0, reasons=()), 2.0)
    v2 = dataclasses.replace(v1, version=2, provisional=False, verdict=Verdict.BLOCK)
    assert join.record_decision(provisional, v2, 2.0).decision == v2


def test_overdue_post_is_review_screening_incomplete_never_allow() -> None:
    state, _ = _feed([POST, ID_RES])
    decision = _decide(state)
    assert decision.verdict in (Verdict.REVIEW, Verdict.BLOCK)
    assert join.INCOMPLETE_REASON in decision.reasons
    assert decision.incomplete_stages == (AD,)
    assert decision.provisional and decision.redacted_text == ""
    nothing, _ = _feed([POST])
    assert _decide(nothing).incomplete_stages == (ID, AD)


def test_failed_stage_fails_closed_even_if_the_policy_says_allow() -> None:
    failed = _res(AD, ok=False, error="advice-classification failed: RuntimeError")
    state, steps = _feed([POST, ID_RES, failed])
    assert steps[-1] == Step.DECIDE
    decision = _decide(state)
    assert decision.verdict.severity >= Verdict.REVIEW.severity
    assert f"{AD} failed; a person must review this post" in decision.reasons
    assert decision.redacted_text == ""  # the failed stage's findings are partial
    assert not decision.provisional  # nothing is missing: no later result can complete it


def test_a_stage_refusing_a_too_complex_post_gets_its_own_reason() -> None:
    failed = _res(ID, ok=False, error="too complex: 40000 candidate spans over the work budget")
    state, _ = _feed([POST, failed, AD_RES])
    decision = _decide(state)
    assert decision.verdict.severity >= Verdict.REVIEW.severity
    assert f"screening incomplete: too complex ({ID}); a person must review this post" in decision.reasons
    assert not any(r == f"{ID} failed; a person must review this post" for r in decision.reasons)
    assert decision.redacted_text == "" and not decision.provisional


def test_enforce_fail_closed_drops_partial_redactions_and_leaves_complete_decisions_alone() -> None:
    block = Decision("p", "h", Verdict.BLOCK, (), ("names a patient",), "[PERSON] is home", "d", "1", "")
    missing = join.enforce_fail_closed(block, [ID_RES])
    assert missing.verdict == Verdict.BLOCK
    assert (missing.redacted_text, missing.provisional, missing.incomplete_stages) == ("", True, (AD,))
    failed = join.enforce_fail_closed(block, [ID_RES, dataclasses.replace(AD_RES, ok=False, error="x")])
    assert (failed.redacted_text, failed.provisional, failed.incomplete_stages) == ("", False, ())
    assert join.enforce_fail_closed(block, [ID_RES, AD_RES]) is block


def test_results_without_a_post_wait_and_then_expire() -> None:
    state, steps = _feed([ID_RES, AD_RES])
    assert steps == [Step.WAIT, Step.WAIT]
    assert not join.is_overdue(state, now=1e9, deadline_seconds=1.0)  # nothing to decide on
    assert join.is_expired(state, now=100.0 + 3600, retention_seconds=3600)
    with pytest.raises(ValueError, match="before the post"):
        _decide(state)


def test_rejected_posts_ignore_everything_afterwards() -> None:
    bad = dataclasses.replace(POST, institution_id="nowhere")
    state, _ = _feed([bad])
    with pytest.raises(UnknownInstitutionError):
        _decide(state)
    rejected = join.reject(state, "unknown_institution", now=100.0)
    assert rejected.closed and not rejected.decided and rejected.post is None
    assert rejected.key == identity.key_of_post(bad)
    assert join.add_post(rejected, bad, 101.0)[1] == Step.IGNORE
    assert join.add_result(rejected, _res(ID, post=bad), 101.0)[1] == Step.IGNORE
    assert join.is_expired(rejected, now=100.0 + 60, retention_seconds=60)


def test_fingerprint_ignores_time_but_not_content_or_version() -> None:
    state, _ = _feed([POST, ID_RES, AD_RES])
    decision = _decide(state, "t1")
    later = dataclasses.replace(decision, decided_at="t2", timings={})
    assert join.decision_fingerprint(decision) == join.decision_fingerprint(later)
    changed = dataclasses.replace(decision, reasons=("other",))
    assert join.decision_fingerprint(decision) != join.decision_fingerprint(changed)
    assert join.decision_fingerprint(decision) != join.decision_fingerprint(
        dataclasses.replace(decision, version=2)
    )
