"""policy-decision's stream processor with a dict as its table: joins, deadlines, idempotence."""

from __future__ import annotations

import dataclasses
import json

import pytest
from postguard.core import codec, topics
from postguard.core.audit import SqliteAuditStore
from postguard.core.records import Inbound, Outgoing
from postguard.domain import join
from postguard.domain.identity import key_of_post, key_of_result
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

    def record(self, topic: str, key: bytes | None, value: bytes | None, partition: int = 0) -> Inbound:
        self.next += 1
        return Inbound(topic=topic, partition=partition, offset=self.next, key=key, value=value)


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


def _result(post: Post, stage: str, *findings: Finding, ok: bool = True) -> StageResult:
    """A stage's result computed for exactly ``post`` (its institution and text hash, as the stages do)."""
    return StageResult(
        post.post_id,
        stage,
        tuple(findings),
        ok=ok,
        duration_seconds=0.01,
        error="" if ok else "x",
        institution_id=post.institution_id,
        text_sha256=post.text_sha256,
    )


def _key(post: Post) -> str:
    return key_of_post(post)


NAME = Finding(Category.IDENTIFIER, "PERSON", 14, 31, 0.95, "rules", "a patient's name", "remove it")

_offsets = Offsets()


def post_record(post: Post, partition: int = 0) -> Inbound:
    return _offsets.record(topics.POSTS, codec.encode_key(post.post_id), codec.encode(post), partition)


def result_record(result: StageResult, partition: int = 0) -> Inbound:
    return _offsets.record(topics.FINDINGS, codec.encode_key(result.post_id), codec.encode(result), partition)


def tick_record(joiner: DecisionJoiner, key: str, offset: int = 1) -> Inbound:
    tick = joiner.tick(key)
    return Inbound(TICKS, tick.partition or 0, offset, tick.key, tick.value)


def decisions(out: list[Outgoing]) -> list:
    return [codec.decode_decision(o.value) for o in out if o.topic == topics.DECISIONS]


def deadletters(out: list[Outgoing]) -> list:
    return [codec.decode_deadletter(o.value) for o in out if o.topic == topics.DEADLETTER]


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _decide_fully(joiner: DecisionJoiner, post: Post, *id_findings: Finding) -> Outgoing:
    out = []
    for record in (
        post_record(post),
        result_record(_result(post, ID, *id_findings)),
        result_record(_result(post, AD)),
    ):
        out += joiner.handle(record)
    [decision] = [o for o in out if o.topic == topics.DECISIONS]
    return decision


def test_one_decision_once_post_and_both_stages_are_in(joiner: DecisionJoiner, table: dict) -> None:
    post = _post()
    assert joiner.handle(result_record(_result(post, ID, NAME))) == []
    assert joiner.handle(post_record(post)) == []
    out = joiner.handle(result_record(_result(post, AD)))
    [decision] = decisions(out)
    assert out[0].key == b"p-1"
    assert decision.verdict != Verdict.ALLOW  # a patient's name is never allowed as is
    assert decision.incomplete_stages == ()
    assert (decision.version, decision.provisional) == (1, False)
    assert decision.text_sha256 == post.text_sha256
    assert "[PERSON]" in decision.redacted_text and "Jane" not in decision.redacted_text
    assert set(decision.timings) >= {ID, AD, "policy-decision"}
    # the table is keyed by the post's identity and keeps the decision, not the post text
    assert list(table) == [_key(post)]
    assert TEXT.encode() not in table[_key(post)]
    assert decode_state(table[_key(post)]).decided


def test_redelivery_reemits_the_identical_decision_and_nothing_else(joiner: DecisionJoiner) -> None:
    post = _post()
    original = _decide_fully(joiner, post, NAME)
    # the same inputs delivered again (consumer restarted before committing)
    again = joiner.handle(post_record(post)) + joiner.handle(result_record(_result(post, ID, NAME)))
    assert [o.value for o in again] == [original.value, original.value]
    # a detector re-run with another result for a decided stage does not make a second decision either
    rerun = joiner.handle(result_record(_result(post, AD, NAME)))
    assert [o.value for o in rerun] == [original.value]


