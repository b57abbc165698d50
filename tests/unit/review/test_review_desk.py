"""ReviewDesk: hold, queue order, reviewer actions as new versions, deadlines, isolation, idempotence."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

import pytest
from postguard.core import metrics
from postguard.domain.policy.registry import ReviewTiming
from postguard.domain.review.items import ReviewStatus
from postguard.domain.types import ReviewAction, Verdict
from postguard.review.desk import EditStillHeld, NotInQueue, ReviewDesk, ReviewError
from prometheus_client import REGISTRY
from review_support import EDITED, RAW, START, Bench, held, post, sha

pytestmark = pytest.mark.unit


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_only_held_verdicts_enter_the_queue(bench: Bench) -> None:
    assert bench.desk.hold(held(verdict=Verdict.ALLOW)) is None
    assert bench.desk.hold(held("p-2", verdict=Verdict.ALLOW_WITH_CHANGES)) is None
    blocked = bench.desk.hold(held("p-3", verdict=Verdict.BLOCK))
    assert blocked is not None and blocked.status == ReviewStatus.PENDING
    assert [i.post_id for i in bench.desk.queue(None)] == ["p-3"]


def test_hold_keeps_the_original_text_only_when_the_post_matches_the_decision(bench: Bench) -> None:
    item = bench.desk.hold(held(), post())
    assert item is not None
    assert (item.original_text, item.platform, item.author_id) == (RAW, "x", "nurse-7")
    other = bench.desk.hold(held("p-2"), post("p-2", text="another text"))
    assert other is not None and other.original_text == ""


def test_deadline_from_the_decision_or_the_policy_timing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from review_support import make_bench

    b = make_bench(tmp_path)
    desk = ReviewDesk(
        b.store,
        b.audit,
        rescreen=b.rescreen,
        publish=b.published.append,
        clock=b.clock,
        timing_for=lambda inst: ReviewTiming(margin_minutes=15, default_hours=2),
    )
    given = desk.hold(held("p-1", review_deadline="2026-12-01T12:00:00.250+00:00"))
    scheduled = desk.hold(held("p-2"), post("p-2", scheduled_publish_at="2026-12-01T10:00:00Z"))
    default = desk.hold(held("p-3"))
    assert given is not None and given.deadline == "2026-12-01T12:00:00Z"
    assert scheduled is not None and scheduled.deadline == "2026-12-01T09:45:00Z"
    assert scheduled.scheduled_publish_at == "2026-12-01T10:00:00Z"
    assert default is not None and default.deadline == "2026-12-01T11:00:00Z"
    assert default.decision.review_deadline == "2026-12-01T11:00:00Z"  # carried into reviewer versions
    assert [i.post_id for i in desk.queue(None)] == ["p-2", "p-3", "p-1"]


def test_queue_is_per_institution_and_ordered_by_deadline(bench: Bench) -> None:
    bench.desk.hold(held("late", review_deadline="2026-12-02T09:00:00Z"))
    bench.desk.hold(held("soon", review_deadline="2026-12-01T10:00:00Z"))
    bench.desk.hold(held("other", "clinic-b", review_deadline="2026-12-01T09:30:00Z"))
    assert [i.post_id for i in bench.desk.queue(frozenset({"demo-hospital"}))] == ["soon", "late"]
    assert [i.post_id for i in bench.desk.queue(frozenset({"clinic-b"}))] == ["other"]
    assert [i.post_id for i in bench.desk.queue(None)] == ["other", "soon", "late"]
    assert bench.desk.queue(frozenset()) == []


def test_approve_makes_version_two_stored_audited_and_published(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    bench.clock.advance(minutes=5)
    before = _sample("postguard_review_hold_to_decision_seconds_count", institution="demo-hospital")
    decision = bench.desk.approve("demo-hospital", "p-1", "rev-1", note="fine as written")
    assert (decision.verdict, decision.version, decision.post_id) == (Verdict.ALLOW, 2, "p-1")
    assert decision.review is not None
    assert (decision.review.action, decision.review.reviewer, decision.review.based_on_version) == (
        ReviewAction.APPROVE,
        "rev-1",
        1,
    )
    assert decision.review.note == "fine as written" and "fine as written" not in decision.reasons
    assert bench.published == [decision]
    rows = bench.audit.versions("p-1", "demo-hospital")
    assert [(r.version, r.verdict, r.review_action, r.reviewer) for r in rows] == [
        (2, "ALLOW", "approve", "rev-1")
    ]
    item = bench.desk.item("demo-hospital", "p-1")
    assert item is not None and item.status == ReviewStatus.APPROVED
    assert (item.resolved_by, item.resolved_at, item.original_text) == (
        "rev-1",
        "2026-12-01T09:05:00.000Z",
        "",
    )
    assert bench.desk.queue(None) == []
    after = _sample("postguard_review_hold_to_decision_seconds_count", institution="demo-hospital")
    assert after == before + 1


def test_a_decided_post_cannot_be_decided_again(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    bench.desk.reject("demo-hospital", "p-1", "rev-1", "names a patient")
    with pytest.raises(NotInQueue):
        bench.desk.approve("demo-hospital", "p-1", "rev-2")
    assert len(bench.published) == 1


def test_approve_with_edits_rescreens_and_publishes_the_edited_decision(bench: Bench) -> None:
    bench.desk.hold(held(), post(scheduled_publish_at="2026-12-02T09:00:00Z"))
    decision = bench.desk.approve_with_edits("demo-hospital", "p-1", "rev-1", EDITED, note="removed the name")
    screened = bench.rescreen.posts[-1]
    assert (screened.post_id, screened.institution_id, screened.platform, screened.text) == (
        "p-1",
        "demo-hospital",
        "x",
        EDITED,
    )
    assert (screened.author_id, screened.scheduled_publish_at) == ("nurse-7", "2026-12-02T09:00:00Z")
    assert (decision.verdict, decision.version, decision.text_sha256) == (Verdict.ALLOW, 2, sha(EDITED))
    assert decision.author_id == "nurse-7" and decision.review is not None
    assert decision.review.action == ReviewAction.APPROVE_WITH_EDITS
    assert bench.published == [decision]
    item = bench.desk.item("demo-hospital", "p-1")
    assert item is not None and item.status == ReviewStatus.APPROVED_WITH_EDITS
    assert bench.audit.get("p-1", "demo-hospital").text_sha256 == sha(EDITED)  # type: ignore[union-attr]


def test_an_edit_still_held_is_refused_and_changes_nothing(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    with pytest.raises(EditStillHeld) as caught:
        bench.desk.approve_with_edits("demo-hospital", "p-1", "rev-1", RAW + " Jane again")
    assert caught.value.decision.verdict == Verdict.REVIEW
    assert "Jane" not in str(caught.value) and "PERSON" in str(caught.value)
    item = bench.desk.item("demo-hospital", "p-1")
    assert item is not None and item.status == ReviewStatus.PENDING and item.decision.version == 1
    assert bench.published == [] and bench.audit.count() == 0


def test_a_failing_rescreen_is_a_safe_review_error(bench: Bench) -> None:
    def broken(_post):  # type: ignore[no-untyped-def]
        raise ValueError(f"cannot screen {_post.text}")

    desk = ReviewDesk(
        bench.store, bench.audit, rescreen=broken, publish=bench.published.append, clock=bench.clock
    )
    desk.hold(held(), post())
    with pytest.raises(ReviewError) as caught:
        desk.approve_with_edits("demo-hospital", "p-1", "rev-1", EDITED)
    assert EDITED not in str(caught.value) and "ValueError" in str(caught.value)


def test_reject_blocks_with_the_note_in_the_stamp_only(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    decision = bench.desk.reject("demo-hospital", "p-1", "rev-1", "Jane's family asked us not to")
    assert decision.verdict == Verdict.BLOCK and decision.reasons == ("a reviewer rejected the post",)
    assert decision.review is not None and decision.review.note == "Jane's family asked us not to"
    row = bench.audit.get("p-1", "demo-hospital")
    assert row is not None and row.review_note == "Jane's family asked us not to"


def test_escalate_keeps_the_post_open_for_an_admin_who_then_decides(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    escalated = bench.desk.escalate("demo-hospital", "p-1", "rev-1", "not sure about consent")
    assert (escalated.verdict, escalated.version) == (Verdict.REVIEW, 2)
    item = bench.desk.item("demo-hospital", "p-1")
    assert item is not None and item.status == ReviewStatus.ESCALATED and item.original_text == RAW
    assert [i.post_id for i in bench.desk.queue(None)] == ["p-1"]
    approved = bench.desk.approve("demo-hospital", "p-1", "admin-1")
    assert approved.version == 3 and approved.review is not None and approved.review.based_on_version == 2
    assert [d.version for d in bench.published] == [2, 3]


def test_another_institution_gets_the_same_error_as_a_post_that_does_not_exist(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    with pytest.raises(NotInQueue) as theirs:
        bench.desk.approve("clinic-b", "p-1", "rev-b")
    with pytest.raises(NotInQueue) as missing:
        bench.desk.approve("clinic-b", "p-404", "rev-b")
    assert str(theirs.value) == str(missing.value).replace("p-404", "p-1")
    for act in (bench.desk.reject, bench.desk.escalate):
        with pytest.raises(NotInQueue):
            act("clinic-b", "p-1", "rev-b", "note")
    with pytest.raises(NotInQueue):
        bench.desk.approve_with_edits("clinic-b", "p-1", "rev-b", EDITED)
    assert bench.rescreen.posts == [] and bench.published == []
    assert bench.desk.queue(frozenset({"clinic-b"})) == []


def test_an_action_past_the_deadline_expires_the_post_instead(bench: Bench) -> None:
    bench.desk.hold(held(review_deadline="2026-12-01T10:00:00Z"), post())
    bench.clock.advance(hours=1)
    missed_before = _sample("postguard_review_deadline_missed_total", institution="demo-hospital")
    with pytest.raises(ReviewError, match="review deadline passed"):
        bench.desk.approve("demo-hospital", "p-1", "rev-1")
    [expired] = bench.published
    assert (expired.verdict, expired.version) == (Verdict.BLOCK, 2)
    assert expired.review is not None and expired.review.reviewer == "system"
    assert expired.review.action == ReviewAction.DEADLINE_MISSED
    item = bench.desk.item("demo-hospital", "p-1")
    assert item is not None and item.status == ReviewStatus.DEADLINE_MISSED
    assert _sample("postguard_review_deadline_missed_total", institution="demo-hospital") == missed_before + 1


def test_the_sweeper_expires_only_overdue_items(bench: Bench) -> None:
    bench.desk.hold(held("due", review_deadline="2026-12-01T09:30:00Z"))
    bench.desk.hold(held("later", review_deadline="2026-12-01T11:00:00Z"))
    assert bench.desk.expire_overdue() == []
    bench.clock.advance(minutes=30)
    expired = bench.desk.expire_overdue()
    assert [(d.post_id, d.verdict) for d in expired] == [("due", Verdict.BLOCK)]
    assert [i.post_id for i in bench.desk.queue(None)] == ["later"]
    assert bench.desk.expire_overdue() == []
    assert bench.audit.get("due", "demo-hospital").verdict == "BLOCK"  # type: ignore[union-attr]


def test_hold_is_idempotent_per_version(bench: Bench) -> None:
    first = bench.desk.hold(held(), post())
    bench.clock.advance(minutes=10)
    again = bench.desk.hold(held(), post())
    assert first == again
    bench.desk.approve("demo-hospital", "p-1", "rev-1")
    redelivered = bench.desk.hold(held(), post())  # a redelivery after the decision does not reopen it
    assert redelivered is not None and redelivered.status == ReviewStatus.APPROVED
    assert bench.desk.queue(None) == []


def test_a_redelivered_original_does_not_reopen_a_post_approved_with_edits(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    bench.desk.approve_with_edits("demo-hospital", "p-1", "rev-1", EDITED)
    bench.desk.hold(held(), post())
    assert bench.desk.queue(None) == []


def test_a_complete_decision_replaces_the_provisional_one_in_the_queue(bench: Bench) -> None:
    bench.desk.hold(held(provisional=True, incomplete_stages=("image-screening",)), post())
    # screening is not finished: an approval is refused (a late stage may still find something) ...
    with pytest.raises(ReviewError, match=r"not complete \(image-screening has not reported\)"):
        bench.desk.approve("demo-hospital", "p-1", "rev-1")
    with pytest.raises(ReviewError, match="not complete"):
        bench.desk.approve_with_edits("demo-hospital", "p-1", "rev-1", EDITED)
    assert bench.published == [] and bench.rescreen.posts == []
    bench.clock.advance(minutes=1)
    replaced = bench.desk.hold(held(version=2), post())
    assert replaced is not None and replaced.decision.version == 2 and not replaced.decision.provisional
    assert replaced.held_at == "2026-12-01T09:00:00.000Z" and replaced.original_text == RAW
    assert bench.desk.approve("demo-hospital", "p-1", "rev-1").version == 3
    assert bench.desk.hold(held(version=1)) is not None  # an older version changes nothing
    assert bench.desk.queue(None) == []


def test_a_newer_decision_that_is_not_held_closes_the_item_as_superseded(bench: Bench) -> None:
    bench.desk.hold(held(provisional=True), post())
    assert bench.desk.hold(held(version=2, verdict=Verdict.ALLOW)) is None
    item = bench.desk.item("demo-hospital", "p-1")
    assert item is not None and item.status == ReviewStatus.SUPERSEDED and item.original_text == ""
    assert item.decision.version == 2
    assert bench.desk.queue(None) == []
    with pytest.raises(NotInQueue):
        bench.desk.approve("demo-hospital", "p-1", "rev-1")


def test_an_edited_resubmission_replaces_the_text_and_a_clean_one_closes_it(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    changed = "Mrs Jane Example is home."
    item = bench.desk.hold(held(text_sha256=sha(changed)), post(text=changed))
    assert item is not None and item.original_text == changed and item.status == ReviewStatus.PENDING
    bench.desk.hold(held(text_sha256=sha(EDITED), verdict=Verdict.ALLOW))
    closed = bench.desk.item("demo-hospital", "p-1")
    assert closed is not None and closed.status == ReviewStatus.SUPERSEDED


def test_a_new_submission_after_a_decision_opens_a_new_item(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    bench.desk.reject("demo-hospital", "p-1", "rev-1", "no")
    bench.clock.advance(hours=1)
    changed = "Mrs Jane Example is home."
    item = bench.desk.hold(held(text_sha256=sha(changed)), post(text=changed))
    assert item is not None and item.status == ReviewStatus.PENDING
    assert item.held_at == "2026-12-01T10:00:00.000Z" and item.resolved_by == ""


def test_queue_metrics_follow_the_queue(bench: Bench) -> None:
    bench.desk.hold(held("a", "metrics-inst"))
    bench.clock.advance(minutes=2)
    bench.desk.hold(held("b", "metrics-inst"))
    bench.clock.advance(minutes=1)
    bench.desk.refresh_metrics()
    assert _sample("postguard_review_queue_depth", institution="metrics-inst") == 2
    assert _sample("postguard_review_queue_oldest_age_seconds", institution="metrics-inst") == 180
    decisions = _sample("postguard_reviewer_decisions_total", institution="metrics-inst", action="reject")
    bench.desk.reject("metrics-inst", "a", "rev", "no")
    bench.desk.reject("metrics-inst", "b", "rev", "no")
    assert (
        _sample("postguard_reviewer_decisions_total", institution="metrics-inst", action="reject")
        == decisions + 2
    )
    bench.desk.refresh_metrics()
    assert _sample("postguard_review_queue_depth", institution="metrics-inst") == 0
    assert _sample("postguard_review_queue_oldest_age_seconds", institution="metrics-inst") == 0


def test_two_reviewers_at_once_make_exactly_one_version(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    results: list[object] = []
    barrier = threading.Barrier(8)

    def act(n: int) -> None:
        barrier.wait()
        try:
            results.append(bench.desk.approve("demo-hospital", "p-1", f"rev-{n}"))
        except NotInQueue as exc:
            results.append(exc)

    threads = [threading.Thread(target=act, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert len(bench.published) == 1 and bench.audit.count() == 1


def test_a_publish_failure_is_reported_without_text(bench: Bench) -> None:
    def fail(_decision):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker down")

    desk = ReviewDesk(bench.store, bench.audit, rescreen=bench.rescreen, publish=fail, clock=bench.clock)
    desk.hold(held(), post())
    with pytest.raises(ReviewError, match="recorded but not published") as caught:
        desk.reject("demo-hospital", "p-1", "rev-1", "Jane")
    assert "Jane" not in str(caught.value)
    assert bench.audit.get("p-1", "demo-hospital") is not None


def test_review_metrics_carry_no_text_labels() -> None:
    for collector in (
        metrics.REVIEW_QUEUE_DEPTH,
        metrics.REVIEW_QUEUE_OLDEST_AGE,
        metrics.REVIEW_DEADLINE_MISSED,
        metrics.REVIEWER_DECISIONS,
        metrics.REVIEW_HOLD_TO_DECISION,
    ):
        assert set(collector._labelnames) <= {"institution", "action"}  # type: ignore[attr-defined]


def test_start_is_the_clock_of_the_held_at_fields(bench: Bench) -> None:
    item = bench.desk.hold(held(), post())
    assert item is not None and item.held_at == (START + timedelta(0)).isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
    assert dataclasses.replace(item).deadline == "2026-12-02T09:00:00Z"  # the default 24 hours


def test_a_reviewer_version_read_back_is_never_queued(bench: Bench) -> None:
    bench.desk.hold(held(), post())
    escalated = bench.desk.escalate("demo-hospital", "p-1", "rev-1", "admin please")
    again = bench.desk.hold(escalated)  # e.g. the console service consuming the decisions topic
    assert again is not None and again.status == ReviewStatus.ESCALATED and again.decision.version == 2
    assert bench.desk.hold(dataclasses.replace(escalated, post_id="unknown")) is None
    assert [i.post_id for i in bench.desk.queue(None)] == ["p-1"]


def test_an_unreadable_deadline_falls_back_to_the_policy_timing(bench: Bench) -> None:
    item = bench.desk.hold(held(review_deadline="tomorrow-ish"), post(scheduled_publish_at="not a time"))
    assert item is not None and item.deadline == "2026-12-02T09:00:00Z"


def test_a_newer_decision_never_overwrites_a_reviewers_decision_made_meanwhile(bench: Bench) -> None:
    bench.desk.hold(held(provisional=True), post())
    stale = bench.store.get("demo-hospital", "p-1")
    other_replica = ReviewDesk(
        bench.store, bench.audit, rescreen=bench.rescreen, publish=bench.published.append, clock=bench.clock
    )
    other_replica.reject("demo-hospital", "p-1", "rev-1", "no")
    assert stale is not None
    # hold() read the open item before the reject landed: its guarded write must lose.
    assert bench.desk._replace(stale, dataclasses.replace(stale, decision=held(version=2))) is False
    item = bench.desk.item("demo-hospital", "p-1")
    assert item is not None and item.status == ReviewStatus.REJECTED
    assert bench.desk.hold(held(version=2), post()) is not None  # and a late hold changes nothing
    assert bench.desk.item("demo-hospital", "p-1").status == ReviewStatus.REJECTED  # type: ignore[union-attr]
