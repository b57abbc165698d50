"""Joining a post with its stage results: the pure state machine behind policy-decision's table.

One ``JoinState`` per post identity (``postguard.domain.identity``: institution, post_id and text
hash — never post_id alone). Posts and stage results arrive in any order and may be re-delivered.
A post is *ready* once it and every expected stage's result are present; it is *overdue* when the
deadline passes first and is then decided REVIEW ("screening incomplete") as a *provisional*
decision. Late results still count: when the missing stages report, the post is decided again as a
new, final version that supersedes the provisional one. Once finally decided, the state keeps only
what idempotence needs: the decision (re-emitted unchanged for re-delivered inputs), its fingerprint,
and which inputs it was built from. Nothing here knows about Kafka or faust.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from postguard.domain.identity import key_of_post, key_of_result, same_content
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.policy.engine import TOO_COMPLEX_ERROR
from postguard.domain.types import (
    IMAGE_SCREENING_STAGE,
    Decision,
    Post,
    StageName,
    StageResult,
    Verdict,
    expected_stages,
)

EXPECTED_STAGES: tuple[str, ...] = tuple(s.value for s in StageName)
"""The stages policy-decision waits for on every post, in a fixed order (the text stages)."""

KNOWN_STAGES: tuple[str, ...] = (*EXPECTED_STAGES, IMAGE_SCREENING_STAGE)
"""Every stage whose results the join accepts; image-screening only reports on posts with image bytes."""

INCOMPLETE_REASON = "screening incomplete"
"""The reason every fail-closed-on-deadline decision carries (tests and dashboards match on it)."""


TOO_COMPLEX_REASON = f"{INCOMPLETE_REASON}: too complex"
"""The reason of a decision whose post a stage refused as too complex to screen in bounded time."""

POST_INPUT = "post"
"""The name under which the post itself is recorded in ``JoinState.inputs``."""


class Step(enum.StrEnum):
    """What the caller must do after feeding a message into the join."""

    WAIT = "wait"  # keep the new state; nothing to emit yet
    DECIDE = "decide"  # everything is in (or late results completed a provisional decision): decide
    REEMIT = "reemit"  # a re-delivered input of a decided post: emit ``state.decision`` again, unchanged
    IGNORE = "ignore"  # a late or foreign input for a post already closed: drop it


@dataclass(frozen=True, slots=True)
class JoinState:
    """Everything policy-decision knows about one post identity (``key``)."""

    key: str
    post_id: str
    post: Post | None = None
    results: Mapping[str, StageResult] = field(default_factory=dict)
    first_seen: float = 0.0
    decision: Decision | None = None
    fingerprint: str = ""
    inputs: tuple[str, ...] = ()  # inputs a decided post was built from (POST_INPUT and stage names)
    closed_at: float = 0.0
    rejected: str = ""  # non-empty when the post was dead-lettered (e.g. "unknown_institution")
    partition: int = -1  # the input partition the state lives on (ticks are sent there)
    redrives: int = 0  # times the post of a provisional decision was re-published for screening
    redriven_at: float = 0.0

    @property
    def decided(self) -> bool:
        return self.decision is not None

    @property
    def provisional(self) -> bool:
        """Decided at the deadline with stages missing; late results may still complete it."""
        return self.decision is not None and self.decision.provisional and self.post is not None

    @property
    def closed(self) -> bool:
        """Decided or rejected: no further decision will ever be made for this post_id."""
        return self.decided or bool(self.rejected)


def new_state(key: str, post_id: str, now: float, partition: int = -1) -> JoinState:
    """An empty state for a post identity first seen at ``now`` (seconds, wall clock)."""
    return JoinState(key=key, post_id=post_id, first_seen=now, partition=partition)


def stages_for(post: Post | None, expected: Sequence[str] = EXPECTED_STAGES) -> tuple[str, ...]:
    """The stages a decision on ``post`` waits for: ``expected`` and, when an attachment carries image
    bytes, image-screening (``types.expected_stages``). Before the post arrives: ``expected``."""
    if post is None:
        return tuple(expected)
    extra = (s for s in expected_stages(post) if s not in EXPECTED_STAGES)
    return tuple(dict.fromkeys((*expected, *extra)))


def missing_stages(state: JoinState, expected: Sequence[str] = EXPECTED_STAGES) -> tuple[str, ...]:
    """Stages the post waits for (``stages_for``) that have not reported yet, in order."""
    return tuple(s for s in stages_for(state.post, expected) if s not in state.results)


def is_ready(state: JoinState, expected: Sequence[str] = EXPECTED_STAGES) -> bool:
    """The post and every stage it waits for have reported, and nothing was decided yet."""
    return not state.closed and state.post is not None and not missing_stages(state, expected)


def _accepts(state: JoinState, stage: str, expected: Sequence[str]) -> bool:
    """A result of ``stage`` counts: a stage the post waits for (any known stage before the post)."""
    if state.post is None:
        return stage in expected or stage in KNOWN_STAGES
    return stage in stages_for(state.post, expected)


def is_overdue(state: JoinState, now: float, deadline_seconds: float) -> bool:
    """An open post whose deadline has passed (it can be decided only if the post itself arrived)."""
    return not state.closed and state.post is not None and now - state.first_seen >= deadline_seconds


def is_expired(state: JoinState, now: float, retention_seconds: float) -> bool:
    """A state the table may forget: closed long ago, or results whose post never came."""
    if state.closed:
        return now - state.closed_at >= retention_seconds
    return state.post is None and now - state.first_seen >= retention_seconds


def add_post(
    state: JoinState | None,
    post: Post,
    now: float,
    expected: Sequence[str] = EXPECTED_STAGES,
    partition: int = -1,
) -> tuple[JoinState, Step]:
    """Feed the (validated) post. Re-delivery of a decided post asks for the same decision again."""
    state = state or new_state(key_of_post(post), post.post_id, now, partition)
    if state.closed:
        return state, (Step.REEMIT if state.decided and POST_INPUT in state.inputs else Step.IGNORE)
    if state.post is None:
        state = dataclasses.replace(state, post=post)
    return state, (Step.DECIDE if is_ready(state, expected) else Step.WAIT)


def add_result(
    state: JoinState | None,
    result: StageResult,
    now: float,
    expected: Sequence[str] = EXPECTED_STAGES,
    partition: int = -1,
) -> tuple[JoinState, Step]:
    """Feed one stage's result. The first result per stage wins; unknown stages are ignored.

    A result computed for other content (its institution or text hash differs from the post's) is
    ignored. A late result for a provisional decision is kept, and completes it once all are in.
    """
    state = state or new_state(key_of_result(result), result.post_id, now, partition)
    if state.post is not None and not same_content(result, state.post):
        return state, Step.IGNORE
    if state.closed and not state.provisional:
        if state.decided and result.stage in state.inputs:
            return state, Step.REEMIT
        return state, Step.IGNORE  # for a rejected post, or late for a final decision
    if not _accepts(state, result.stage, expected) or result.stage in state.results:
        return state, (Step.REEMIT if state.decided and result.stage in state.inputs else Step.WAIT)
    state = dataclasses.replace(state, results={**state.results, result.stage: result})
    if state.provisional:
        return state, (Step.DECIDE if not missing_stages(state, expected) else Step.WAIT)
    return state, (Step.DECIDE if is_ready(state, expected) else Step.WAIT)


def results_in_order(state: JoinState, expected: Sequence[str] = EXPECTED_STAGES) -> list[StageResult]:
    """The results of the stages the post waits for, in ``stages_for`` order (what the engine is given)."""
    return [state.results[s] for s in stages_for(state.post, expected) if s in state.results]


def enforce_fail_closed(
    decision: Decision, results: Iterable[StageResult], expected: Sequence[str] = EXPECTED_STAGES
) -> Decision:
    """Guarantee the fail-closed rules whatever the policy says.

    Missing stages: verdict at least REVIEW, reason ``INCOMPLETE_REASON``, ``incomplete_stages`` set,
    and the decision is *provisional* (late results will supersede it).
    A failed stage (``ok=False``): verdict at least REVIEW with a reason naming the stage
    (``TOO_COMPLEX_REASON`` when the stage refused the post as beyond its work budget).
    Either way the redacted text and the redacted image copies are dropped: findings are partial, so
    nothing derived from them is safe to publish or to store.
    """
    results = list(results)
    present = {r.stage for r in results}
    missing = tuple(s for s in expected if s not in present)
    failed = [r for r in results if not r.ok]
    if not missing and not failed:
        return decision
    reasons = list(decision.reasons)
    if missing and INCOMPLETE_REASON not in reasons:
        reasons.insert(0, INCOMPLETE_REASON)
    for result in failed:
        reason = _failure_reason(result)
        if reason not in reasons:
            reasons.append(reason)
    verdict = Verdict.most_severe([decision.verdict, Verdict.REVIEW])
    incomplete = tuple(dict.fromkeys((*decision.incomplete_stages, *missing)))
    return dataclasses.replace(
        decision,
        verdict=verdict,
        reasons=tuple(reasons),
        incomplete_stages=incomplete,
        redacted_text="",
        redacted_attachments=(),
        provisional=bool(missing),
    )


def _failure_reason(result: StageResult) -> str:
    if result.error.startswith(TOO_COMPLEX_ERROR):
        return f"{TOO_COMPLEX_REASON} ({result.stage}); a person must review this post"
    return f"{result.stage} failed; a person must review this post"


def decision_fingerprint(decision: Decision) -> str:
    """SHA-256 of what a decision says (not when it was made or how long it took)."""
    body = {
        "post_id": decision.post_id,
        "institution_id": decision.institution_id,
        "verdict": str(decision.verdict),
        "findings": [
            [str(f.category), f.label, f.start, f.end, round(f.confidence, 6), f.detector]
            + ([f.attachment_id, f.field] if not f.in_text else [])
            for f in decision.findings
        ],
        "reasons": list(decision.reasons),
        "redacted_text": decision.redacted_text,
        "policy": [decision.policy_id, decision.policy_version],
        "text_sha256": decision.text_sha256,
        "incomplete_stages": list(decision.incomplete_stages),
        "version": decision.version,
        "provisional": decision.provisional,
    }
    if decision.redacted_attachments:  # only then: the fingerprints of text-only decisions stay as they were
        body["redacted_attachments"] = [list(pair) for pair in decision.redacted_attachments]
    if decision.review is not None:
        review = decision.review
        body["review"] = [str(review.action), review.reviewer, review.note, review.based_on_version]
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()


def record_decision(state: JoinState, decision: Decision, now: float) -> JoinState:
    """Close the state with ``decision``: drop the post text and raw results, keep what idempotence needs.

    A provisional decision keeps the post and results so late results can complete it; a later
    version supersedes only a provisional one. Raises ``ValueError`` if a *different* decision of the
    same or an older version was already recorded (a bug upstream, never silent).
    """
    fingerprint = decision_fingerprint(decision)
    if state.decided:
        assert state.decision is not None
        supersedes = state.decision.provisional and decision.version > state.decision.version
        if fingerprint == state.fingerprint:
            return state
        if not supersedes:
            raise ValueError(f"post {state.post_id!r} already has a different decision")
    inputs = ((POST_INPUT,) if state.post is not None else ()) + tuple(state.results)
    keep = decision.provisional
    return JoinState(
        key=state.key,
        post_id=state.post_id,
        post=state.post if keep else None,
        results=state.results if keep else {},
        first_seen=state.first_seen,
        decision=decision,
        fingerprint=fingerprint,
        inputs=inputs,
        closed_at=now,
        partition=state.partition,
        redrives=state.redrives if keep else 0,
        redriven_at=state.redriven_at if keep else 0.0,
    )


def needs_redrive(state: JoinState, now: float, after_seconds: float, max_redrives: int) -> bool:
    """A provisional decision whose missing stages have stayed silent ``after_seconds`` since it was made
    (or last re-driven): its post should be screened again, at most ``max_redrives`` times."""
    if not state.provisional or state.redrives >= max_redrives:
        return False
    return now - max(state.closed_at, state.redriven_at) >= after_seconds


def mark_redriven(state: JoinState, now: float) -> JoinState:
    """The state after its post was re-published for screening."""
    return dataclasses.replace(state, redrives=state.redrives + 1, redriven_at=now)


def reject(state: JoinState, reason: str, now: float) -> JoinState:
    """Close a post that will never be decided (dead-lettered); later inputs for it are ignored."""
    return JoinState(
        key=state.key,
        post_id=state.post_id,
        first_seen=state.first_seen,
        rejected=reason,
        closed_at=now,
        partition=state.partition,
    )


def decide(
    state: JoinState,
    policies: PolicyRegistry,
    engine: PolicyEngine,
    decided_at: str,
    expected: Sequence[str] = EXPECTED_STAGES,
) -> Decision:
    """Apply the institution's policy to the joined post (complete or overdue) and fail closed.

    Raises ``UnknownInstitutionError`` when no policy covers the post's institution.
    """
    if state.post is None:
        raise ValueError(f"post {state.post_id!r} cannot be decided before the post itself arrived")
    policy = policies.policy_for(state.post.institution_id)
    stages = stages_for(state.post, expected)
    results = results_in_order(state, expected)
    # The engine copies the image-screening result's redacted copies the policy acts on (the embedded
    # pipeline's rule); enforce_fail_closed drops them when a stage is missing or failed.
    decision = engine.decide(state.post, results, policy, stages)
    decision = enforce_fail_closed(decision, results, stages)
    timings = {**decision.timings, **{r.stage: r.duration_seconds for r in results}}
    version = state.decision.version + 1 if state.decision is not None else 1
    return dataclasses.replace(decision, decided_at=decided_at, timings=timings, version=version)
