"""policy-decision as a stream processor: posts, stage results and deadline ticks in, decisions out.

Faust-free so it can be tested with a dict as the table. The agent feeds every record of the three
input topics through ``handle`` (one partition at a time, in order); the timer asks ``due`` which
post_ids need a deadline tick. Tables may only be written while processing a record, so the timer
never touches the table: it produces a tick keyed by post_id and the tick comes back through
``handle`` on the right partition.

Dead letters: this is the one service that dead-letters posts (undecodable, invalid, or of an unknown
institution) and undecodable findings, so a poison post yields exactly one dead-letter record.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from datetime import UTC, datetime

from postguard.core import codec, topics
from postguard.core.audit import AuditStore
from postguard.core.metrics import (
    AUDIT_WRITE_ERRORS,
    DEADLETTER,
    DECISIONS_SUPERSEDED,
    INCOMPLETE_SCREENINGS,
    POSTS_RECEIVED,
    POSTS_SCREENED,
    REDRIVES,
    STAGE_DURATION,
)
from postguard.core.records import Inbound, Outgoing
from postguard.domain import join
from postguard.domain.identity import key_of_post, key_of_result
from postguard.domain.join import JoinState, Step
from postguard.domain.policy import PolicyEngine, PolicyRegistry, UnknownInstitutionError
from postguard.domain.types import IMAGE_SCREENING_STAGE, Decision, Verdict
from postguard.domain.validation import (
    MAX_TEXT_CHARS,
    ImageValidationError,
    PostValidationError,
    validate_post,
)
from postguard.policy_decision.tables import decode_state, encode_state

log = logging.getLogger(__name__)

SERVICE = "policy-decision"
TICK = b"\x01"


def rfc3339(epoch_seconds: float) -> str:
    """Wall-clock seconds as an RFC 3339 UTC timestamp with milliseconds."""
    return (
        datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


class DecisionJoiner:
    """Joins posts with stage results in ``table`` (post identity key -> encoded ``JoinState``).

    Keys come from ``postguard.domain.identity`` (institution, post_id, text hash), computed from the
    record values, never from the record key a producer chose.
    """

    def __init__(
        self,
        policies: PolicyRegistry,
        table: MutableMapping[str, bytes],
        *,
        deadlines_topic: str,
        deadline_seconds: float,
        retention_seconds: float,
        engine: PolicyEngine | None = None,
        audit: AuditStore | None = None,
        clock: Callable[[], float] = time.time,
        expected: Sequence[str] = join.EXPECTED_STAGES,
        max_text_chars: int = MAX_TEXT_CHARS,
        redrive_seconds: float = 30.0,
        max_redrives: int = 3,
        image_deadline_seconds: float | None = None,
    ) -> None:
        self.redrive_seconds = redrive_seconds
        self.max_redrives = max_redrives
        self.policies = policies
        self.engine = engine or PolicyEngine()
        self.table = table
        self.deadlines_topic = deadlines_topic
        self.deadline_seconds = deadline_seconds
        # Posts with image bytes wait for OCR (seconds per image): they may get a longer deadline.
        self.image_deadline_seconds = (
            deadline_seconds if image_deadline_seconds is None else image_deadline_seconds
        )
        self.retention_seconds = retention_seconds
        self.audit = audit
        self.clock = clock
        self.expected = tuple(expected)
        self.max_text_chars = max_text_chars
        # In-memory index of the table (by state key) so the timer never has to decode every state.
        self._open: dict[str, float] = {}  # post present, undecided: key -> when its deadline passes
        self._orphans: dict[str, float] = {}  # results whose post has not arrived: key -> first_seen
        self._closed: collections.deque[tuple[float, str]] = collections.deque()  # (closed_at, key)
        self._closed_keys: set[str] = set()
        self._known: set[str] = set()
        self._ticked: dict[str, float] = {}
        self._partition: dict[str, int] = {}  # key -> input partition, where its ticks must go
        self._provisional: dict[str, float] = {}  # provisional, re-drivable: key -> last decided/re-driven
        self.superseded = 0  # provisional decisions replaced by a complete one

    # --- record handling (called by the agent, one record at a time) ---------------------------------

    def handle(self, record: Inbound) -> list[Outgoing]:
        """Process one consumed record; returns what to produce (decisions, dead letters)."""
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "record",
                extra={
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "key": codec.decode_key(record.key),
                },
            )
        if record.topic == topics.POSTS:
            return self.on_post(record)
        if record.topic == topics.FINDINGS:
            return self.on_result(record)
        if record.topic == self.deadlines_topic:
            return self.on_tick(record)
        log.warning("record from an unexpected topic ignored", extra={"topic": record.topic})
        return []

    def on_post(self, record: Inbound) -> list[Outgoing]:
        POSTS_RECEIVED.labels(service=SERVICE).inc()
        try:
            post = validate_post(codec.decode_post(record.value), max_text_chars=self.max_text_chars)
        except codec.DecodeError as exc:
            return [self._deadletter(record, "decode_error", exc)]
        except ImageValidationError as exc:  # sizes, types and limits only: never image content
            return [self._deadletter(record, "image_rejected", exc)]
        except PostValidationError as exc:
            return [self._deadletter(record, "validation_error", exc)]
        now = self.clock()
        key = key_of_post(post)
        state = self._load(key)
        if state is None or not state.closed:
            try:
                self.policies.policy_for(post.institution_id)
            except UnknownInstitutionError as exc:
                base = state or join.new_state(key, post.post_id, now, record.partition)
                self._store(join.reject(base, "unknown_institution", now))
                return [self._deadletter(record, "unknown_institution", exc)]
        state, step = join.add_post(state, post, now, self.expected, record.partition)
        return self._after(state, step, now)

    def on_result(self, record: Inbound) -> list[Outgoing]:
        try:
            result = codec.decode_stage_result(record.value)
        except codec.DecodeError as exc:
            return [self._deadletter(record, "decode_error", exc)]
        now = self.clock()
        state = self._load(key_of_result(result))
        state, step = join.add_result(state, result, now, self.expected, record.partition)
        return self._after(state, step, now)

    def on_tick(self, record: Inbound) -> list[Outgoing]:
        key = codec.decode_key(record.key)
        state = self._load(key) if key else None
        if state is None:
            self._forget(key)
            return []
        now = self.clock()
        if join.is_expired(state, now, self.retention_seconds):
            del self.table[key]
            self._forget(key)
            return []
        if join.is_overdue(state, now, self.deadline_for(state)):
            return self._decide(state, now)
        if join.needs_redrive(state, now, self.redrive_seconds, self.max_redrives):
            return self._redrive(state, now)
        return []

    def _redrive(self, state: JoinState, now: float) -> list[Outgoing]:
        """Re-publish a provisional post whose missing stage stayed silent, so it is screened again.

        A stage result can be lost (a detector killed after its input offset was committed but before
        its findings were written): without this the post would stay provisional for ever.
        """
        assert state.post is not None
        REDRIVES.inc()
        log.warning("re-publishing a provisional post for screening", extra={"post_id": state.post_id})
        self._store(join.mark_redriven(state, now))
        partition = state.partition if state.partition >= 0 else None
        return [Outgoing(topics.POSTS, codec.encode_key(state.post_id), codec.encode(state.post), partition)]

    # --- the timer's side --------------------------------------------------------------------------

    def due(self, now: float | None = None) -> list[str]:
        """State keys that need a tick: past the deadline, or expired. Each is returned at most once per
        ``max(1 s, deadline)`` so a lost tick is retried without flooding the topic."""
        now = self.clock() if now is None else now
        resend = max(1.0, self.deadline_seconds)
        out = [post_id for post_id, deadline in self._open.items() if now >= deadline]
        out += [pid for pid, first in self._orphans.items() if now - first >= self.retention_seconds]
        for closed_at, post_id in self._closed:
            if now - closed_at < self.retention_seconds:
                break
            out.append(post_id)
        out += [k for k, at in self._provisional.items() if now - at >= self.redrive_seconds]
        out = list(dict.fromkeys(out))
        due = [pid for pid in out if now - self._ticked.get(pid, float("-inf")) >= resend]
        for pid in due:
            self._ticked[pid] = now
        return due

    def deadline_for(self, state: JoinState) -> float:
        """Seconds after first sight a post may wait for its stages: ``image_deadline_seconds`` when it
        waits for image-screening, else ``deadline_seconds``."""
        if IMAGE_SCREENING_STAGE in join.stages_for(state.post, self.expected):
            return self.image_deadline_seconds
        return self.deadline_seconds

    def tick(self, key: str) -> Outgoing:
        """The record the timer produces for the state ``key``, on the partition that state lives on."""
        partition = self._partition.get(key, -1)
        return Outgoing(
            self.deadlines_topic, codec.encode_key(key), TICK, partition=partition if partition >= 0 else None
        )

    def reindex(self, items: Iterable[tuple[str, bytes]]) -> int:
        """Rebuild the index from the table's local contents (after recovery or a rebalance)."""
        self._open.clear()
        self._orphans.clear()
        self._closed.clear()
        self._closed_keys.clear()
        self._provisional.clear()
        self._known.clear()
        closed = []
        unreadable = 0
        for key, raw in items:
            state = self._decode(key, raw, quiet=True)
            if state is None:
                # Counted as known so the index matches the table; a tick will not touch it either.
                unreadable += 1
                self._known.add(key)
                continue
            if state.closed:
                closed.append((state.closed_at, key))
                self._closed_keys.add(key)
                if state.provisional and state.redrives < self.max_redrives:
                    self._provisional[key] = max(state.closed_at, state.redriven_at)
                self._known.add(key)
                self._remember_partition(state)
            else:
                self._index(state)
        for entry in sorted(closed):
            self._closed.append(entry)
        if unreadable:
            log.error("unreadable join states ignored", extra={"count": unreadable})
        return len(self._known)

    def needs_reindex(self, table_size: int) -> bool:
        """The index and the table disagree (state recovered from the changelog, or partitions moved)."""
        return table_size != len(self._known)

    @property
    def open_count(self) -> int:
        return len(self._open)

    # --- internals ---------------------------------------------------------------------------------

    def _after(self, state: JoinState, step: Step, now: float) -> list[Outgoing]:
        if step in (Step.REEMIT, Step.IGNORE):
            log.debug("input for a closed post", extra={"post_id": state.post_id, "step": str(step)})
        if step is Step.DECIDE:
            return self._decide(state, now)
        if step is Step.REEMIT and state.decision is not None:
            return [self._decision_record(state.decision)]
        if step is Step.WAIT:
            self._store(state)
        return []

    def _decide(self, state: JoinState, now: float) -> list[Outgoing]:
        started = time.perf_counter()
        try:
            decision = join.decide(state, self.policies, self.engine, rfc3339(now), self.expected)
        except UnknownInstitutionError:
            # The institution's policy was removed after the post arrived: nothing can decide it.
            log.error("policy removed before the post was decided", extra={"post_id": state.post_id})
            if state.decided:  # a provisional decision stands; the late results cannot improve it
                return []
            self._store(join.reject(state, "unknown_institution", now))
            return []
        except Exception as exc:
            log.error(
                "policy evaluation failed", extra={"post_id": state.post_id, "error_type": type(exc).__name__}
            )
            decision = self._failed_policy_decision(state, now)
        elapsed = time.perf_counter() - started
        decision = dataclasses.replace(decision, timings={**decision.timings, SERVICE: elapsed})
        STAGE_DURATION.labels(stage=SERVICE).observe(elapsed)
        if state.decided:
            self.superseded += 1
            DECISIONS_SUPERSEDED.inc()
        else:
            POSTS_SCREENED.labels(verdict=str(decision.verdict)).inc()
        for stage in decision.incomplete_stages:
            INCOMPLETE_SCREENINGS.labels(stage=stage).inc()
        self._store(join.record_decision(state, decision, now))
        if self.audit is not None:
            try:
                self.audit.record(decision)
            except Exception as exc:
                AUDIT_WRITE_ERRORS.inc()
                log.error(
                    "audit write failed",
                    extra={"post_id": decision.post_id, "error_type": type(exc).__name__},
                )
        return [self._decision_record(decision)]

    def _failed_policy_decision(self, state: JoinState, now: float) -> Decision:
        assert state.post is not None
        missing = join.missing_stages(state, self.expected)  # image-screening too, for a post with images
        return Decision(
            post_id=state.post_id,
            institution_id=state.post.institution_id,
            verdict=Verdict.REVIEW,
            findings=tuple(f for r in join.results_in_order(state, self.expected) for f in r.findings),
            reasons=("policy evaluation failed; a person must review this post",),
            redacted_text="",
            policy_id="",
            policy_version="",
            text_sha256=state.post.text_sha256,
            incomplete_stages=missing,
            decided_at=rfc3339(now),
            version=state.decision.version + 1 if state.decision is not None else 1,
            provisional=bool(missing),
        )

    @staticmethod
    def _decision_record(decision: Decision) -> Outgoing:
        return Outgoing(topics.DECISIONS, codec.encode_key(decision.post_id), codec.encode(decision))

    def _deadletter(self, record: Inbound, reason: str, exc: Exception) -> Outgoing:
        DEADLETTER.labels(service=SERVICE, reason=reason).inc()
        log.warning(
            "dead-lettered a record",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "reason": reason,
            },
        )
        envelope = codec.deadletter(
            source_topic=record.topic,
            service=SERVICE,
            reason=reason,
            error=str(exc),  # our errors name fields, ids and byte offsets, never post text
            payload=record.value,
            key=record.key,
            partition=record.partition,
            offset=record.offset,
        )
        return Outgoing(topics.DEADLETTER, record.key or b"", codec.encode(envelope))

    def _decode(self, key: str, raw: bytes, *, quiet: bool = False) -> JoinState | None:
        try:
            state = decode_state(raw)
            # A state written by the previous format sits under its post_id: keep addressing it there.
            return state if state.key == key else dataclasses.replace(state, key=key)
        except (ValueError, KeyError, TypeError, codec.DecodeError) as exc:
            if quiet:
                return None
            log.error("unreadable join state dropped", extra={"key": key, "error_type": type(exc).__name__})
            return None

    def _load(self, key: str) -> JoinState | None:
        raw = self.table.get(key)
        return None if raw is None else self._decode(key, raw)

    def _store(self, state: JoinState) -> None:
        self.table[state.key] = encode_state(state)
        self._index(state)

    def _remember_partition(self, state: JoinState) -> None:
        if state.partition >= 0:
            self._partition[state.key] = state.partition

    def _index(self, state: JoinState) -> None:
        key = state.key
        self._known.add(key)
        self._remember_partition(state)
        if state.provisional and state.redrives < self.max_redrives:
            self._provisional[key] = max(state.closed_at, state.redriven_at)
        else:
            self._provisional.pop(key, None)
        if state.closed:
            self._ticked.pop(key, None)
            self._open.pop(key, None)
            self._orphans.pop(key, None)
            if key not in self._closed_keys:
                self._closed_keys.add(key)
                self._closed.append((state.closed_at, key))
        elif state.post is not None:
            self._orphans.pop(key, None)
            self._open[key] = state.first_seen + self.deadline_for(state)
        else:
            self._orphans[key] = state.first_seen

    def _forget(self, key: str) -> None:
        self._known.discard(key)
        self._open.pop(key, None)
        self._orphans.pop(key, None)
        self._ticked.pop(key, None)
        self._partition.pop(key, None)
        self._provisional.pop(key, None)
        self._closed_keys.discard(key)
        while self._closed and self._closed[0][1] == key:
            self._closed.popleft()
