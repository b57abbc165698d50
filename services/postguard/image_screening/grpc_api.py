"""image-screening's unary gRPC API: ``postguard.v1.ImageScreening/Screen`` (Post -> StageResult) for
draft-time checks of a post's images.

The service is registered with a generic handler over the existing ``Post`` and ``StageResult``
messages (no service of its own in detection.proto yet): call it as ``channel.unary_unary(
"/postguard.v1.ImageScreening/Screen", ...)``. A post without image bytes gets an empty ok result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from postguard.core import codec
from postguard.core.grpc_errors import unary_errors
from postguard.domain.types import StageResult
from postguard.domain.validation import validate_post
from postguard.image_screening.agents import STAGE, ImageScreeningStage
from postguard.ingest.requests import BadRequest, safe_deserializer
from postguard.v1 import finding_pb2, post_pb2

SERVICE_NAME = "postguard.v1.ImageScreening"
SERVICE_NAMES = (SERVICE_NAME,)


class ImageScreeningServicer:
    """Runs the image-screening stage on one post (its redacted copies are stored like the stream's)."""

    def __init__(self, stage: ImageScreeningStage) -> None:
        self.stage = stage

    @unary_errors
    def Screen(self, request: Any, context: grpc.ServicerContext) -> finding_pb2.StageResult:  # noqa: N802
        if isinstance(request, BadRequest):
            code = (
                grpc.StatusCode.RESOURCE_EXHAUSTED if request.too_large else grpc.StatusCode.INVALID_ARGUMENT
            )
            context.abort(code, request.error)
        post = validate_post(codec.post_from_proto(request))
        if not any(a.has_content for a in post.attachments):
            result = StageResult(post.post_id, STAGE, institution_id=post.institution_id)
        else:
            result = self.stage.detect([post])[0]
        return codec.stage_result_to_proto(result)


def add_servicers(servicer: ImageScreeningServicer, max_message_bytes: int) -> Callable[[grpc.Server], None]:
    """The ``add_servicers`` callback for ``build_grpc_server``."""
    handler = grpc.unary_unary_rpc_method_handler(
        servicer.Screen,
        request_deserializer=safe_deserializer(post_pb2.Post, max_message_bytes),
        response_serializer=finding_pb2.StageResult.SerializeToString,
    )

    def add(server: grpc.Server) -> None:
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(SERVICE_NAME, {"Screen": handler}),)
        )

    return add
