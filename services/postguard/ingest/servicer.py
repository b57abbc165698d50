"""The Screening gRPC API (Screen, Submit, GetDecision, StreamDecisions) over Kafka and a DecisionBook.

Every answer belongs to the caller's institution and to the exact content asked about: decisions are
looked up by (institution_id, post_id, text hash), and an ``authorizer`` (``postguard.ingest.auth``)
says which institutions a caller may submit for and read.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import grpc
from kafka.errors import KafkaError

from postguard.core.codec import decision_to_proto, post_from_proto
from postguard.core.metrics import (
    INGEST_IN_FLIGHT,
    INGEST_LIMIT,
    INGEST_SHED,
    POSTS_RECEIVED,
    SCREEN_LATENCY,
)
from postguard.domain.policy import PolicyRegistry, UnknownInstitutionError
from postguard.domain.types import Decision, Post
from postguard.domain.validation import PostValidationError, validate_post
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.publisher import PostPublisher
from postguard.ingest.requests import BadRequest, safe_deserializer
from postguard.v1 import decision_pb2, post_pb2, screening_pb2

log = logging.getLogger(__name__)

SERVICE_NAME = "postguard.v1.Screening"
RETRY_PUSHBACK_KEY = "grpc-retry-pushback-ms"
"""Trailing metadata of a shed request: how long to wait before retrying (gRPC retry pushback, gRFC A6)."""
ALL_INSTITUTIONS = "*"


class Authorizer(Protocol):
    """Says which institutions the caller of an RPC may act for (None: any; auth is off)."""

    def allowed_institutions(self, context: grpc.ServicerContext) -> frozenset[str] | None: ...


def _unrestricted(allowed: frozenset[str] | None) -> bool:
    return allowed is None or ALL_INSTITUTIONS in allowed


class ScreeningServicer:
    """Validates posts, publishes each new post once, and answers from the decisions the book has seen."""

    def __init__(
        self,
        *,
        book: DecisionBook,
        publisher: PostPublisher,
        registry: PolicyRegistry | None,
        screen_timeout: float,
        max_screen_timeout: float,
        submit_timeout: float,
        max_text_chars: int,
        authorizer: Authorizer | None = None,
        retry_after_seconds: float = 1.0,
    ) -> None:
        self.book = book
        self.authorizer = authorizer
        self.retry_after_seconds = retry_after_seconds
        self.publisher = publisher
        self.registry = registry
        self.screen_timeout = screen_timeout
        self.max_screen_timeout = max_screen_timeout
        self.submit_timeout = submit_timeout
        self.max_text_chars = max_text_chars
        self.stopping = threading.Event()

    # --- shared steps ----------------------------------------------------------------------------

    @staticmethod
    def _parsed(request: Any, context: grpc.ServicerContext) -> Any:
        if isinstance(request, BadRequest):
            code = (
                grpc.StatusCode.RESOURCE_EXHAUSTED if request.too_large else grpc.StatusCode.INVALID_ARGUMENT
            )
            context.abort(code, request.error)
        return request

    def _allowed(self, context: grpc.ServicerContext) -> frozenset[str] | None:
        """The institutions the caller may act for (None: any); aborts UNAUTHENTICATED without credentials."""
        if self.authorizer is None:
            return None
        allowed = self.authorizer.allowed_institutions(context)
        return None if _unrestricted(allowed) else allowed

    @staticmethod
    def _require_institution(
        allowed: frozenset[str] | None, institution_id: str, context: grpc.ServicerContext
    ) -> None:
        if allowed is not None and institution_id not in allowed:
            context.abort(
                grpc.StatusCode.PERMISSION_DENIED,
                f"institution_id: this caller may not act for institution {institution_id!r}",
            )

    def _accept(self, msg: post_pb2.Post, context: grpc.ServicerContext) -> Post:
        """A validated post, or abort with INVALID_ARGUMENT / PERMISSION_DENIED / FAILED_PRECONDITION."""
        allowed = self._allowed(context)
        try:
            post = validate_post(post_from_proto(msg), max_text_chars=self.max_text_chars)
        except PostValidationError as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        self._require_institution(allowed, post.institution_id, context)
        if self.registry is not None:
            try:
                self.registry.policy_for(post.institution_id)
            except UnknownInstitutionError:
                context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"institution_id: unknown institution {post.institution_id!r} (no policy covers it)",
                )
        return post

    def _publish_once(self, post: Post, context: grpc.ServicerContext) -> tuple[bool, Decision | None]:
        """Publish ``post`` unless this content is known; returns (duplicate, existing decision).

        The same post_id with other text is a new post (an edited draft): it is screened afresh and
        can never be answered with the decision made for the earlier text. Beyond the in-flight limit
        the post is refused with RESOURCE_EXHAUSTED and retry pushback, before anything is stored.
        """
        identity = (post.institution_id, post.post_id, post.text_sha256)
        claim = self.book.claim(*identity)
        INGEST_IN_FLIGHT.set(self.book.in_flight)
        INGEST_LIMIT.set(self.book.limit)
        if claim.shed:
            INGEST_SHED.inc()
            pushback_ms = int(self.retry_after_seconds * 1000)
            context.set_trailing_metadata(((RETRY_PUSHBACK_KEY, str(pushback_ms)),))
            context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"ingest is at capacity ({self.book.in_flight} posts being screened); post "
                f"{post.post_id!r} was not accepted, retry in {pushback_ms} ms",
            )
        if not claim.new:
            return True, claim.decision
        try:
            self.publisher.publish(post, timeout=self.submit_timeout)
        except KafkaError as exc:
            self.book.release(*identity)
            log.error("publish failed", extra={"post_id": post.post_id, "error_type": type(exc).__name__})
            context.abort(
                grpc.StatusCode.UNAVAILABLE,
                f"post {post.post_id!r} could not be stored for screening ({type(exc).__name__}); retry",
            )
        POSTS_RECEIVED.labels(service="ingest").inc()
        return False, None

    def _wait_budget(self, requested: float, context: grpc.ServicerContext) -> float:
        budget = requested if requested > 0 else self.screen_timeout
        budget = min(budget, self.max_screen_timeout)
        remaining = context.time_remaining()
        if remaining is not None:
            # Answer before the client's own deadline so it gets our message, not a bare DEADLINE_EXCEEDED.
            budget = min(budget, max(remaining - 0.05, 0.0))
        return budget

    # --- RPCs ------------------------------------------------------------------------------------

    def Screen(self, request: Any, context: grpc.ServicerContext) -> decision_pb2.Decision:  # noqa: N802
        """Publish the post (once per post_id) and wait for its decision."""
        started = time.monotonic()
        req: screening_pb2.ScreenRequest = self._parsed(request, context)
        if not req.HasField("post"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "post: is required")
        if req.timeout_seconds < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "timeout_seconds: must not be negative")
        post = self._accept(req.post, context)
        budget = self._wait_budget(req.timeout_seconds, context)
        _duplicate, existing = self._publish_once(post, context)
        remaining = max(budget - (time.monotonic() - started), 0.0)
        decision = existing or self.book.wait(post.institution_id, post.post_id, post.text_sha256, remaining)
        if decision is None:
            context.abort(
                grpc.StatusCode.DEADLINE_EXCEEDED,
                f"no decision for post {post.post_id!r} within {budget:.1f}s; it is stored and will be "
                "decided — fetch it with GetDecision",
            )
        SCREEN_LATENCY.observe(time.monotonic() - started)
        return decision_to_proto(decision)

    def Submit(self, request: Any, context: grpc.ServicerContext) -> screening_pb2.SubmitResponse:  # noqa: N802
        """Return once the post is durably in Kafka (acks=all); ``duplicate`` when its id was known."""
        post = self._accept(self._parsed(request, context), context)
        duplicate, _ = self._publish_once(post, context)
        return screening_pb2.SubmitResponse(post_id=post.post_id, duplicate=duplicate)

    def GetDecision(self, request: Any, context: grpc.ServicerContext) -> decision_pb2.Decision:  # noqa: N802
        """The newest decision version for a post of the caller's institutions, NOT_FOUND while there is none.

        ``institution_id`` may be left out when the post_id is known for only one institution the caller
        may read; ``text_sha256`` narrows the answer to the decision made for exactly that content.
        """
        req: screening_pb2.GetDecisionRequest = self._parsed(request, context)
        allowed = self._allowed(context)
        if not req.post_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "post_id: is required")
        institution = req.institution_id or self._only_institution(req.post_id, allowed, context)
        self._require_institution(allowed, institution, context)
        decision = self.book.get(institution, req.post_id, req.text_sha256)
        if decision is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no decision for post {req.post_id!r} (yet)")
        return decision_to_proto(decision)

    def _only_institution(
        self, post_id: str, allowed: frozenset[str] | None, context: grpc.ServicerContext
    ) -> str:
        if allowed is not None and len(allowed) == 1:
            return next(iter(allowed))
        found = self.book.institutions_of(post_id, allowed)
        if len(found) > 1:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"institution_id: is required, post {post_id!r} exists for {len(found)} institutions",
            )
        if not found:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no decision for post {post_id!r} (yet)")
        return found[0]

    def StreamDecisions(self, request: Any, context: grpc.ServicerContext) -> Iterator[decision_pb2.Decision]:  # noqa: N802
        """Every decision version made from now on, of the caller's institutions (or the one asked for)."""
        req: screening_pb2.StreamDecisionsRequest = self._parsed(request, context)
        allowed = self._allowed(context)
        if req.institution_id:
            self._require_institution(allowed, req.institution_id, context)
            allowed = frozenset({req.institution_id})
        token, q = self.book.subscribe(allowed)
        try:
            while context.is_active() and not self.stopping.is_set():
                try:
                    decision = q.get(timeout=0.25)
                except queue.Empty:
                    continue
                yield decision_to_proto(decision)
        finally:
            self.book.unsubscribe(token)


