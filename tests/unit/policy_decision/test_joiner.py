"""policy-decision's stream processor with a dict as its table: joins, deadlines, idempotence."""

from __future__ import annotations

import json

import pytest
from postguard.core import codec, topics
from postguard.core.audit import SqliteAuditStore
from postguard.core.records import Inbound, Outgoing
from postguard.domain import join
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import Category, Finding, Post, StageResult, Verdict
from postguard.policy_decision.joiner import DecisionJoiner
from postguard.policy_decision.tables import decode_state, encode_state
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

ID, AD = join.EXPECTED_STAGES
TICKS = "test-deadlines"
TEXT = "Lovely to see Mrs Jane Example, 93, walking again after her hip surgery."


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Offsets:
    def __init__(self) -> None:
        self.next = 0

    def record(self, topic: str, key: bytes | None, value: bytes | None) -> Inbound:
        self.next += 1
        return Inbound(topic=topic, partition=0, offset=self.next, key=key, value=value)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def table() -> dict[str, bytes]:
    return {}


@pytest.fixture
def joiner(table: dict[str, bytes], clock: Clock, tmp_path) -> DecisionJoiner:
    return DecisionJoiner(
        PolicyRegistry.load(None),
        table,
        deadlines_topic=TICKS,
        deadline_seconds=5.0,
        retention_seconds=3600.0,
        audit=SqliteAuditStore(tmp_path / "audit.sqlite3"),
        clock=clock,
    )


def _institution() -> str:
    return PolicyRegistry.load(None).institutions[0]


def _post(post_id: str = "p-1", text: str = TEXT, institution: str | None = None) -> Post:
    return Post(post_id, institution or _institution(), "x", text)


def _result(post_id: str, stage: str, *findings: Finding, ok: bool = True) -> StageResult:
    return StageResult(post_id, stage, tuple(findings), ok=ok, duration_seconds=0.01, error="" if ok else "x")


NAME = Finding(Category.IDENTIFIER, "PERSON", 14, 31, 0.95, "rules", "a patient's name", "remove it")

_offsets = Offsets()


def post_record(post: Post) -> Inbound:
    return _offsets.record(topics.POSTS, codec.encode_key(post.post_id), codec.encode(post))


def result_record(result: StageResult) -> Inbound:
    return _offsets.record(topics.FINDINGS, codec.encode_key(result.post_id), codec.encode(result))


def decisions(out: list[Outgoing]) -> list:
    return [codec.decode_decision(o.value) for o in out if o.topic == topics.DECISIONS]


def deadletters(out: list[Outgoing]) -> list:
    return [codec.decode_deadletter(o.value) for o in out if o.topic == topics.DEADLETTER]


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_one_decision_once_post_and_both_stages_are_in(joiner: DecisionJoiner, table: dict) -> None:
    post = _post()
    assert joiner.handle(result_record(_result("p-1", ID, NAME))) == []
    assert joiner.handle(post_record(post)) == []
    out = joiner.handle(result_record(_result("p-1", AD)))
    [decision] = decisions(out)
    assert out[0].key == b"p-1"
    assert decision.verdict != Verdict.ALLOW  # a patient's name is never allowed as is
    assert decision.incomplete_stages == ()
    assert decision.text_sha256 == post.text_sha256
    assert set(decision.timings) >= {ID, AD, "policy-decision"}
    # the table keeps the decision, not the post text
    assert TEXT.encode() not in table["p-1"]
    assert decode_state(table["p-1"]).decided


def test_redelivery_reemits_the_identical_decision_and_nothing_else(joiner: DecisionJoiner) -> None:
    post = _post()
    first = []
    for record in (
        post_record(post),
        result_record(_result("p-1", ID, NAME)),
        result_record(_result("p-1", AD)),
    ):
        first += joiner.handle(record)
    [original] = [o for o in first if o.topic == topics.DECISIONS]
    # the same inputs delivered again (consumer restarted before committing)
    again = joiner.handle(post_record(post)) + joiner.handle(result_record(_result("p-1", ID, NAME)))
    assert [o.value for o in again] == [original.value, original.value]
    # a duplicate Submit with other text under the same post_id changes nothing either
    dup = joiner.handle(post_record(_post(text="Completely different text")))
    assert [o.value for o in dup] == [original.value]


