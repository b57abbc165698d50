"""policy-decision's unary gRPC API: ``Decide`` applies the institution's policy to a post and results."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import grpc

from postguard.core import codec
from postguard.core.grpc_errors import unary_errors
from postguard.domain import join
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.validation import validate_post
from postguard.policy_decision.joiner import rfc3339
from postguard.v1 import decision_pb2, detection_pb2, detection_pb2_grpc

SERVICE_NAMES = (detection_pb2.DESCRIPTOR.services_by_name["PolicyDecision"].full_name,)


class PolicyDecisionServicer(detection_pb2_grpc.PolicyDecisionServicer):
    """Decide: the same join rules as the stream (missing or failed stages fail closed to REVIEW)."""

    def __init__(self, policies: PolicyRegistry, engine: PolicyEngine | None = None) -> None:
        self.policies = policies
        self.engine = engine or PolicyEngine()

    @unary_errors
    def Decide(  # noqa: N802 - gRPC method name
        self, request: detection_pb2.DecideRequest, context: grpc.ServicerContext
    ) -> decision_pb2.Decision:
        if not request.HasField("post"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "post: is required")
        post = validate_post(codec.post_from_proto(request.post))
        state, _ = join.add_post(None, post, time.time())
        for msg in request.stage_results:
            result = codec.stage_result_from_proto(msg)
            if result.post_id != post.post_id:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"stage_results: result for post {result.post_id[:128]!r} does not match post_id",
                )
            if result.text_sha256 not in ("", post.text_sha256) or result.institution_id not in (
                "",
                post.institution_id,
            ):
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    "stage_results: a result was computed for other content or another institution",
                )
            # Results given with the post are for this post: tie them to its content.
            result = dataclasses.replace(
                result, institution_id=post.institution_id, text_sha256=post.text_sha256
            )
            if result.stage not in join.KNOWN_STAGES:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"stage_results: unknown stage {result.stage[:64]!r}; "
                    f"expected one of {list(join.KNOWN_STAGES)}",
                )
            state, _ = join.add_result(state, result, state.first_seen)
        decision = join.decide(state, self.policies, self.engine, rfc3339(time.time()))
        return codec.decision_to_proto(decision)


def add_servicers(servicer: PolicyDecisionServicer) -> Callable[[grpc.Server], None]:
    """The ``add_servicers`` callback for ``build_grpc_server``."""

    def add(server: grpc.Server) -> None:
        detection_pb2_grpc.add_PolicyDecisionServicer_to_server(servicer, server)

    return add