def test_same_post_id_of_two_institutions_is_joined_and_decided_separately(
    joiner: DecisionJoiner, table: dict
) -> None:
    first, second = PolicyRegistry.load(None).institutions[:2]
    ours = _post("shared-1", institution=first)
    theirs = _post("shared-1", institution=second)
    assert joiner.handle(post_record(ours)) == []
    assert joiner.handle(post_record(theirs)) == []
    assert joiner.handle(result_record(_result(ours, ID, NAME))) == []
    # the other institution's results never complete our post, and ours never complete theirs
    assert joiner.handle(result_record(_result(theirs, AD))) == []
    assert set(table) == {_key(ours), _key(theirs)}
    [decided_ours] = decisions(joiner.handle(result_record(_result(ours, AD))))
    assert decided_ours.institution_id == first
    assert decided_ours.findings and decided_ours.incomplete_stages == ()
    assert not decode_state(table[_key(theirs)]).decided
    [decided_theirs] = decisions(joiner.handle(result_record(_result(theirs, ID))))
    assert decided_theirs.institution_id == second
    assert decided_theirs.findings == ()  # their identifier stage found nothing in their post
    assert decided_theirs.incomplete_stages == ()
    assert joiner.audit is not None and joiner.audit.count() == 2
    row_ours, row_theirs = joiner.audit.get("shared-1", first), joiner.audit.get("shared-1", second)
    assert row_ours is not None and row_theirs is not None
    assert (row_ours.institution_id, row_theirs.institution_id) == (first, second)


def test_same_post_id_with_other_text_is_another_post_screened_afresh(
    joiner: DecisionJoiner, table: dict
) -> None:
    post = _post()
    original = _decide_fully(joiner, post, NAME)
    edited = _post(text="Flu clinic opens Monday.")
    # the edited draft is not answered with the decision made for the earlier text
    assert joiner.handle(post_record(edited)) == []
    assert set(table) == {_key(post), _key(edited)}
    assert not decode_state(table[_key(edited)]).closed
    # the earlier text's results (re-delivered) re-emit the earlier decision and never join the edit
    assert [o.value for o in joiner.handle(result_record(_result(post, ID, NAME)))] == [original.value]
    assert decode_state(table[_key(edited)]).results == {}
    joiner.handle(result_record(_result(edited, ID)))
    [fresh] = decisions(joiner.handle(result_record(_result(edited, AD))))
    assert fresh.text_sha256 == edited.text_sha256 != post.text_sha256
    assert (fresh.version, fresh.findings, fresh.incomplete_stages) == (1, (), ())
    assert joiner.audit is not None and joiner.audit.count() == 2


def test_a_result_for_other_content_never_joins_a_post_and_decides_nothing(
    joiner: DecisionJoiner, table: dict, clock: Clock
) -> None:
    post = _post("p-o", "Flu clinic opens Monday.")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID)))
    for foreign in (
        _result(_post("p-o", "Flu clinic opens Tuesday."), AD),  # computed for other text
        StageResult("p-o", AD, (), institution_id=post.institution_id),  # tied to no content
        dataclasses.replace(_result(post, AD), institution_id="riverside-clinic"),
    ):
        assert joiner.handle(result_record(foreign)) == []
        assert decode_state(table[_key(post)]).results.keys() == {ID}
    # each sits under its own key as an orphan whose post never comes
    assert len(table) == 4
    # at the deadline the post is decided incomplete, as if the foreign results had never arrived
    clock.now += 5
    assert joiner.due() == [_key(post)]
    [decision] = decisions(joiner.handle(tick_record(joiner, _key(post))))
    assert decision.incomplete_stages == (AD,) and decision.provisional


def test_missing_stage_is_a_provisional_review_after_the_deadline(
    joiner: DecisionJoiner, clock: Clock, table: dict
) -> None:
    before = _value("postguard_incomplete_screenings_total", stage=AD)
    post = _post("p-2", "Flu clinic opens Monday.")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID)))
    clock.now += 4.9
    assert joiner.due() == []
    clock.now += 0.1
    assert joiner.due() == [_key(post)]
    assert joiner.due() == []  # not re-ticked until the resend interval has passed
    tick = tick_record(joiner, _key(post))
    [decision] = decisions(joiner.handle(tick))
    assert decision.verdict == Verdict.REVIEW
    assert join.INCOMPLETE_REASON in decision.reasons
    assert decision.incomplete_stages == (AD,)
    assert (decision.version, decision.provisional, decision.redacted_text) == (1, True, "")
    assert _value("postguard_incomplete_screenings_total", stage=AD) == before + 1
    # the state keeps the post and results so the missing stage can still complete it
    state = decode_state(table[_key(post)])
    assert state.provisional and state.post == post
    # a second tick (e.g. re-delivered) does nothing
    assert joiner.handle(Inbound(TICKS, 0, 2, tick.key, tick.value)) == []


