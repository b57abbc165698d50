"""values.schema.json: helm refuses bad values before rendering anything, and names the bad value."""

from __future__ import annotations

import json

import pytest
import yaml
from chart_support import CHART, KUBE_VERSION, run_helm

pytestmark = pytest.mark.chart

INVALID = [
    ("services.ingest.replicas=-1", "/services/ingest/replicas"),
    ("services.policy-decision.grpcPort=70000", "/services/policy-decision/grpcPort"),
    ("services.ingest.metricsPort=zero", "/services/ingest/metricsPort"),
    ("services.billing.enabled=true", "/services"),
    ("services.ingest.autoscaling.targetCPUUtilizationPercentage=150", "targetCPUUtilizationPercentage"),
    ("services.ingest.service.type=ExternalName", "/services/ingest/service/type"),
    ("services.ingest.resources.requests.memory=lots", "/services/ingest/resources/requests/memory"),
    ("services.ingest.pdb.minAvailable=half", "/services/ingest/pdb/minAvailable"),
    ("kafka.bootstrapServers=", "/kafka/bootstrapServers"),
    ("kafka.bootstrapServers=kafka-without-port", "/kafka/bootstrapServers"),
    ("kafka.securityProtocol=SASL_TLS", "/kafka/securityProtocol"),
    ("kafka.securityProtocol=SASL_PLAINTEXT", "/kafka/sasl/existingSecret"),
    ("kafka.securityProtocol=SSL", "/kafka/tls/existingSecret"),
    ("kafka.sasl.mechanism=GSSAPI", "/kafka/sasl/mechanism"),
    ("kafka.topicPartitions=0", "/kafka/topicPartitions"),
    ("logLevel=TRACE", "/logLevel"),
    ("image.pullPolicy=Sometimes", "/image/pullPolicy"),
    ("image.tag=not a tag", "/image/tag"),
    ("policies.files.policy\\.txt=hello", "'policy.txt' does not match pattern"),
    ("policies.watch.enabled=maybe", "/policies/watch/enabled"),
    ("podSecurityContext.runAsNonRoot=false", "/podSecurityContext/runAsNonRoot"),
    ("securityContext.privileged=true", "/securityContext/privileged"),
    ("metrics.serviceMonitor.interval=often", "/metrics/serviceMonitor/interval"),
    ("audit.url=mysql://db/audit", "/audit/url"),
    ("replicaCount=3", "replicaCount"),
    ("grpc.tls.enabled=true", "/grpc/tls/secretName"),
    ("grpc.tls.clientCASecret=client-ca", "/grpc/tls/enabled"),
    ("grpc.tls.healthPort=0", "/grpc/tls/healthPort"),
    ("grpc.tls.enabled=yes", "/grpc/tls/enabled"),
    ("grpc.insecure=true", "insecure"),
    ("maxMessageBytes=1048576", "/maxMessageBytes"),
    ("maxMessageBytes=536870912", "/maxMessageBytes"),
    ("maxMessageBytes=16MiB", "/maxMessageBytes"),
    ("services.image-screening.redacted.volume=nfs", "/services/image-screening/redacted/volume"),
    ("services.image-screening.redacted.dir=redacted", "/services/image-screening/redacted/dir"),
    (
        "services.image-screening.redacted.dir=/var/lib/postguard/redacted/",
        "/services/image-screening/redacted/dir",
    ),
    ("services.image-screening.redacted.sizeLimit=big", "/services/image-screening/redacted/sizeLimit"),
    (
        "services.image-screening.redacted.pvc.accessModes[0]=ReadWriteSometimes",
        "/redacted/pvc/accessModes/0",
    ),
    ("services.image-screening.redacted.pvc.size=lots", "/services/image-screening/redacted/pvc/size"),
    (
        "services.image-screening.redacted.volume=pvc,services.image-screening.redacted.pvc.size=null",
        "/services/image-screening/redacted/pvc",
    ),
    ("services.image-screening.grpcPort=0", "/services/image-screening/grpcPort"),
    ("services.ingest.redacted.dir=/srv", "/services/ingest"),
    ("auth.mode=kerberos", "/auth/mode"),
    ("auth.mode=token", "/auth/credentialsSecret"),
    ("auth.mode=mtls,auth.credentialsSecret=clients", "/grpc/tls"),
    (
        "auth.mode=mtls-or-token,auth.credentialsSecret=clients,grpc.tls.enabled=true,grpc.tls.secretName=t",
        "/grpc/tls",
    ),
]


