"""policy-decision's faust table: join state per post_id, stored as bytes (JSON with protobuf blobs)."""

from __future__ import annotations

import base64
import json
from typing import Any

import faust

from postguard.core import codec
from postguard.domain.join import JoinState

TABLE_NAME = "joins"
_VERSION = 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def encode_state(state: JoinState) -> bytes:
    """A ``JoinState`` as the bytes stored in the table (and its changelog topic)."""
    body: dict[str, Any] = {
        "v": _VERSION,
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
    if not isinstance(body, dict) or body.get("v") != _VERSION:
        raise ValueError("unknown join state format")
    return JoinState(
        post_id=body["post_id"],
        post=codec.decode_post(_unb64(body["post"])) if body["post"] is not None else None,
        results={stage: codec.decode_stage_result(_unb64(b)) for stage, b in body["results"].items()},
        first_seen=float(body["first_seen"]),
        decision=codec.decode_decision(_unb64(body["decision"])) if body["decision"] is not None else None,
        fingerprint=body["fingerprint"],
        inputs=tuple(body["inputs"]),
        closed_at=float(body["closed_at"]),
        rejected=body["rejected"],
    )


def join_table(app: faust.App, partitions: int) -> faust.Table:
    """The table keyed by post_id (JSON-encoded str keys, raw byte values), co-partitioned with the topics."""
    return app.Table(
        TABLE_NAME,
        default=None,
        partitions=partitions,
        # faust derives the changelog serializers from these types: str keys -> json, bytes values -> raw.
        key_type=str,
        value_type=bytes,
        help="Join state per post_id: pending post + stage results, or the decision made.",
    )
