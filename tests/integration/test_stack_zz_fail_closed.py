"""Failure behaviour of the running stack (runs last: it stops and restarts services)."""

from __future__ import annotations

import time

import grpc
import pytest
from postguard.devtools.stack import LocalStack
from postguard.v1 import decision_pb2, screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, DEADLINE_SECONDS, IDENTIFIER_TEXT, make_post, metric_sum, new_id, scrape

pytestmark = pytest.mark.integration


def test_stopped_stage_gives_review_screening_incomplete_within_deadline(
    stack: LocalStack, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    before = metric_sum(
        scrape(stack.metrics_url("policy-decision")),
        "postguard_incomplete_screenings_total",
        stage="advice-classification",
    )
    provisional = []
    stack.stop_service("advice-classification")
    try:
        for text in (CLEAN_TEXT, IDENTIFIER_TEXT):
            post = make_post(text, post_id=new_id("it-incomplete"))
            started = time.monotonic()
            decision = screening.Screen(
                screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40
            )
            elapsed = time.monotonic() - started
            assert decision.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK)
            if text == CLEAN_TEXT:
                assert decision.verdict == decision_pb2.REVIEW  # never ALLOW
            assert "screening incomplete" in decision.reasons
            assert list(decision.incomplete_stages) == ["advice-classification"]
            assert decision.provisional and decision.version == 1
            assert decision.redacted_text == ""  # partial findings: no text derived from them goes out
            assert elapsed >= DEADLINE_SECONDS - 0.5, elapsed  # decided at the deadline, not before
            provisional.append(post)
        after = metric_sum(
            scrape(stack.metrics_url("policy-decision")),
            "postguard_incomplete_screenings_total",
            stage="advice-classification",
        )
        assert after >= before + 2
    finally:
        stack.start_service("advice-classification")
        stack.wait_healthy(["advice-classification"], timeout=180)
    # Late results count: once the stage is back, each provisional decision is superseded by a complete one.
    for post in provisional:
        final = _wait_for_version(screening, post.post_id, 2, timeout=120)
        assert not final.provisional and list(final.incomplete_stages) == []
        assert "screening incomplete" not in final.reasons
    identifier_final = _wait_for_version(screening, provisional[1].post_id, 2, timeout=5)
    assert identifier_final.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK)
    assert "John Smith" not in identifier_final.redacted_text


def _wait_for_version(
    screening: screening_pb2_grpc.ScreeningStub, post_id: str, version: int, timeout: float
) -> decision_pb2.Decision:
    deadline = time.monotonic() + timeout
    while True:
        decision = screening.GetDecision(screening_pb2.GetDecisionRequest(post_id=post_id), timeout=10)
        if decision.version >= version:
            return decision
        if time.monotonic() > deadline:
            raise AssertionError(f"{post_id}: still version {decision.version} after {timeout:.0f}s")
        time.sleep(0.5)


def test_ingest_restart_keeps_decisions(
    stack: LocalStack, screening: screening_pb2_grpc.ScreeningStub
) -> None:
    post = make_post(CLEAN_TEXT, post_id=new_id("it-restart"))
    first = screening.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)
    stack.stop_service("ingest")
    stack.start_service("ingest")
    stack.wait_healthy(["ingest"], timeout=60)
    with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
        stub = screening_pb2_grpc.ScreeningStub(channel)
        assert stub.GetDecision(screening_pb2.GetDecisionRequest(post_id=post.post_id), timeout=10) == first
        assert stub.Submit(post, timeout=30).duplicate is True
