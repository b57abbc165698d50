"""The queue, a held post's page (with the redacted copies of its flagged images), the reviewer's actions
on it, feedback on findings, missed deadlines."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from postguard.console.identity import Principal
from postguard.console.security import CONTENT_SECURITY_POLICY
from postguard.console.views import QueueRow, find_span, highlight, labels_of, redacted_images, time_left
from postguard.console.web import (
    NOT_FOUND,
    Console,
    PageError,
    check_csrf,
    console,
    flash,
    redirect,
    render,
    require_principal,
)
from postguard.domain.review.items import FeedbackOutcome, FindingFeedback, ReviewItem, ReviewStatus
from postguard.domain.types import Category, Decision, IdentifierLabel, ReviewAction
from postguard.http_api.router import read_copy
from postguard.review.desk import EditStillHeld, NotInQueue, ReviewError

log = logging.getLogger(__name__)
router = APIRouter()
ACTIONS = ("approve", "edit", "reject", "escalate")
MAX_TEXT = 100_000
MAX_NOTE = 4000
MISSED_LIMIT = 500
"""Newest BLOCK versions searched for missed deadlines on the missed-deadlines page."""


def _rows(c: Console, principal: Principal, items: list[ReviewItem]) -> list[QueueRow]:
    now = c.clock()
    visible = [i for i in items if principal.can_see(i.institution_id)]  # the desk filters; so do we
    visible.sort(key=lambda i: (i.deadline or "9999", i.held_at))
    return [
        QueueRow(
            item=i,
            left=time_left(i.deadline, now),
            labels=labels_of(i.decision.findings),
            escalated=i.status is ReviewStatus.ESCALATED,
            can_decide=i.status is not ReviewStatus.ESCALATED or principal.is_admin(i.institution_id),
        )
        for i in visible
    ]


def _queue(c: Console, principal: Principal) -> list[ReviewItem]:
    institutions = principal.institutions
    return list(c.desk.queue(institutions)) if institutions else []  # never None: that means "all"


@router.get("/", name="home")
def home(request: Request) -> Response:
    require_principal(request)
    return redirect(request, "/queue")


@router.get("/queue", name="queue")
def queue_page(request: Request) -> Response:
    principal = require_principal(request)
    c = console(request)
    return render(request, "queue.html", {"rows": _rows(c, principal, _queue(c, principal))})


@router.get("/missed", name="missed")
def missed_page(request: Request) -> Response:
    """Posts whose deadline passed: still open and overdue, and (when the desk lists them) expired ones."""
    principal = require_principal(request)
    c = console(request)
    overdue = [r for r in _rows(c, principal, _queue(c, principal)) if r.left.overdue]
    return render(request, "missed.html", {"overdue": overdue, "expired": _expired(c, principal)})


def _expired(c: Console, principal: Principal) -> list[Any]:
    """The newest BLOCK versions the deadline made (action deadline_missed), from the audit trail."""
    if not principal.institutions or not hasattr(c.audit, "search"):
        return []
    from postguard.core.audit import ArchiveQuery

    query = ArchiveQuery(institutions=principal.institutions, verdict="BLOCK", limit=MISSED_LIMIT)
    return [r for r in c.audit.search(query) if r.review_action == ReviewAction.DEADLINE_MISSED.value]


def visible_item(c: Console, principal: Principal, institution_id: str, post_id: str) -> ReviewItem:
    """The item when ``principal`` may see that institution and it exists; the same 404 otherwise."""
    if not principal.can_see(institution_id):
        raise PageError(404, NOT_FOUND)
    item = c.desk.item(institution_id, post_id)
    if item is None or item.institution_id != institution_id:
        raise PageError(404, NOT_FOUND)
    return item


def _finding_rows(decision: Decision, text: str) -> list[dict[str, Any]]:
    rows = []
    for index, f in enumerate(decision.findings):
        shown = text[f.start : f.end] if f.in_text and 0 <= f.start < f.end <= len(text) else ""
        where = f"{f.attachment_id} {f.field}".strip() if not f.in_text else f"characters {f.start}-{f.end}"
        rows.append({"index": index, "finding": f, "text": shown, "where": where})
    return rows


def _post_context(c: Console, principal: Principal, item: ReviewItem, **extra: Any) -> dict[str, Any]:
    decision = item.decision
    original = item.original_text
    history = c.audit.versions(item.post_id, item.institution_id) if c.audit is not None else []
    history = sorted(history, key=lambda r: (r.version, r.decided_at))
    can_decide = item.status.open and (
        item.status is not ReviewStatus.ESCALATED or principal.is_admin(item.institution_id)
    )
    context = {
        "item": item,
        "decision": decision,
        "left": time_left(item.deadline, c.clock()),
        "segments": highlight(original, decision.findings) if original else [],
        "findings": _finding_rows(decision, original),
        "history": history,
        "can_decide": can_decide,
        "can_escalate": item.status is ReviewStatus.PENDING,
        "edited_text": original or decision.redacted_text,
        "images": redacted_images(decision),
        "images_kept": _redacted_store(c) is not None,
        "labels": [str(label) for label in IdentifierLabel],
        "edit_result": None,
        "error": "",
    }
    context.update(extra)
    return context


POST_PAGE_CSP = CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", "img-src 'self'")
"""The post page shows the redacted image copies: its images come from the console itself, nothing else."""


def _render_post(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    response = render(request, "post.html", context, status)
    response.headers["Content-Security-Policy"] = POST_PAGE_CSP
    return response


@router.get("/posts/{institution_id}/{post_id:path}", name="post")
def post_page(request: Request, institution_id: str, post_id: str) -> Response:
    principal = require_principal(request)
    c = console(request)
    item = visible_item(c, principal, institution_id, post_id)
    return _render_post(request, _post_context(c, principal, item))


def _redacted_store(c: Console) -> Any:
    """Where the redacted copies are read (``console.redacted_store``, set by the all-in-one server);
    None when this console does not keep them."""
    return c.redacted_store


@router.get("/redacted/{institution_id}/{reference}/{post_id:path}", name="redacted")
def redacted_image(request: Request, institution_id: str, reference: str, post_id: str) -> Response:
    """The bytes of a redacted copy the post's decision names, to that institution's reviewers (else 404)."""
    principal = require_principal(request)
    c = console(request)
    item = visible_item(c, principal, institution_id, post_id)
    if reference not in dict(item.decision.redacted_attachments).values():
        raise PageError(404, NOT_FOUND)
    found = read_copy(_redacted_store(c), reference)
    if found is None:
        raise PageError(404, NOT_FOUND)
    return found


def _field(form: Any, name: str, limit: int) -> str:
    value = form.get(name, "")
    return str(value)[:limit] if isinstance(value, str) else ""


def _decide(c: Console, action: str, item: ReviewItem, reviewer: str, form: Any) -> Decision:
    inst, pid = item.institution_id, item.post_id
    note = _field(form, "note", MAX_NOTE).strip()
    if action == "approve":
        return c.desk.approve(inst, pid, reviewer, note)
    if action == "edit":
        edited = _field(form, "edited_text", MAX_TEXT).replace("\r\n", "\n")
        if not edited.strip():
            raise ReviewError("the edited text is empty; use Reject to stop the post")
        return c.desk.approve_with_edits(inst, pid, reviewer, edited, note)
    if not note:
        raise ReviewError(f"a note is required to {action} (say why)")
    if action == "reject":
        return c.desk.reject(inst, pid, reviewer, note)
    return c.desk.escalate(inst, pid, reviewer, note)


@router.post("/act/{action}/{institution_id}/{post_id:path}", name="act")
async def act(request: Request, action: str, institution_id: str, post_id: str) -> Response:
    """approve | edit (approve with edits) | reject | escalate one held post."""
    principal = require_principal(request)
    await check_csrf(request)
    c = console(request)
    if action not in ACTIONS:
        raise PageError(404, "No such action.")
    item = visible_item(c, principal, institution_id, post_id)
    if not item.status.open:
        raise PageError(409, f"Post {post_id} was already decided ({item.status.value}).")
    if item.status is ReviewStatus.ESCALATED:
        if action == "escalate":
            raise PageError(409, f"Post {post_id} is already escalated.")
        if not principal.is_admin(institution_id):
            raise PageError(
                403, f"Post {post_id} is escalated: only an admin of {institution_id} decides it."
            )
    form = await request.form()
    try:
        # off the event loop: re-screening an edit and the stores block
        decision = await run_in_threadpool(_decide, c, action, item, principal.username, form)
    except EditStillHeld as exc:
        edited = _field(form, "edited_text", MAX_TEXT).replace("\r\n", "\n")
        result = {
            "decision": exc.decision,
            "segments": highlight(edited, exc.decision.findings),
            "findings": _finding_rows(exc.decision, edited),
        }
        context = _post_context(c, principal, item, edited_text=edited, edit_result=result, error=str(exc))
        return _render_post(request, context, 422)
    except NotInQueue:
        raise PageError(404, NOT_FOUND) from None
    except ReviewError as exc:  # e.g. the deadline passed meanwhile: the desk blocked the post
        fresh = c.desk.item(institution_id, post_id) or item
        return _render_post(request, _post_context(c, principal, fresh, error=str(exc)), 422)
    log.info(
        "console review action",
        extra={
            "action": action,
            "post_id": post_id,
            "institution_id": institution_id,
            "version": decision.version,
        },
    )
    flash(request, f"{action}: post {post_id} is now {decision.verdict} (version {decision.version}).")
    return redirect(request, "/queue")


def _feedback(form: Any, item: ReviewItem) -> list[FindingFeedback]:
    """The reviewer's judgements: one per finding marked, plus the missed identifier row when filled."""
    out = []
    for index, f in enumerate(item.decision.findings):
        value = form.get(f"finding-{index}", "")
        if value in (FeedbackOutcome.CONFIRMED.value, FeedbackOutcome.FALSE_ALARM.value) and f.in_text:
            out.append(FindingFeedback(FeedbackOutcome(value), str(f.category), f.label, f.start, f.end))
    missed_text = _field(form, "missed_text", MAX_NOTE)
    if missed_text.strip():
        label = _field(form, "missed_label", 64)
        if label not in {str(x) for x in IdentifierLabel}:
            raise ReviewError("choose the label of the missed identifier")
        if not item.original_text:
            raise ReviewError("the post's text is no longer kept, so the missed identifier cannot be placed")
        taken = [(f.start, f.end) for f in item.decision.findings if f.in_text]
        span = find_span(item.original_text, missed_text, taken)
        if span is None:
            raise ReviewError("the missed identifier does not appear in the post's text as typed")
        out.append(FindingFeedback(FeedbackOutcome.MISSED, str(Category.IDENTIFIER), label, *span))
    return out


@router.post("/feedback/{institution_id}/{post_id:path}", name="feedback")
async def feedback(request: Request, institution_id: str, post_id: str) -> Response:
    """Store the reviewer's confirmed / false alarm / missed judgements (``desk.record_feedback``)."""
    principal = require_principal(request)
    await check_csrf(request)
    c = console(request)
    item = visible_item(c, principal, institution_id, post_id)
    form = await request.form()
    try:
        entries = _feedback(form, item)
        if not entries:
            raise ReviewError("nothing to record: mark a finding or fill in a missed identifier")
        await run_in_threadpool(c.desk.record_feedback, institution_id, post_id, principal.username, entries)
    except NotInQueue:
        raise PageError(404, NOT_FOUND) from None
    except ReviewError as exc:
        return _render_post(request, _post_context(c, principal, item, error=str(exc)), 422)
    flash(request, f"Feedback on post {post_id} recorded ({len(entries)} judgement(s)). Thank you.")
    return redirect(request, f"/posts/{institution_id}/{post_id}")