@pytest.mark.parametrize(("setting", "path"), INVALID, ids=[s for s, _ in INVALID])
def test_bad_values_are_refused_with_the_offending_path(setting: str, path: str) -> None:
    result = run_helm("template", "pg", str(CHART), "--kube-version", KUBE_VERSION, "--set", setting)
    assert result.returncode != 0, f"{setting} was accepted"
    assert "don't meet the specifications of the schema" in result.stderr
    assert path in result.stderr, result.stderr


VALID = [
    "kafka.securityProtocol=SASL_PLAINTEXT,kafka.sasl.existingSecret=kafka-user",
    "kafka.securityProtocol=SSL,kafka.tls.existingSecret=kafka-ca",
    "kafka.bootstrapServers=b-1.msk.example:9094\\,b-2.msk.example:9094",
    "services.ingest.pdb.minAvailable=50%",
    "services.ingest.replicas=0",
    "services.ingest.resources.limits.cpu=1.5",
    "image.tag=2025.01.3-rc1",
    "grpc.tls.enabled=true,grpc.tls.secretName=grpc-tls",
    "grpc.tls.enabled=true,grpc.tls.secretName=grpc-tls,grpc.tls.clientCASecret=grpc-tls",
    "grpc.tls.enabled=true,grpc.tls.secretName=t,auth.mode=token,auth.credentialsSecret=clients",
    "auth.mode=token,auth.credentialsSecret=clients",
    "maxMessageBytes=2097152",
    "maxMessageBytes=268435456",
    "services.image-screening.enabled=false",
    "services.image-screening.redacted.volume=pvc",
    "services.image-screening.redacted.volume=pvc,services.image-screening.redacted.pvc.existingClaim=media",
    "services.image-screening.redacted.volume=pvc,services.image-screening.redacted.pvc.size=null,"
    "services.image-screening.redacted.pvc.existingClaim=media",
    "services.image-screening.redacted.dir=/srv/postguard/redacted",
    "auth.mode=mtls,auth.credentialsSecret=c,grpc.tls.enabled=true,grpc.tls.secretName=t,grpc.tls.clientCASecret=t",
]


@pytest.mark.parametrize("setting", VALID)
def test_good_non_default_values_are_accepted(setting: str) -> None:
    result = run_helm("template", "pg", str(CHART), "--kube-version", KUBE_VERSION, "--set", setting)
    assert result.returncode == 0, result.stderr


OPAQUE = {"files", "resources", "podSecurityContext", "securityContext", "requests", "limits"}


def test_every_values_key_is_described_in_the_schema_and_the_readme() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    schema = json.loads((CHART / "values.schema.json").read_text())
    readme = (CHART / "README.md").read_text()

    def walk(node: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Leaf keys; maps the user fills in (files, resources, security contexts) count as one value."""
        if isinstance(node, dict) and node and ((path[-1:] and path[-1] not in OPAQUE) or not path):
            return [p for key, child in node.items() for p in walk(child, (*path, key))]
        return [path]

    for path in walk(values, ()):
        if path[:3] == ("services", "image-screening", "redacted"):
            # image-screening's own block, documented under its name
            assert f"`{'.'.join(path)}`" in readme, path
            schema_node = schema["definitions"]["imageScreeningService"]
            path = path[2:]
        elif path[:1] == ("services",):
            # the five blocks are identical; the README documents the block once as services.<name>.*
            assert f"`services.<name>.{'.'.join(path[2:])}`" in readme, path
            schema_node = schema["definitions"]["service"]
            path = path[2:]
        else:
            assert f"`{'.'.join(path)}`" in readme, path
            schema_node = schema
        for key in path[:1]:
            assert key in schema_node["properties"], path


def test_image_screening_block_is_the_common_block_plus_redacted() -> None:
    """Its schema refers to the common definition key by key, so a new common key cannot be forgotten."""
    schema = json.loads((CHART / "values.schema.json").read_text())
    common = schema["definitions"]["service"]
    image = schema["definitions"]["imageScreeningService"]
    assert image["properties"].keys() == common["properties"].keys() | {"redacted"}
    for key in common["properties"]:
        assert image["properties"][key] == {"$ref": f"#/definitions/service/properties/{key}"}, key
    assert set(image["required"]) == set(common["required"]) | {"redacted"}
    assert image["additionalProperties"] is False
    values = yaml.safe_load((CHART / "values.yaml").read_text())["services"]
    shared = {k for k in values["identifier-detection"]}
    assert set(values["image-screening"]) == shared | {"redacted"}
