"""The HTTP/JSON Screening API for platforms that integrate over HTTP (mounted by the all-in-one server).

``POST /api/v1/screen`` (wait for the decision), ``POST /api/v1/posts`` (submit, 202),
``GET /api/v1/decisions/{institution_id}/{post_id}`` and, when the server keeps redacted image copies,
``GET /api/v1/redacted/{reference}`` (the bytes of a copy a decision of the caller's institution names).
Each request is served by the same ``ScreeningServicer`` as the gRPC API (validation, per-institution
authorization, one screening per content, backpressure), called with an :class:`HttpCallContext`;
callers send ``Authorization: Bearer <token>`` with the tokens of the ingest credentials file.

Errors are JSON ``{"error": <kind>, "message": <text>, "field": <field, for invalid posts>}``: 400 invalid
JSON or post (naming the field), 401 missing/unknown token, 403 another institution, 404 no decision,
413 body over the limit, 422 institution no policy covers, 429 at capacity (``Retry-After``), 503 the
server is stopping. A redacted copy that is unknown, malformed, missing or another institution's is
the same 404. Messages name fields, ids and sizes, never post text.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from postguard.core.codec import decision_from_proto, post_to_proto
from postguard.domain.serialization import decision_to_dict
from postguard.domain.types import Decision, Post
from postguard.domain.validation import PostValidationError, post_from_mapping
from postguard.http_api.context import CallAborted, HttpCallContext
from postguard.ingest.servicer import ALL_INSTITUTIONS, RETRY_PUSHBACK_KEY, ScreeningServicer
from postguard.v1 import screening_pb2

DEFAULT_MAX_BODY_BYTES = 16 << 20
"""A post with a few images, base64-encoded (4/3 of the bytes), fits."""

_HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: (400, "invalid_argument"),
    grpc.StatusCode.UNAUTHENTICATED: (401, "unauthenticated"),
    grpc.StatusCode.PERMISSION_DENIED: (403, "forbidden"),
    grpc.StatusCode.NOT_FOUND: (404, "not_found"),
    grpc.StatusCode.FAILED_PRECONDITION: (422, "failed_precondition"),
    grpc.StatusCode.RESOURCE_EXHAUSTED: (429, "at_capacity"),
    grpc.StatusCode.UNAVAILABLE: (503, "unavailable"),
}


REFERENCE = re.compile(r"sha256:[0-9a-f]{64}\.(png|jpg)")
"""A redacted-copy reference as the image stage makes them (``domain/images/store.py``), nothing else."""
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg"}
DEFAULT_INDEX_SIZE = 100_000
NOT_FOUND_MESSAGE = "no such redacted copy"


def reference_type(reference: str) -> str | None:
    """The content type of a well-formed reference (``sha256:<64 lower hex>.png|jpg``), else None."""
    match = REFERENCE.fullmatch(reference)
    return CONTENT_TYPES[match.group(1)] if match else None


class CopyReader(Protocol):
    """Where the bytes of redacted copies are read (``DirectoryStore``)."""

    def get(self, reference: str) -> bytes: ...


class RedactedIndex:
    """Which institutions' decisions name each redacted copy: reference -> institution ids, in memory.

    Filled as decisions go out (:meth:`note`); bounded to ``max_entries`` references, the least recently
    noted forgotten first. Thread-safe.
    """

    def __init__(self, max_entries: int = DEFAULT_INDEX_SIZE) -> None:
        self._max = max_entries
        self._owners: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, decision: Decision) -> None:
        """Remember that ``decision``'s institution may fetch each copy it names."""
        for _, reference in decision.redacted_attachments:
            with self._lock:
                owners = self._owners.pop(reference, frozenset())
                self._owners[reference] = owners | {decision.institution_id}
                while len(self._owners) > self._max:
                    self._owners.popitem(last=False)

    def note_all(self, decisions: Iterable[Decision]) -> None:
        """:meth:`note` each of ``decisions`` (the open review items at start)."""
        for decision in decisions:
            self.note(decision)

    def owners(self, reference: str) -> frozenset[str]:
        """The institutions whose decisions named ``reference`` (empty when none is known)."""
        with self._lock:
            return self._owners.get(reference, frozenset())

    def __len__(self) -> int:
        with self._lock:
            return len(self._owners)


def redacted_response(data: bytes, content_type: str) -> Response:
    """A redacted copy's bytes: never cached by browsers or proxies, never sniffed as another type."""
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)


def read_copy(reader: CopyReader | None, reference: str) -> Response | None:
    """The response with the copy's bytes, or None when the reference is malformed or the copy is absent."""
    content_type = reference_type(reference)
    if reader is None or content_type is None:
        return None
    try:
        return redacted_response(reader.get(reference), content_type)
    except (OSError, ValueError):
        return None


