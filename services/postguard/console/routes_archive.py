"""The archive: search recorded decisions (redacted text and hashes only) and export them as CSV / JSONL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from postguard.console.identity import Principal
from postguard.console.web import NOT_FOUND, Console, PageError, console, render, require_principal
from postguard.domain.review.deadlines import format_rfc3339
from postguard.domain.types import Verdict
from postguard.review import archive

router = APIRouter()
PAGE_SIZE = 50
FILTERS = ("institution", "author", "since", "until", "verdict", "label")


@dataclass(frozen=True, slots=True)
class ArchiveForm:
    """The search form's values as typed (shown back in the form, carried into the export links)."""

    institution: str = ""
    author: str = ""
    since: str = ""
    until: str = ""
    verdict: str = ""
    label: str = ""
    offset: int = 0

    def params(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in FILTERS if getattr(self, k)}


def _day(value: str, what: str, *, end: bool) -> str:
    """A YYYY-MM-DD day as RFC 3339: its start (``since``, inclusive), the next day (``until``, exclusive)."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PageError(400, f"{what} must be a date (YYYY-MM-DD)") from None
    return format_rfc3339(datetime.combine(day + timedelta(days=1) if end else day, time(), UTC))


def _form(request: Request) -> ArchiveForm:
    q = request.query_params
    try:
        offset = max(int(q.get("offset", "0") or 0), 0)
    except ValueError:
        raise PageError(400, "offset must be a number") from None
    values = {k: q.get(k, "").strip()[:200] for k in FILTERS}
    return ArchiveForm(**values, offset=offset)


def _institutions(principal: Principal, form: ArchiveForm) -> frozenset[str]:
    if not form.institution:
        return principal.institutions
    if not principal.can_see(form.institution):
        raise PageError(404, NOT_FOUND)
    return frozenset({form.institution})


def _query(principal: Principal, form: ArchiveForm, limit: int, offset: int) -> Any:
    if form.verdict and form.verdict not in {v.value for v in Verdict}:
        raise PageError(400, "unknown verdict")
    return archive.ArchiveQuery(
        institutions=_institutions(principal, form),
        author_id=form.author,
        since=_day(form.since, "From", end=False),
        until=_day(form.until, "To", end=True),
        verdict=form.verdict,
        label=form.label,
        limit=limit,
        offset=offset,
    )


def _search(c: Console, query: Any) -> list[Any]:
    if not query.institutions:  # never search "every institution" for someone who has none
        return []
    return list(c.audit.search(query))


@router.get("/archive", name="archive")
def archive_page(request: Request) -> Response:
    principal = require_principal(request)
    c = console(request)
    form = _form(request)
    query = _query(principal, form, PAGE_SIZE + 1, form.offset)
    records = _search(c, query)
    context = {
        "form": form,
        "records": records[:PAGE_SIZE],
        "more": len(records) > PAGE_SIZE,
        "page_size": PAGE_SIZE,
        "verdicts": [v.value for v in Verdict],
        "institutions": sorted(principal.institutions),
        "can_export": _may_export(principal, form, query.institutions),
    }
    return render(request, "archive.html", context)


def _may_export(principal: Principal, form: ArchiveForm, institutions: frozenset[str]) -> bool:
    """Admins may export everything of their institutions; others one author's posts (e.g. their own)."""
    return bool(form.author) or principal.admin_of_all(institutions)


@router.get("/archive/export.{fmt}", name="archive_export")
def archive_export(request: Request, fmt: str) -> Response:
    principal = require_principal(request)
    c = console(request)
    if fmt not in ("csv", "jsonl"):
        raise PageError(404, "Exports are .csv or .jsonl.")
    form = _form(request)
    query = _query(principal, form, c.settings.export_limit, 0)
    if not _may_export(principal, form, query.institutions):
        raise PageError(403, "Only an admin exports the whole archive; filter by an author to export theirs.")
    records = _search(c, query)
    stamp = format_rfc3339(c.clock()).replace(":", "").replace("-", "")
    if fmt == "csv":
        body, media = archive.export_csv(records), "text/csv; charset=utf-8"
    else:
        body, media = archive.export_jsonl(records), "application/x-ndjson; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="postguard-archive-{stamp}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)
