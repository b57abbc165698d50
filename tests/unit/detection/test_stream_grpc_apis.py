"""The unary gRPC APIs of the three stream services, served for real on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import grpc
import pytest
from postguard.advice_classification.grpc_api import SERVICE_NAMES as ADVICE_NAMES
from postguard.advice_classification.grpc_api import AdviceClassificationServicer
from postguard.advice_classification.grpc_api import add_servicers as add_advice
from postguard.core import codec
from postguard.core.grpc_server import build_grpc_server
from postguard.domain.advice import AdviceClassifier
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.policy import PolicyRegistry
from postguard.domain.types import StageName, StageResult
from postguard.identifier_detection.grpc_api import SERVICE_NAMES as ID_NAMES
from postguard.identifier_detection.grpc_api import IdentifierDetectionServicer
from postguard.identifier_detection.grpc_api import add_servicers as add_identifier
from postguard.policy_decision.grpc_api import SERVICE_NAMES as PD_NAMES
from postguard.policy_decision.grpc_api import PolicyDecisionServicer
from postguard.policy_decision.grpc_api import add_servicers as add_policy
from postguard.v1 import decision_pb2, detection_pb2, detection_pb2_grpc, post_pb2
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

ID = StageName.IDENTIFIER_DETECTION.value
AD = StageName.ADVICE_CLASSIFICATION.value
PHI = "My patient John Smith, 92, from Springfield was admitted 3/4. Call me at (617) 555-0142."
INSTITUTION = PolicyRegistry.load(None).institutions[0]


def _serve(
    add: Callable[[grpc.Server], None], names: tuple[str, ...], service: str
) -> Iterator[grpc.Channel]:
    server = build_grpc_server(0, add, names, 2, metrics_service=service, bind_address="127.0.0.1").start()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield channel
    server.stop(0.5)


@pytest.fixture
def identifier_channel() -> Iterator[grpc.Channel]:
    yield from _serve(add_identifier(IdentifierDetectionServicer(IdentifierDetector())), ID_NAMES, ID)


@pytest.fixture
def advice_channel() -> Iterator[grpc.Channel]:
    yield from _serve(add_advice(AdviceClassificationServicer(AdviceClassifier())), ADVICE_NAMES, AD)


@pytest.fixture
def policy_channel() -> Iterator[grpc.Channel]:
    servicer = PolicyDecisionServicer(PolicyRegistry.load(None))
    yield from _serve(add_policy(servicer), PD_NAMES, "policy-decision")


def _post(text: str = PHI, **fields: str) -> post_pb2.Post:
    values = {"post_id": "g-1", "institution_id": INSTITUTION, "platform": "x", "text": text, **fields}
    return post_pb2.Post(**values)


def test_detect_returns_identifier_spans(identifier_channel: grpc.Channel) -> None:
    reply = detection_pb2_grpc.IdentifierDetectionStub(identifier_channel).Detect(_post(), timeout=10)
    spans = {(f.label, PHI[f.start : f.end]) for f in reply.findings}
    assert ("PHONE", "(617) 555-0142") in spans
    assert ("PERSON", "John Smith") in spans


def test_classify_returns_content_findings(advice_channel: grpc.Channel) -> None:
    text = "You should take 40 mg of prednisone twice a day, DM me your symptoms."
    reply = detection_pb2_grpc.AdviceClassificationStub(advice_channel).Classify(_post(text), timeout=10)
    assert "PERSONAL_ADVICE" in {f.label for f in reply.findings}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "text: is empty"),
        ({"platform": "myspace"}, "platform: unknown platform"),
        ({"post_id": ""}, "post_id: is required"),
        ({"text": "Jane Example " + "x" * 10_001}, "text: is 10014 characters long"),
    ],
)
def test_bad_posts_are_invalid_argument_with_the_field(
    identifier_channel: grpc.Channel, fields: dict[str, str], message: str
) -> None:
    before = (
        REGISTRY.get_sample_value(
            "postguard_grpc_requests_total", {"service": ID, "method": "Detect", "code": "INVALID_ARGUMENT"}
        )
        or 0.0
    )
    with pytest.raises(grpc.RpcError) as info:
        detection_pb2_grpc.IdentifierDetectionStub(identifier_channel).Detect(_post(**fields), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in info.value.details()
    assert "Jane" not in info.value.details()
    after = REGISTRY.get_sample_value(
        "postguard_grpc_requests_total", {"service": ID, "method": "Detect", "code": "INVALID_ARGUMENT"}
    )
    assert after == before + 1


def _results(*stages: str) -> list:
    ids = StageResult("g-1", ID, tuple(IdentifierDetector().detect(codec.post_from_proto(_post()))))
    clean = {ID: ids, AD: StageResult("g-1", AD, ())}
    return [codec.stage_result_to_proto(clean[s]) for s in stages]


def test_decide_with_both_stages_blocks_or_reviews_identifiers(policy_channel: grpc.Channel) -> None:
    stub = detection_pb2_grpc.PolicyDecisionStub(policy_channel)
    reply = stub.Decide(detection_pb2.DecideRequest(post=_post(), stage_results=_results(ID, AD)), timeout=10)
    assert reply.verdict in (decision_pb2.BLOCK, decision_pb2.REVIEW, decision_pb2.ALLOW_WITH_CHANGES)
    assert reply.findings and not reply.incomplete_stages
    assert "John Smith" not in reply.redacted_text or reply.verdict != decision_pb2.ALLOW_WITH_CHANGES
    assert reply.policy_id and reply.decided_at


def test_decide_with_a_missing_stage_fails_closed(policy_channel: grpc.Channel) -> None:
    stub = detection_pb2_grpc.PolicyDecisionStub(policy_channel)
    clean = _post("Flu clinic opens Monday at nine.")
    reply = stub.Decide(detection_pb2.DecideRequest(post=clean, stage_results=_results(AD)), timeout=10)
    assert reply.verdict == decision_pb2.REVIEW
    assert "screening incomplete" in reply.reasons
    assert list(reply.incomplete_stages) == [ID]


def test_decide_refuses_foreign_results_and_unknown_institutions(policy_channel: grpc.Channel) -> None:
    stub = detection_pb2_grpc.PolicyDecisionStub(policy_channel)
    foreign = codec.stage_result_to_proto(StageResult("other-post", AD, ()))
    with pytest.raises(grpc.RpcError) as info:
        stub.Decide(detection_pb2.DecideRequest(post=_post(), stage_results=[foreign]), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as info:
        stub.Decide(detection_pb2.DecideRequest(post=_post(institution_id="nowhere")), timeout=10)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "nowhere" in info.value.details()
    with pytest.raises(grpc.RpcError) as info:
        stub.Decide(detection_pb2.DecideRequest(), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
