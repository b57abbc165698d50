"""identifier-detection's unary gRPC API: ``Detect`` for draft-time checks."""

from __future__ import annotations

from collections.abc import Callable

import grpc

from postguard.core.detection_api import check_post
from postguard.core.grpc_errors import unary_errors
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import StageName
from postguard.v1 import detection_pb2, detection_pb2_grpc, post_pb2

SERVICE_NAMES = (detection_pb2.DESCRIPTOR.services_by_name["IdentifierDetection"].full_name,)


class IdentifierDetectionServicer(detection_pb2_grpc.IdentifierDetectionServicer):
    """Runs the identifier detector on one post."""

    def __init__(self, detector: IdentifierDetector) -> None:
        self.detector = detector

    @unary_errors
    def Detect(  # noqa: N802 - gRPC method name
        self, request: post_pb2.Post, context: grpc.ServicerContext
    ) -> detection_pb2.FindingsResponse:
        return check_post(StageName.IDENTIFIER_DETECTION.value, self.detector.detect_batch, request, context)


def add_servicers(servicer: IdentifierDetectionServicer) -> Callable[[grpc.Server], None]:
    """The ``add_servicers`` callback for ``build_grpc_server``."""

    def add(server: grpc.Server) -> None:
        detection_pb2_grpc.add_IdentifierDetectionServicer_to_server(servicer, server)

    return add
