"""Every service's own gRPC server: health, reflection and its unary API (Detect, Classify, Decide)."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from postguard.devtools.stack import LocalStack
from postguard.v1 import decision_pb2, detection_pb2, detection_pb2_grpc, finding_pb2
from stack_support import CLEAN_TEXT, IDENTIFIER_TEXT, make_post

pytestmark = pytest.mark.integration

SERVICE_APIS = {
    "ingest": "postguard.v1.Screening",
    "identifier-detection": "postguard.v1.IdentifierDetection",
    "advice-classification": "postguard.v1.AdviceClassification",
    "policy-decision": "postguard.v1.PolicyDecision",
}


@pytest.mark.parametrize("name", sorted(SERVICE_APIS))
def test_health_and_reflection(stack: LocalStack, name: str) -> None:
    with grpc.insecure_channel(stack.grpc_target(name)) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", SERVICE_APIS[name]):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, service
        services = ProtoReflectionDescriptorDatabase(channel).get_services()
        assert SERVICE_APIS[name] in services
        assert "grpc.health.v1.Health" in services


def test_detect_classify_and_decide(stack: LocalStack) -> None:
    post = make_post(IDENTIFIER_TEXT)
    with grpc.insecure_channel(stack.grpc_target("identifier-detection")) as channel:
        found = detection_pb2_grpc.IdentifierDetectionStub(channel).Detect(post, timeout=30)
    spans = {IDENTIFIER_TEXT[f.start : f.end] for f in found.findings if f.category == finding_pb2.IDENTIFIER}
    assert "John Smith" in spans
    with grpc.insecure_channel(stack.grpc_target("advice-classification")) as channel:
        advice = detection_pb2_grpc.AdviceClassificationStub(channel)
        advised = advice.Classify(
            make_post("DM me your symptoms and I'll tell you what to take."), timeout=30
        )
        assert any(f.category == finding_pb2.CONTENT for f in advised.findings)
        assert not advice.Classify(make_post(CLEAN_TEXT), timeout=30).findings
    stage_results = [
        finding_pb2.StageResult(
            post_id=post.post_id, institution_id=post.institution_id, stage=stage, findings=findings, ok=True
        )
        for stage, findings in (("identifier-detection", found.findings), ("advice-classification", []))
    ]
    with grpc.insecure_channel(stack.grpc_target("policy-decision")) as channel:
        decision = detection_pb2_grpc.PolicyDecisionStub(channel).Decide(
            detection_pb2.DecideRequest(post=post, stage_results=stage_results), timeout=30
        )
    assert decision.post_id == post.post_id
    assert decision.verdict in (decision_pb2.BLOCK, decision_pb2.REVIEW)
    assert not decision.incomplete_stages


def test_bad_request_to_a_stage_is_invalid_argument(stack: LocalStack) -> None:
    with (
        grpc.insecure_channel(stack.grpc_target("identifier-detection")) as channel,
        pytest.raises(grpc.RpcError) as info,
    ):
        detection_pb2_grpc.IdentifierDetectionStub(channel).Detect(make_post("  "), timeout=30)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