def test_missing_stage_is_review_screening_incomplete_after_the_deadline(
    joiner: DecisionJoiner, clock: Clock
) -> None:
    before = _value("postguard_incomplete_screenings_total", stage=AD)
    joiner.handle(post_record(_post("p-2", "Flu clinic opens Monday.")))
    joiner.handle(result_record(_result("p-2", ID)))
    clock.now += 4.9
    assert joiner.due() == []
    clock.now += 0.1
    assert joiner.due() == ["p-2"]
    assert joiner.due() == []  # not re-ticked until the resend interval has passed
    tick = joiner.tick("p-2")
    [decision] = decisions(joiner.handle(Inbound(TICKS, 0, 1, tick.key, tick.value)))
    assert decision.verdict == Verdict.REVIEW
    assert join.INCOMPLETE_REASON in decision.reasons
    assert decision.incomplete_stages == (AD,)
    assert _value("postguard_incomplete_screenings_total", stage=AD) == before + 1
    # advice-classification comes back and reports late: no second decision
    assert joiner.handle(result_record(_result("p-2", AD))) == []
    # a second tick (e.g. re-delivered) does nothing
    assert joiner.handle(Inbound(TICKS, 0, 2, tick.key, tick.value)) == []


def test_early_tick_does_nothing(joiner: DecisionJoiner) -> None:
    joiner.handle(post_record(_post("p-3")))
    tick = joiner.tick("p-3")
    assert joiner.handle(Inbound(TICKS, 0, 1, tick.key, tick.value)) == []


def test_poison_post_is_dead_lettered_once_with_the_error_and_processing_goes_on(
    joiner: DecisionJoiner,
) -> None:
    before = _value("postguard_deadletter_total", service="policy-decision", reason="decode_error")
    out = joiner.handle(Inbound(topics.POSTS, 2, 41, b"bad-1", b"\x0a\xff\xff"))
    [letter] = deadletters(out)
    assert len(out) == 1
    assert (letter.source_topic, letter.partition, letter.offset) == (topics.POSTS, 2, 41)
    assert (letter.service, letter.reason, letter.key) == ("policy-decision", "decode_error", "bad-1")
    assert letter.payload == b"\x0a\xff\xff"
    assert "cannot decode Post" in letter.error
    assert (
        _value("postguard_deadletter_total", service="policy-decision", reason="decode_error") == before + 1
    )
    # the next good post is still decided
    joiner.handle(post_record(_post("p-4", "Flu clinic opens Monday.")))
    joiner.handle(result_record(_result("p-4", ID)))
    assert len(decisions(joiner.handle(result_record(_result("p-4", AD))))) == 1


def test_invalid_post_is_dead_lettered_without_its_text(joiner: DecisionJoiner) -> None:
    secret = "Jane Example " + "x" * 20_000
    [letter] = deadletters(joiner.handle(post_record(_post("p-5", secret))))
    assert letter.reason == "validation_error"
    assert letter.error.startswith("text:")
    assert "Jane" not in letter.error


def test_unknown_institution_is_dead_lettered_and_its_findings_ignored(
    joiner: DecisionJoiner, table: dict
) -> None:
    [letter] = deadletters(joiner.handle(post_record(_post("p-6", institution="no-such-hospital"))))
    assert letter.reason == "unknown_institution"
    assert "no-such-hospital" in letter.error
    assert joiner.handle(result_record(_result("p-6", ID))) == []
    assert joiner.handle(result_record(_result("p-6", AD))) == []
    assert decode_state(table["p-6"]).rejected == "unknown_institution"