class _BodyError(Exception):
    def __init__(self, status: int, kind: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.field = status, kind, message, field


def error_response(status: int, kind: str, message: str, field: str = "", **headers: str) -> JSONResponse:
    """The JSON error body every route answers with."""
    body: dict[str, Any] = {"error": kind, "message": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status, headers=headers or None)


def _aborted(exc: CallAborted, context: HttpCallContext) -> JSONResponse:
    status, kind = _HTTP_STATUS.get(exc.code, (500, "internal"))
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="postguard"'
    if status == 429:
        pushback = context.trailing(RETRY_PUSHBACK_KEY)
        headers["Retry-After"] = str(max(1, math.ceil(int(pushback or "1000") / 1000)))
    field = exc.details.split(":", 1)[0] if status == 400 and ":" in exc.details else ""
    return error_response(status, kind, exc.details, field, **headers)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _BodyError(413, "too_large", f"the body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyError(413, "too_large", f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _post_of(request: Request, limit: int, max_text_chars: int) -> Post:
    body = await _read_body(request, limit)
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise _BodyError(400, "invalid_json", f"the body is not valid JSON{where}") from None
    except RecursionError:
        raise _BodyError(400, "invalid_json", "the body is nested too deeply") from None
    try:
        return post_from_mapping(raw, max_text_chars=max_text_chars)
    except PostValidationError as exc:
        raise _BodyError(400, "invalid_post", str(exc), exc.field) from None


def _authenticate(servicer: ScreeningServicer, context: HttpCallContext) -> frozenset[str] | None:
    """The caller's institutions (None: any); raises ``CallAborted`` (401) without valid credentials."""
    if servicer.authorizer is None:
        return None
    allowed = servicer.authorizer.allowed_institutions(context)
    return None if allowed is None or ALL_INSTITUTIONS in allowed else allowed


def create_router(
    servicer: ScreeningServicer,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    prefix: str = "/api/v1",
    redacted: CopyReader | None = None,
    redacted_index: RedactedIndex | None = None,
) -> APIRouter:
    """The API routes, served by ``servicer`` (the same instance the gRPC server uses).

    ``redacted`` and ``redacted_index`` (both, or the route answers 404 to everything) serve the redacted
    copies: a caller gets a copy only when a decision of one of its institutions named it.
    """
    router = APIRouter(prefix=prefix, tags=["screening"])
    max_chars = servicer.max_text_chars

    async def call(request: Request, work: Any) -> Response:
        context = HttpCallContext(request.headers.get("authorization"))
        try:
            _authenticate(servicer, context)  # credentials first: nothing is parsed for a stranger
            return await work(context)
        except _BodyError as exc:
            return error_response(exc.status, exc.kind, exc.message, exc.field)
        except CallAborted as exc:
            return _aborted(exc, context)

    @router.post("/screen", summary="Screen a post and wait for its decision")
    async def screen(request: Request, timeout_seconds: float = 0.0) -> JSONResponse:
        async def work(context: HttpCallContext) -> JSONResponse:
            if not 0 <= timeout_seconds <= servicer.max_screen_timeout:
                raise _BodyError(
                    400,
                    "invalid_argument",
                    f"timeout_seconds: must be between 0 and {servicer.max_screen_timeout:g}",
                    "timeout_seconds",
                )
            post = await _post_of(request, max_body_bytes, max_chars)
            req = screening_pb2.ScreenRequest(post=post_to_proto(post), timeout_seconds=timeout_seconds)
            try:
                msg = await run_in_threadpool(servicer.Screen, req, context)
            except CallAborted as exc:
                if exc.code is not grpc.StatusCode.DEADLINE_EXCEEDED:
                    raise
                return _pending(post, exc.details, prefix)
            return JSONResponse(decision_to_dict(decision_from_proto(msg)))

        return await call(request, work)

    @router.post("/posts", status_code=202, summary="Submit a post; fetch or receive its decision later")
    async def submit(request: Request) -> JSONResponse:
        async def work(context: HttpCallContext) -> JSONResponse:
            post = await _post_of(request, max_body_bytes, max_chars)
            reply = await run_in_threadpool(servicer.Submit, post_to_proto(post), context)
            body = {
                "post_id": reply.post_id,
                "institution_id": post.institution_id,
                "duplicate": reply.duplicate,
            }
            return JSONResponse(body, status_code=202, headers={"Location": _location(post, prefix)})

        return await call(request, work)

    @router.get("/decisions/{institution_id}/{post_id}", summary="The newest decision version of a post")
    async def get_decision(
        request: Request, institution_id: str, post_id: str, text_sha256: str = ""
    ) -> JSONResponse:
        async def work(context: HttpCallContext) -> JSONResponse:
            req = screening_pb2.GetDecisionRequest(
                institution_id=institution_id, post_id=post_id, text_sha256=text_sha256
            )
            msg = await run_in_threadpool(servicer.GetDecision, req, context)
            return JSONResponse(decision_to_dict(decision_from_proto(msg)))

        return await call(request, work)

    @router.get("/redacted/{reference}", summary="The bytes of a redacted image copy a decision names")
    async def get_redacted(request: Request, reference: str) -> Response:
        async def work(context: HttpCallContext) -> Response:
            allowed = _authenticate(servicer, context)
            owners = redacted_index.owners(reference) if redacted_index is not None else frozenset()
            found = None
            if owners and (allowed is None or owners & allowed):
                found = await run_in_threadpool(read_copy, redacted, reference)
            return found or error_response(404, "not_found", NOT_FOUND_MESSAGE)

        return await call(request, work)

    return router


def _location(post: Post, prefix: str) -> str:
    return f"{prefix}/decisions/{post.institution_id}/{post.post_id}?text_sha256={post.text_sha256}"


def _pending(post: Post, details: str, prefix: str) -> JSONResponse:
    body = {
        "post_id": post.post_id,
        "institution_id": post.institution_id,
        "status": "pending",
        "message": details,
    }
    return JSONResponse(body, status_code=202, headers={"Location": _location(post, prefix)})
