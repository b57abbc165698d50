"""policy-decision's faust table: join state per post identity, stored as bytes (JSON with protobuf blobs)."""

from __future__ import annotations

import base64
import json
from typing import Any

import faust

from postguard.core import codec
from postguard.domain.identity import key_of_decision, key_of_post
from postguard.domain.join import JoinState
from postguard.domain.types import Decision, Post

TABLE_NAME = "joins"
_VERSION = 2
_READABLE = (1, 2)  # version 1 (keyed by post_id alone) is read and re-keyed by content


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def encode_state(state: JoinState) -> bytes:
    """A ``JoinState`` as the bytes stored in the table (and its changelog topic)."""
    body: dict[str, Any] = {
        "v": _VERSION,
        "key": state.key,
        "partition": state.partition,
        "redrives": state.redrives,
        "redriven_at": state.redriven_at,
        "post_id": state.post_id,
        "first_seen": state.first_seen,
        "closed_at": state.closed_at,
        "rejected": state.rejected,
        "fingerprint": state.fingerprint,
        "inputs": list(state.inputs),
        "post": _b64(codec.encode(state.post)) if state.post is not None else None,
        "results": {stage: _b64(codec.encode(r)) for stage, r in state.results.items()},
        "decision": _b64(codec.encode(state.decision)) if state.decision is not None else None,
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def decode_state(data: bytes) -> JoinState:
    """Bytes from the table back to a ``JoinState``; raises ``ValueError`` on anything else."""
    body = json.loads(data)
    if not isinstance(body, dict) or body.get("v") not in _READABLE:
        raise ValueError("unknown join state format")
    post = codec.decode_post(_unb64(body["post"])) if body["post"] is not None else None
    decision = codec.decode_decision(_unb64(body["decision"])) if body["decision"] is not None else None
    return JoinState(
        key=body.get("key") or _v1_key(body["post_id"], post, decision),
        post_id=body["post_id"],
        post=post,
        results={stage: codec.decode_stage_result(_unb64(b)) for stage, b in body["results"].items()},
        first_seen=float(body["first_seen"]),
        decision=decision,
        fingerprint=body["fingerprint"],
        inputs=tuple(body["inputs"]),
        closed_at=float(body["closed_at"]),
        rejected=body["rejected"],
        partition=int(body.get("partition", -1)),
        redrives=int(body.get("redrives", 0)),
        redriven_at=float(body.get("redriven_at", 0.0)),
    )


def _v1_key(post_id: str, post: Post | None, decision: Decision | None) -> str:
    if decision is not None:
        return key_of_decision(decision)
    if post is not None:
        return key_of_post(post)
    return post_id


def join_table(app: faust.App, partitions: int) -> faust.Table:
    """The table keyed by post identity (JSON-encoded str keys, raw byte values), co-partitioned with the
    input topics (a state's changelog record goes to the partition of the record that changed it)."""
    return app.Table(
        TABLE_NAME,
        default=None,
        partitions=partitions,
        # faust derives the changelog serializers from these types: str keys -> json, bytes values -> raw.
        key_type=str,
        value_type=bytes,
        help="Join state per post identity: pending post + stage results, or the decision made.",
    )
