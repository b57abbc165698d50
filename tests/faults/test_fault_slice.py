"""The fault slice of ``make test``: kill -9 during a real run, nothing lost, nothing foreign, no leak.

A real broker and the four services as processes; posts go in through the public gRPC API at a steady
rate while parts are killed with SIGKILL and brought back. ``make test-faults`` runs the same harness
(``postguard.devtools.faults``) with thousands of posts and every part, broker included.
The assertions are counts, not timings: a slow CI machine makes the run longer, never red.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from postguard.devtools.faults import FaultRun, plan_posts, schedule

pytestmark = pytest.mark.integration

POSTS = 900
RATE = 30.0  # 30 s of load: 10 s calm, then three outages


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    run_dir: Path = tmp_path_factory.mktemp("faults")
    run = FaultRun(
        run_dir,
        plan_posts(POSTS, seed=7),
        schedule(["identifier-detection", "policy-decision", "ingest"], first_at=10.0, spacing=6.0, down=4.0),
        rate=RATE,
        progress=print,
    )
    result = run.run()
    print("\n" + result.render())
    return result


def test_every_accepted_post_is_decided_finally_and_none_is_lost(report) -> None:
    assert report.accepted + report.refused == report.posts
    assert report.refused == 0  # every refusal was retryable and the retries got through
    assert report.lost == 0
    assert report.not_final == 0, "posts left with only a provisional decision"


def test_no_conflicting_or_foreign_decision(report) -> None:
    assert report.conflicting == 0
    assert report.foreign == 0
    assert report.screen_replies > 0  # Screen answers were checked against the content they asked about


def test_planted_identifiers_reach_no_log_metric_or_audit_row(report) -> None:
    assert report.leaks == []


def test_only_posts_whose_deadline_passed_during_a_fault_are_provisional(report) -> None:
    # Posts accepted before the first kill (less one deadline) had every stage up: none may be
    # provisional. Those caught by an outage may be, and all of them became final above.
    assert report.calm_posts > 0
    assert report.calm_provisional == 0
