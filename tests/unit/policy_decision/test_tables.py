"""The join table's value format: version 2 round-trips key and partition; version 1 is read and re-keyed."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from postguard.core import codec
from postguard.domain import join
from postguard.domain.identity import key_of_post, post_key
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.types import Category, Finding, Post, StageResult
from postguard.policy_decision.tables import decode_state, encode_state

pytestmark = pytest.mark.unit

ID, AD = join.EXPECTED_STAGES
POST = Post("p-1", "demo-hospital", "x", "Lovely to see Mrs Jane Example walking again.")
NAME = Finding(Category.IDENTIFIER, "PERSON", 14, 30, 0.95, "rules", "a patient's name", "remove it")
KEY = post_key(POST.institution_id, POST.post_id, POST.text_sha256)


def _res(stage: str, *findings: Finding) -> StageResult:
    return StageResult(
        POST.post_id, stage, findings, institution_id=POST.institution_id, text_sha256=POST.text_sha256
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decide(state: join.JoinState) -> join.JoinState:
    decision = join.decide(state, PolicyRegistry.load(None), PolicyEngine(), "2026-01-01T00:00:00.000Z")
    return join.record_decision(state, decision, 20.0)


def _open(partition: int = 4) -> join.JoinState:
    state, _ = join.add_post(None, POST, 10.0, partition=partition)
    state, _ = join.add_result(state, _res(ID, NAME), 11.0)
    return state


def test_every_kind_of_state_round_trips_with_its_key_and_partition() -> None:
    orphan, _ = join.add_result(None, _res(AD), 9.0, partition=2)
    states = {
        "open": _open(),
        "orphan": orphan,
        "provisional": _decide(_open()),
        "final": _decide(join.add_result(_open(), _res(AD), 12.0)[0]),
        "rejected": join.reject(_open(partition=7), "unknown_institution", 13.0),
        "no partition": join.add_post(None, POST, 10.0)[0],
    }
    assert states["provisional"].provisional and not states["final"].provisional
    for name, state in states.items():
        raw = encode_state(state)
        body = json.loads(raw)
        assert (body["v"], body["key"], body["partition"]) == (2, state.key, state.partition), name
        back = decode_state(raw)
        assert back == state, name
        assert back.key == KEY, name
    assert decode_state(encode_state(states["open"])).partition == 4
    assert decode_state(encode_state(states["rejected"])).partition == 7
    assert decode_state(encode_state(states["no partition"])).partition == -1
    # the provisional decision's version and flag survive
    decision = decode_state(encode_state(states["provisional"])).decision
    assert decision is not None and (decision.version, decision.provisional) == (1, True)


def _v1(
    *,
    post: Post | None = None,
    results: dict[str, StageResult] | None = None,
    decision: object = None,
    inputs: tuple[str, ...] = (),
    rejected: str = "",
    fingerprint: str = "",
) -> bytes:
    """A state as version 1 wrote it: keyed by post_id, no "key" nor "partition"."""
    body = {
        "v": 1,
        "post_id": POST.post_id,
        "first_seen": 10.0,
        "closed_at": 20.0 if (decision or rejected) else 0.0,
        "rejected": rejected,
        "fingerprint": fingerprint,
        "inputs": list(inputs),
        "post": _b64(codec.encode(post)) if post is not None else None,
        # version-1 results carried no text hash
        "results": {
            s: _b64(codec.encode(dataclasses.replace(r, text_sha256=""))) for s, r in (results or {}).items()
        },
        "decision": _b64(codec.encode(decision)) if decision is not None else None,
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def test_a_version_1_open_post_is_read_and_keyed_by_its_content() -> None:
    state = decode_state(_v1(post=POST, results={ID: _res(ID, NAME)}))
    assert state.key == KEY == key_of_post(POST)
    assert (state.post_id, state.post, state.partition, state.first_seen) == ("p-1", POST, -1, 10.0)
    assert set(state.results) == {ID}
    assert not state.closed
    # written back it is a version-2 state with the new key
    assert json.loads(encode_state(state))["v"] == 2
    assert decode_state(encode_state(state)) == state


def test_a_version_1_decided_state_is_keyed_by_the_content_its_decision_names() -> None:
    complete = _decide(join.add_result(_open(), _res(AD), 12.0)[0])
    assert complete.decision is not None
    legacy = dataclasses.replace(complete.decision, version=1, provisional=False)
    state = decode_state(_v1(decision=legacy, inputs=complete.inputs, fingerprint=complete.fingerprint))
    assert state.key == KEY
    assert state.decided and state.post is None and not state.provisional
    assert state.decision == legacy and state.decision.version == 1


def test_a_version_1_state_without_content_keeps_its_post_id_as_key() -> None:
    # An orphan or a rejected post: nothing says which content it was for.
    orphan = decode_state(_v1(results={AD: _res(AD)}))
    assert orphan.key == "p-1" and orphan.post is None and not orphan.closed
    rejected = decode_state(_v1(rejected="unknown_institution"))
    assert rejected.key == "p-1" and rejected.rejected == "unknown_institution"


@pytest.mark.parametrize("raw", [b'{"v": 99}', b'{"v": 0}', b"[1]", b'"v"'])
def test_unknown_formats_are_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        decode_state(raw)