def test_undecodable_findings_are_dead_lettered(joiner: DecisionJoiner) -> None:
    [letter] = deadletters(joiner.handle(Inbound(topics.FINDINGS, 0, 7, b"p-7", b"\xff\xff")))
    assert (letter.source_topic, letter.reason) == (topics.FINDINGS, "decode_error")


def test_failed_stage_holds_the_post_for_review(joiner: DecisionJoiner) -> None:
    joiner.handle(post_record(_post("p-8", "Flu clinic opens Monday.")))
    joiner.handle(result_record(_result("p-8", ID, ok=False)))
    [decision] = decisions(joiner.handle(result_record(_result("p-8", AD))))
    assert decision.verdict.severity >= Verdict.REVIEW.severity


def test_every_decision_is_audited_once_without_text(joiner: DecisionJoiner) -> None:
    post = _post("p-9")
    for record in (
        post_record(post),
        result_record(_result("p-9", ID, NAME)),
        result_record(_result("p-9", AD)),
    ):
        joiner.handle(record)
    joiner.handle(post_record(post))  # re-delivery: re-emitted, not re-audited
    assert joiner.audit is not None
    row = joiner.audit.get("p-9")
    assert row is not None and joiner.audit.count() == 1
    assert row.text_sha256 == post.text_sha256
    assert "Jane Example" not in json.dumps(row.findings)
    assert row.findings[0]["label"] == "PERSON"
    assert row.policy_id


def test_decided_states_expire_after_retention(joiner: DecisionJoiner, table: dict, clock: Clock) -> None:
    for record in (
        post_record(_post("p-10")),
        result_record(_result("p-10", ID)),
        result_record(_result("p-10", AD)),
    ):
        joiner.handle(record)
    clock.now += 3600
    assert "p-10" in joiner.due()
    tick = joiner.tick("p-10")
    assert joiner.handle(Inbound(TICKS, 0, 1, tick.key, tick.value)) == []
    assert "p-10" not in table
    assert not joiner.needs_reindex(len(table))


def test_reindex_after_recovery_finds_open_posts(table: dict, clock: Clock, joiner: DecisionJoiner) -> None:
    joiner.handle(post_record(_post("p-11")))
    joiner.handle(result_record(_result("p-12", ID)))  # an orphan result
    # a fresh process recovers the table from the changelog but has an empty index
    fresh = DecisionJoiner(
        PolicyRegistry.load(None),
        table,
        deadlines_topic=TICKS,
        deadline_seconds=5.0,
        retention_seconds=3600.0,
        clock=clock,
    )
    assert fresh.needs_reindex(len(table))
    assert fresh.reindex(table.items()) == 2
    assert not fresh.needs_reindex(len(table))
    clock.now += 5
    assert fresh.due() == ["p-11"]


def test_state_codec_round_trip() -> None:
    state, _ = join.add_post(None, _post("p-13"), 5.0)
    state, _ = join.add_result(state, _result("p-13", ID, NAME), 6.0)
    assert decode_state(encode_state(state)) == state
    with pytest.raises(ValueError):
        decode_state(b'{"v": 99}')


class _BrokenAuditStore(SqliteAuditStore):
    """An audit store whose writes fail, as when the audit database is unreachable."""

    def record(self, decision) -> bool:
        raise OSError("audit database unreachable")


def test_failed_audit_write_still_emits_the_decision_and_is_counted(
    table: dict, clock: Clock, tmp_path
) -> None:
    broken = DecisionJoiner(
        PolicyRegistry.load(None),
        table,
        deadlines_topic=TICKS,
        deadline_seconds=5.0,
        retention_seconds=3600.0,
        audit=_BrokenAuditStore(tmp_path / "audit.sqlite3"),
        clock=clock,
    )
    before = _value("postguard_audit_write_errors_total")
    broken.handle(post_record(_post("p-a")))
    broken.handle(result_record(_result("p-a", ID, NAME)))
    out = broken.handle(result_record(_result("p-a", AD)))
    assert len(decisions(out)) == 1
    assert _value("postguard_audit_write_errors_total") == before + 1
