"""advice-classification's unary gRPC API: ``Classify`` for draft-time checks."""

from __future__ import annotations

from collections.abc import Callable

import grpc

from postguard.core.detection_api import check_post
from postguard.core.grpc_errors import unary_errors
from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import StageName
from postguard.v1 import detection_pb2, detection_pb2_grpc, post_pb2

SERVICE_NAMES = (detection_pb2.DESCRIPTOR.services_by_name["AdviceClassification"].full_name,)


class AdviceClassificationServicer(detection_pb2_grpc.AdviceClassificationServicer):
    """Runs the advice classifier on one post."""

    def __init__(self, classifier: AdviceClassifier) -> None:
        self.classifier = classifier

    @unary_errors
    def Classify(  # noqa: N802 - gRPC method name
        self, request: post_pb2.Post, context: grpc.ServicerContext
    ) -> detection_pb2.FindingsResponse:
        return check_post(
            StageName.ADVICE_CLASSIFICATION.value, self.classifier.classify_batch, request, context
        )


def add_servicers(servicer: AdviceClassificationServicer) -> Callable[[grpc.Server], None]:
    """The ``add_servicers`` callback for ``build_grpc_server``."""

    def add(server: grpc.Server) -> None:
        detection_pb2_grpc.add_AdviceClassificationServicer_to_server(servicer, server)

    return add