def test_a_late_result_supersedes_a_provisional_decision_with_a_final_version_2(
    joiner: DecisionJoiner, clock: Clock, table: dict
) -> None:
    post = _post("p-late")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID, NAME)))
    clock.now += 5
    [v1] = decisions(joiner.handle(tick_record(joiner, _key(post))))
    assert (v1.version, v1.provisional, v1.redacted_text) == (1, True, "")
    screened = {v: _value("postguard_posts_screened_total", verdict=v) for v in ("ALLOW", "REVIEW", "BLOCK")}
    superseded = _value("postguard_decisions_superseded_total")
    clock.now += 10  # long after the deadline, within retention
    late = result_record(_result(post, AD))
    out = joiner.handle(late)
    [v2] = decisions(out)
    assert out[0].key == b"p-late"
    assert (v2.version, v2.provisional, v2.incomplete_stages) == (2, False, ())
    assert join.INCOMPLETE_REASON not in v2.reasons
    assert v2.verdict != Verdict.ALLOW and v2.findings
    assert "[PERSON]" in v2.redacted_text and "Jane" not in v2.redacted_text
    assert (v2.institution_id, v2.post_id, v2.text_sha256) == (
        post.institution_id,
        "p-late",
        post.text_sha256,
    )
    assert joiner.superseded == 1
    assert _value("postguard_decisions_superseded_total") == superseded + 1
    # the post was already counted as screened once: v2 does not count it again
    assert {v: _value("postguard_posts_screened_total", verdict=v) for v in screened} == screened
    # final now: the text is dropped
    state = decode_state(table[_key(post)])
    assert state.decision == v2 and not state.provisional and state.post is None
    assert TEXT.encode() not in table[_key(post)]
    # the late result re-delivered, or the post, re-emits the same v2 and supersedes nothing more
    assert [o.value for o in joiner.handle(late)] == [out[0].value]
    assert [o.value for o in joiner.handle(post_record(post))] == [out[0].value]
    assert joiner.superseded == 1
    assert joiner.audit is not None
    assert [(r.version, r.provisional) for r in joiner.audit.versions("p-late")] == [(1, True), (2, False)]
    newest = joiner.audit.get("p-late", post.institution_id)
    assert newest is not None and newest.version == 2 and newest.incomplete_stages == []


def test_a_late_result_after_a_final_decision_is_ignored(
    joiner: DecisionJoiner, clock: Clock, table: dict
) -> None:
    # A final decision made with a stage missing: as recorded before decisions had versions.
    post = _post("p-final", "Flu clinic opens Monday.")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID)))
    clock.now += 5
    [v1] = decisions(joiner.handle(tick_record(joiner, _key(post))))
    state = decode_state(table[_key(post)])
    legacy = dataclasses.replace(v1, provisional=False)
    table[_key(post)] = encode_state(
        join.record_decision(dataclasses.replace(state, decision=None, fingerprint=""), legacy, clock.now)
    )
    assert joiner.audit is not None
    rows = joiner.audit.count()
    assert joiner.handle(result_record(_result(post, AD))) == []
    assert decode_state(table[_key(post)]).decision == legacy
    assert joiner.audit.count() == rows and joiner.superseded == 0
    # a re-delivered input it was built from still re-emits it
    [again] = decisions(joiner.handle(result_record(_result(post, ID))))
    assert again == legacy


def test_ticks_go_to_the_partition_of_the_post_record(joiner: DecisionJoiner, clock: Clock) -> None:
    post = _post("p-part", "Flu clinic opens Monday.")
    joiner.handle(post_record(post, partition=3))
    joiner.handle(result_record(_result(post, ID), partition=3))
    clock.now += 5
    [key] = joiner.due()
    tick = joiner.tick(key)
    assert (tick.topic, tick.partition, codec.decode_key(tick.key)) == (TICKS, 3, _key(post))
    assert len(decisions(joiner.handle(Inbound(TICKS, 3, 1, tick.key, tick.value)))) == 1
    # decided states expire through a tick on the same partition
    clock.now += 3600
    assert joiner.tick(key).partition == 3
    # an orphan result's state lives on the partition of that result
    orphan = _result(_post("p-orphan"), ID)
    joiner.handle(result_record(orphan, partition=5))
    assert joiner.tick(key_of_result(orphan)).partition == 5
    # a key the joiner knows nothing about: the producer chooses
    assert joiner.tick("unknown").partition is None


