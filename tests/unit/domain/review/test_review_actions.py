"""Reviewer versions built from the decision the reviewer saw: version + 1, stamp, verdict, kept fields."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from postguard.domain.review import actions
from postguard.domain.types import Category, Decision, Finding, ReviewAction, ReviewStamp, Verdict

pytestmark = pytest.mark.unit

NAME = Finding(Category.IDENTIFIER, "PERSON", 0, 4, 0.9, "rules", "a name")
BASE = Decision(
    post_id="p-1",
    institution_id="inst-a",
    verdict=Verdict.REVIEW,
    findings=(NAME,),
    reasons=("names a patient",),
    redacted_text="[PERSON] is home",
    policy_id="default",
    policy_version="3",
    text_sha256=hashlib.sha256(b"Jane is home").hexdigest(),
    decided_at="2026-12-01T09:00:00.000Z",
    version=2,
    timings={"policy": 0.01},
    author_id="nurse-7",
    review_deadline="2026-12-01T12:00:00Z",
)
NOW = "2026-12-01T10:00:00.000Z"


def _kept(decision: Decision) -> None:
    assert (decision.post_id, decision.institution_id, decision.author_id) == ("p-1", "inst-a", "nurse-7")
    assert decision.review_deadline == "2026-12-01T12:00:00Z"
    assert (decision.version, decision.decided_at, decision.timings) == (3, NOW, {})


def test_approve_allows_and_keeps_findings_and_redaction() -> None:
    d = actions.approve(BASE, "rev-1", NOW, note="ok")
    _kept(d)
    assert (d.verdict, d.findings, d.redacted_text) == (Verdict.ALLOW, (NAME,), "[PERSON] is home")
    assert d.reasons == ("a reviewer approved the post as written",)
    assert d.review == ReviewStamp(ReviewAction.APPROVE, "rev-1", NOW, "ok", based_on_version=2)
    assert BASE.verdict == Verdict.REVIEW and BASE.review is None  # the base is not changed


def test_reject_blocks_and_the_note_never_enters_the_reasons() -> None:
    d = actions.reject(BASE, "rev-1", NOW, note="Jane's family objected")
    _kept(d)
    assert d.verdict == Verdict.BLOCK and d.reasons == ("a reviewer rejected the post",)
    assert d.review is not None and d.review.note == "Jane's family objected"
    assert not any("Jane" in r for r in d.reasons)


def test_escalate_stays_under_review() -> None:
    d = actions.escalate(BASE, "rev-1", NOW, note="ask the privacy officer")
    _kept(d)
    assert d.verdict == Verdict.REVIEW and d.review is not None
    assert d.review.action == ReviewAction.ESCALATE and d.reasons[0] == actions.ESCALATED_REASON


def test_deadline_missed_blocks_as_the_system() -> None:
    d = actions.deadline_missed(BASE, NOW)
    _kept(d)
    assert d.verdict == Verdict.BLOCK and d.review is not None
    assert (d.review.action, d.review.reviewer) == (ReviewAction.DEADLINE_MISSED, "system")
    assert "review deadline" in d.reasons[0] and "not published" in d.reasons[0]


def test_approve_with_edits_takes_the_rescreened_content() -> None:
    rescreened = dataclasses.replace(
        BASE,
        verdict=Verdict.ALLOW_WITH_CHANGES,
        findings=(),
        reasons=("a date was generalised",),
        redacted_text="Our patient is home",
        text_sha256=hashlib.sha256(b"Our patient is home").hexdigest(),
        version=1,
        author_id="",
        review_deadline="",
        provisional=True,
    )
    d = actions.approve_with_edits(BASE, rescreened, "rev-1", NOW, note="removed the name")
    _kept(d)
    assert (d.verdict, d.findings, d.redacted_text) == (Verdict.ALLOW_WITH_CHANGES, (), "Our patient is home")
    assert d.text_sha256 == rescreened.text_sha256 and not d.provisional
    assert d.reasons == (actions.APPROVED_WITH_EDITS_REASON, "a date was generalised")
    assert d.review is not None and d.review.action == ReviewAction.APPROVE_WITH_EDITS


@pytest.mark.parametrize("verdict", [Verdict.REVIEW, Verdict.BLOCK])
def test_approve_with_edits_refuses_an_edit_still_held(verdict: Verdict) -> None:
    with pytest.raises(ValueError, match=str(verdict)):
        actions.approve_with_edits(BASE, dataclasses.replace(BASE, verdict=verdict), "rev-1", NOW)


def test_approve_with_edits_refuses_another_posts_decision() -> None:
    other = dataclasses.replace(BASE, post_id="p-2", verdict=Verdict.ALLOW)
    with pytest.raises(ValueError, match="p-2"):
        actions.approve_with_edits(BASE, other, "rev-1", NOW)


def test_an_edit_keeps_the_images_findings_and_their_redacted_copies() -> None:
    face = Finding(
        Category.IDENTIFIER, "FACE", 0, 0, 0.9, "faces", "a face", attachment_id="img-1", field="pixels"
    )
    with_image = dataclasses.replace(
        BASE, findings=(NAME, face), redacted_attachments=(("img-1", "sha256:" + "ab" * 32 + ".png"),)
    )
    clean = dataclasses.replace(
        BASE,
        verdict=Verdict.ALLOW,
        findings=(),
        reasons=(),
        redacted_text="Our patient is home",
        text_sha256=hashlib.sha256(b"Our patient is home").hexdigest(),
        version=1,
    )
    d = actions.approve_with_edits(with_image, clean, "rev-1", NOW)
    assert d.verdict is Verdict.ALLOW_WITH_CHANGES  # the image still goes out as its redacted copy
    assert d.findings == (face,) and d.redacted_attachments == with_image.redacted_attachments
    assert d.reasons[-1] == actions.IMAGES_AS_SCREENED_REASON
    as_written = actions.approve(with_image, "rev-1", NOW)
    assert as_written.verdict is Verdict.ALLOW_WITH_CHANGES
    assert as_written.reasons == (actions.APPROVED_REASON, actions.IMAGES_AS_SCREENED_REASON)
    assert as_written.redacted_attachments == with_image.redacted_attachments
    text_only = actions.approve_with_edits(BASE, clean, "rev-1", NOW)
    assert text_only.verdict is Verdict.ALLOW and text_only.redacted_attachments == ()
