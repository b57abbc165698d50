"""The Screening gRPC API (Screen, Submit, GetDecision, StreamDecisions) over Kafka and a DecisionBook."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from kafka.errors import KafkaError

from postguard.core.codec import decision_to_proto, post_from_proto
from postguard.core.metrics import POSTS_RECEIVED, SCREEN_LATENCY
from postguard.domain.policy import PolicyRegistry, UnknownInstitutionError
from postguard.domain.types import Decision, Post
from postguard.domain.validation import PostValidationError, validate_post
from postguard.ingest.decision_book import DecisionBook
from postguard.ingest.publisher import PostPublisher
from postguard.ingest.requests import BadRequest, safe_deserializer
from postguard.v1 import decision_pb2, post_pb2, screening_pb2

log = logging.getLogger(__name__)

SERVICE_NAME = "postguard.v1.Screening"


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
    ) -> None:
        self.book = book
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

    def _accept(self, msg: post_pb2.Post, context: grpc.ServicerContext) -> Post:
        """A validated domain post, or abort with INVALID_ARGUMENT / FAILED_PRECONDITION."""
        try:
            post = validate_post(post_from_proto(msg), max_text_chars=self.max_text_chars)
        except PostValidationError as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
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
        """Publish ``post`` unless its id is known; returns (duplicate, existing decision)."""
        claim = self.book.claim(post.post_id, post.text_sha256)
        if not claim.new:
            if claim.text_sha256 and claim.text_sha256 != post.text_sha256:
                context.abort(
                    grpc.StatusCode.ALREADY_EXISTS,
                    f"post_id {post.post_id!r} was already submitted with a different text",
                )
            return True, claim.decision
        try:
            self.publisher.publish(post, timeout=self.submit_timeout)
        except KafkaError as exc:
            self.book.release(post.post_id)
            log.error("publish failed", extra={"post_id": post.post_id, "error_type": type(exc).__name__})
            context.abort(
                grpc.StatusCode.UNAVAILABLE,
                f"post {post.post_id!r} could not be stored in Kafka ({type(exc).__name__}); retry",
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
        decision = existing or self.book.wait(post.post_id, max(budget - (time.monotonic() - started), 0.0))
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
        """The decision for a post, NOT_FOUND while there is none."""
        req: screening_pb2.GetDecisionRequest = self._parsed(request, context)
        if not req.post_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "post_id: is required")
        decision = self.book.get(req.post_id)
        if decision is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no decision for post {req.post_id!r} (yet)")
        return decision_to_proto(decision)

    def StreamDecisions(self, request: Any, context: grpc.ServicerContext) -> Iterator[decision_pb2.Decision]:  # noqa: N802
        """Every decision made from now on (of one institution, or all when none is given)."""
        req: screening_pb2.StreamDecisionsRequest = self._parsed(request, context)
        token, q = self.book.subscribe(req.institution_id)
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
    servicer: ScreeningServicer, max_request_bytes: int
) -> Callable[[grpc.Server], None]:
    """Registers ``servicer`` with deserializers that turn bad bytes into INVALID_ARGUMENT, not INTERNAL."""

    def unary(behavior: Callable[..., Any], request_class: Any, response_class: Any) -> grpc.RpcMethodHandler:
        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=safe_deserializer(request_class, max_request_bytes),
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