def test_tick_partitions_survive_a_reindex(table: dict, clock: Clock, joiner: DecisionJoiner) -> None:
    post = _post("p-moved")
    joiner.handle(post_record(post, partition=2))
    fresh = DecisionJoiner(
        PolicyRegistry.load(None),
        table,
        deadlines_topic=TICKS,
        deadline_seconds=5.0,
        retention_seconds=3600.0,
        clock=clock,
    )
    fresh.reindex(table.items())
    clock.now += 5
    assert fresh.due() == [_key(post)]
    assert fresh.tick(_key(post)).partition == 2


def test_early_tick_does_nothing(joiner: DecisionJoiner) -> None:
    post = _post("p-3")
    joiner.handle(post_record(post))
    assert joiner.handle(tick_record(joiner, _key(post))) == []


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
    post = _post("p-4", "Flu clinic opens Monday.")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID)))
    assert len(decisions(joiner.handle(result_record(_result(post, AD))))) == 1


def test_invalid_post_is_dead_lettered_without_its_text(joiner: DecisionJoiner) -> None:
    secret = "Jane Example " + "x" * 20_000
    [letter] = deadletters(joiner.handle(post_record(_post("p-5", secret))))
    assert letter.reason == "validation_error"
    assert letter.error.startswith("text:")
    assert "Jane" not in letter.error


def test_unknown_institution_is_dead_lettered_and_its_findings_ignored(
    joiner: DecisionJoiner, table: dict
) -> None:
    post = _post("p-6", institution="no-such-hospital")
    [letter] = deadletters(joiner.handle(post_record(post, partition=4)))
    assert letter.reason == "unknown_institution"
    assert "no-such-hospital" in letter.error
    assert joiner.handle(result_record(_result(post, ID))) == []
    assert joiner.handle(result_record(_result(post, AD))) == []
    state = decode_state(table[_key(post)])
    assert (state.rejected, state.key, state.partition) == ("unknown_institution", _key(post), 4)


def test_undecodable_findings_are_dead_lettered(joiner: DecisionJoiner) -> None:
    [letter] = deadletters(joiner.handle(Inbound(topics.FINDINGS, 0, 7, b"p-7", b"\xff\xff")))
    assert (letter.source_topic, letter.reason) == (topics.FINDINGS, "decode_error")


def test_failed_stage_holds_the_post_for_review_without_text(joiner: DecisionJoiner) -> None:
    post = _post("p-8")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID, NAME, ok=False)))
    [decision] = decisions(joiner.handle(result_record(_result(post, AD))))
    assert decision.verdict.severity >= Verdict.REVIEW.severity
    assert f"{ID} failed; a person must review this post" in decision.reasons
    assert decision.redacted_text == ""  # partial findings: no redaction of them is safe
    assert not decision.provisional  # every stage reported: nothing can complete it later
    assert joiner.audit is not None
    row = joiner.audit.get("p-8")
    assert row is not None and row.redacted_text == ""


def test_every_decision_is_audited_once_without_text(joiner: DecisionJoiner) -> None:
    post = _post("p-9")
    _decide_fully(joiner, post, NAME)
    joiner.handle(post_record(post))  # re-delivery: re-emitted, not re-audited
    assert joiner.audit is not None
    row = joiner.audit.get("p-9")
    assert row is not None and joiner.audit.count() == 1
    assert row.text_sha256 == post.text_sha256
    assert (row.version, row.provisional) == (1, False)
    assert "Jane Example" not in json.dumps(row.findings)
    assert "[PERSON]" in row.redacted_text and "Jane" not in row.redacted_text
    assert row.findings[0]["label"] == "PERSON"
    assert row.policy_id


def test_incomplete_decisions_store_no_text_in_the_audit_trail(joiner: DecisionJoiner, clock: Clock) -> None:
    post = _post("p-9b")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID, NAME)))
    clock.now += 5
    [decision] = decisions(joiner.handle(tick_record(joiner, _key(post))))
    assert decision.redacted_text == ""
    assert joiner.audit is not None
    row = joiner.audit.get("p-9b")
    assert row is not None and row.provisional and row.incomplete_stages == [AD]
    assert row.redacted_text == ""
    assert all(word not in json.dumps(dataclasses.asdict(row)) for word in ("Jane", "Example", "hip"))


