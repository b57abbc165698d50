"""Hostile posts through the running stack: posts built to make the tokenizer quadratic (long runs of
punctuation or emoji without spaces, varied so no cache helps) are decided without stalling the
partition, and an identifier post screened right behind them is still complete and redacted.

On the version before the linear-time guard one such post took 120-150 s per detection stage, and every
post behind it came back "screening incomplete" with its SSN unredacted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from postguard.domain.validation import MAX_TEXT_CHARS
from postguard.v1 import decision_pb2, screening_pb2, screening_pb2_grpc
from stack_support import make_post, new_id

pytestmark = pytest.mark.integration

SSN_POST = "Discharged today: SSN 219-09-9999, follow-up in cardiology clinic."
HOSTILE = {
    "colons": ":" * MAX_TEXT_CHARS,
    "bangs-varied": "".join("!" if i % 97 else "?" for i in range(MAX_TEXT_CHARS)),
    "emoji": "\U0001f600\U0001f64f\U0001f680" * (MAX_TEXT_CHARS // 3),
    "brackets": "(" * (MAX_TEXT_CHARS // 2) + ")" * (MAX_TEXT_CHARS // 2),
}


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_a_hostile_post_does_not_stall_the_post_behind_it(
    screening: screening_pb2_grpc.ScreeningStub, shape: str
) -> None:
    def screen(text: str) -> decision_pb2.Decision:
        post = make_post(text, post_id=new_id("it-hostile"))
        return screening.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(screen, HOSTILE[shape])
        behind = screen(SSN_POST)  # sent while the hostile one is being screened
        hostile = pending.result()
    assert hostile.verdict != decision_pb2.VERDICT_UNSPECIFIED
    if hostile.incomplete_stages:  # refused as too complex: held, never allowed
        assert hostile.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK)
    assert list(behind.incomplete_stages) == []
    assert behind.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK, decision_pb2.ALLOW_WITH_CHANGES)
    assert "219-09-9999" not in behind.redacted_text
