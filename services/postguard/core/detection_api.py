"""The unary draft-time check both detection services serve (``Detect`` / ``Classify``)."""

from __future__ import annotations

import grpc

from postguard.core import codec
from postguard.core.metrics import DETECTOR_ERRORS
from postguard.domain.pipeline import BatchStage, run_stage
from postguard.domain.validation import validate_post
from postguard.v1 import detection_pb2, post_pb2


def check_post(
    stage: str, run_batch: BatchStage, request: post_pb2.Post, context: grpc.ServicerContext
) -> detection_pb2.FindingsResponse:
    """Validate the post (INVALID_ARGUMENT with the field on error) and run one stage over it.

    A detector failure aborts with INTERNAL naming the stage and exception type, never the text.
    """
    post = validate_post(codec.post_from_proto(request))
    result = run_stage(stage, run_batch, [post])[0]
    if not result.ok:
        DETECTOR_ERRORS.labels(stage=stage).inc()
        context.abort(grpc.StatusCode.INTERNAL, result.error)
    return detection_pb2.FindingsResponse(findings=[codec.finding_to_proto(f) for f in result.findings])