def add_screening_servicer(
    servicer: ScreeningServicer, max_request_bytes: int, max_message_bytes: int | None = None
) -> Callable[[grpc.Server], None]:
    """Registers ``servicer`` with deserializers that turn bad bytes into INVALID_ARGUMENT, not INTERNAL.

    ``max_request_bytes`` bounds a request apart from its attachments' image bytes; ``max_message_bytes``
    (``POSTGUARD_MAX_MESSAGE_BYTES``) bounds the whole request (None: ``max_request_bytes`` bounds it all).
    """

    def unary(behavior: Callable[..., Any], request_class: Any, response_class: Any) -> grpc.RpcMethodHandler:
        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=safe_deserializer(request_class, max_request_bytes, max_message_bytes),
            response_serializer=response_class.SerializeToString,
        )

    handlers = {
        "Screen": unary(servicer.Screen, screening_pb2.ScreenRequest, decision_pb2.Decision),
        "Submit": unary(servicer.Submit, post_pb2.Post, screening_pb2.SubmitResponse),
        "GetDecision": unary(servicer.GetDecision, screening_pb2.GetDecisionRequest, decision_pb2.Decision),
        "StreamDecisions": grpc.unary_stream_rpc_method_handler(
            servicer.StreamDecisions,
            request_deserializer=safe_deserializer(screening_pb2.StreamDecisionsRequest, max_request_bytes),
            response_serializer=decision_pb2.Decision.SerializeToString,
        ),
    }

    def add(server: grpc.Server) -> None:
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))

    return add