def test_decided_states_expire_after_retention(joiner: DecisionJoiner, table: dict, clock: Clock) -> None:
    post = _post("p-10")
    _decide_fully(joiner, post)
    clock.now += 3600
    assert _key(post) in joiner.due()
    assert joiner.handle(tick_record(joiner, _key(post))) == []
    assert _key(post) not in table
    assert not joiner.needs_reindex(len(table))


def test_provisional_states_expire_after_retention_too(
    joiner: DecisionJoiner, table: dict, clock: Clock
) -> None:
    post = _post("p-10b")
    joiner.handle(post_record(post))
    clock.now += 5
    assert len(decisions(joiner.handle(tick_record(joiner, _key(post))))) == 1
    clock.now += 3600
    assert joiner.due() == [_key(post)]
    assert joiner.handle(tick_record(joiner, _key(post), offset=2)) == []
    assert table == {}  # the post text kept for late results is gone with it
    assert not joiner.needs_reindex(len(table))


def test_reindex_after_recovery_finds_open_posts(table: dict, clock: Clock, joiner: DecisionJoiner) -> None:
    post = _post("p-11")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(_post("p-12"), ID)))  # an orphan result
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
    assert fresh.due() == [_key(post)]


def test_state_codec_round_trip() -> None:
    post = _post("p-13")
    state, _ = join.add_post(None, post, 5.0, partition=6)
    state, _ = join.add_result(state, _result(post, ID, NAME), 6.0)
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
    post = _post("p-a")
    broken.handle(post_record(post))
    broken.handle(result_record(_result(post, ID, NAME)))
    out = broken.handle(result_record(_result(post, AD)))
    assert len(decisions(out)) == 1
    assert _value("postguard_audit_write_errors_total") == before + 1


def test_a_version_1_open_post_recovered_from_the_table_is_still_decided(clock: Clock) -> None:
    """A state of the previous format stays addressed by the table key it was written under."""
    post = _post("p-v1", "Flu clinic opens Monday.")
    state, _ = join.add_post(None, post, clock.now)
    body = json.loads(encode_state(state))
    del body["key"], body["partition"]
    body["v"] = 1
    table = {"p-v1": json.dumps(body).encode()}  # version 1 keyed the table by post_id
    joiner = DecisionJoiner(
        PolicyRegistry.load(None),
        table,
        deadlines_topic=TICKS,
        deadline_seconds=5.0,
        retention_seconds=3600.0,
        clock=clock,
    )
    joiner.reindex(table.items())
    clock.now += 5
    [key] = joiner.due()
    [decision] = decisions(joiner.handle(tick_record(joiner, key)))
    assert decision.incomplete_stages == (ID, AD)
    assert list(table) == ["p-v1"]
    assert decode_state(table["p-v1"]).decided


def test_a_provisional_post_whose_stage_stays_silent_is_re_published_then_completed(
    joiner: DecisionJoiner, clock: Clock, table: dict[str, bytes]
) -> None:
    """A lost stage result (a detector killed after committing its input) must not leave a post
    provisional for ever: after ``redrive_seconds`` its post is re-published, at most ``max_redrives``."""
    joiner.redrive_seconds, joiner.max_redrives = 30.0, 2
    post = _post("p-redrive", "Flu clinic opens Monday.")
    joiner.handle(post_record(post))
    joiner.handle(result_record(_result(post, ID)))
    clock.now += joiner.deadline_seconds
    [key] = joiner.due()
    [v1] = decisions(joiner.handle(tick_record(joiner, key)))
    assert v1.provisional
    clock.now += 29
    assert key not in joiner.due()  # not yet
    clock.now += 1
    assert key in joiner.due()
    out = joiner.handle(tick_record(joiner, key))
    [again] = [o for o in out if o.topic == topics.POSTS]
    assert codec.decode_post(again.value) == post and again.partition is not None
    clock.now += 30
    joiner.handle(tick_record(joiner, key))
    clock.now += 30
    assert key not in joiner.due()  # two re-publications, then it waits for a person
    [v2] = decisions(joiner.handle(result_record(_result(post, AD))))
    assert (v2.version, v2.provisional) == (2, False)
