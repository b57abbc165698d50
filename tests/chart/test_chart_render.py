"""The Helm chart rendered by the real helm binary: lint, Kubernetes API schemas, and what each value does."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from chart_support import CHART, CI_VALUES, KUBE_VERSION, ROOT, by_kind, env_of, render, run_helm

pytestmark = pytest.mark.chart

SERVICES = {
    "ingest": (50051, 9101),
    "identifier-detection": (50052, 9102),
    "advice-classification": (50053, 9103),
    "policy-decision": (50054, 9104),
    "image-screening": (50055, 9105),
}
IMAGE = "image-screening"
CRD_KINDS = {"ServiceMonitor", "PrometheusRule"}


@pytest.fixture(scope="module")
def default_objects() -> list[dict[str, Any]]:
    return render()


@pytest.mark.parametrize("values_file", CI_VALUES, ids=lambda p: p.name)
def test_helm_lint_strict(values_file: Path) -> None:
    result = run_helm("lint", str(CHART), "--strict", "--kube-version", KUBE_VERSION, "-f", str(values_file))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("values_file", CI_VALUES, ids=lambda p: p.name)
@pytest.mark.parametrize("kube_version", ["1.27.0", KUBE_VERSION, "1.33.0"])
def test_every_rendered_object_matches_the_kubernetes_api_schema(
    values_file: Path, kube_version: str
) -> None:
    objects = render(values_file, kube_version=kube_version)
    assert objects
    for obj in objects:
        if obj["kind"] in CRD_KINDS:
            continue  # CRDs are not in the Kubernetes API schemas: see test_prometheus_operator_objects
        kubernetes_validate.validate(obj, kube_version, strict=True)


def test_the_schema_check_is_not_vacuous(default_objects: list[dict[str, Any]]) -> None:
    deployment = copy.deepcopy(by_kind(default_objects, "Deployment")["ingest"])
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "grpc"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBE_VERSION, strict=True)


def test_default_render_has_one_deployment_service_and_pdb_per_service(default_objects: list) -> None:
    for kind in ("Deployment", "Service", "PodDisruptionBudget"):
        assert set(by_kind(default_objects, kind)) == set(SERVICES), kind
    names = {o["metadata"]["name"] for o in default_objects if o["kind"] == "Deployment"}
    assert names == {f"pg-postguard-{s}" for s in SERVICES}
    kinds = {o["kind"] for o in default_objects}
    assert not kinds & (CRD_KINDS | {"HorizontalPodAutoscaler", "Role", "RoleBinding"}), "off by default"


def test_deployments_are_hardened_and_probe_grpc_health(default_objects: list) -> None:
    for service, deployment in by_kind(default_objects, "Deployment").items():
        grpc_port, metrics_port = SERVICES[service]
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False
        (container,) = pod["containers"]
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert container["args"] == ["serve", service]
        assert container["image"] == "postguard:0.1.0"
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"]["port"] == grpc_port, (service, probe)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"grpc": grpc_port, "metrics": metrics_port}
        env = env_of(deployment)
        prefix = "POSTGUARD_" + service.replace("-", "_").upper()
        assert env[f"{prefix}_GRPC_PORT"] == str(grpc_port)
        assert env[f"{prefix}_METRICS_PORT"] == str(metrics_port)
        assert env["POSTGUARD_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["POSTGUARD_TOPIC_PARTITIONS"] == "6"
        assert "POSTGUARD_POLICY_DIR" not in env, "no policies ConfigMap by default: the shipped policies"
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert {"/tmp", "/var/lib/postguard"} <= mounts, "writable dirs under a read-only root"
        assert container["resources"]["requests"]["memory"]


def _settings_classes_of(module_name: str, prefix: str) -> list[type]:
    """The pydantic settings classes in ``module_name`` that read variables starting with ``prefix``."""
    import importlib

    from pydantic_settings import BaseSettings

    module = importlib.import_module(module_name)
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseSettings)
        and value.model_config.get("env_prefix") == prefix
    ]
    assert found, f"{module_name} has no settings class with prefix {prefix}"
    return found


@pytest.mark.parametrize("values_file", CI_VALUES, ids=lambda p: p.name)
def test_every_env_var_is_a_setting_the_service_reads(values_file: Path) -> None:
    from postguard.advice_classification.settings import AdviceClassificationSettings
    from postguard.core.settings import CommonSettings
    from postguard.identifier_detection.settings import IdentifierDetectionSettings
    from postguard.ingest.settings import IngestSettings
    from postguard.policy_decision.configmap_watcher import ConfigMapWatchSettings
    from postguard.policy_decision.settings import PolicyDecisionSettings

    classes = {
        "ingest": [IngestSettings],
        "identifier-detection": [IdentifierDetectionSettings],
        "advice-classification": [AdviceClassificationSettings],
        "policy-decision": [PolicyDecisionSettings, ConfigMapWatchSettings],
        IMAGE: _settings_classes_of("postguard.image_screening.settings", "POSTGUARD_IMAGE_SCREENING_"),
        "review-console": [
            *_settings_classes_of("postguard.review_console.settings", "POSTGUARD_REVIEW_CONSOLE_"),
            *_settings_classes_of("postguard.console.settings", "POSTGUARD_CONSOLE_"),
        ],
    }
    for service, deployment in by_kind(render(values_file), "Deployment").items():
        known = {"TMPDIR"}
        for cls in [CommonSettings, *classes[service]]:
            prefix = cls.model_config["env_prefix"]
            known |= {f"{prefix}{field.upper()}" for field in cls.model_fields}
        unknown = set(env_of(deployment)) - known
        assert not unknown, f"{service}: {unknown} are read by nobody"


def test_services_and_pdbs_select_their_own_pods(default_objects: list) -> None:
    deployments = by_kind(default_objects, "Deployment")
    for service, svc in by_kind(default_objects, "Service").items():
        pod_labels = deployments[service]["spec"]["template"]["metadata"]["labels"]
        assert svc["spec"]["selector"].items() <= pod_labels.items()
        assert svc["spec"]["selector"]["app.kubernetes.io/component"] == service
        assert {p["name"]: p["port"] for p in svc["spec"]["ports"]} == dict(
            zip(("grpc", "metrics"), SERVICES[service], strict=True)
        )
    for service, pdb in by_kind(default_objects, "PodDisruptionBudget").items():
        pod_labels = deployments[service]["spec"]["template"]["metadata"]["labels"]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_dashboard_configmap_carries_the_deploy_dashboard(default_objects: list) -> None:
    (cm,) = [
        o
        for o in default_objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("-dashboard")
    ]
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    shipped = json.loads((ROOT / "deploy" / "grafana" / "postguard-dashboard.json").read_text())
    assert json.loads(cm["data"]["postguard-dashboard.json"]) == shipped


def test_sasl_tls_values_wire_secrets_without_inlining_them() -> None:
    objects = render(CHART / "ci" / "sasl-tls-values.yaml")
    for deployment in by_kind(objects, "Deployment").values():
        env = env_of(deployment)
        assert env["POSTGUARD_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env["POSTGUARD_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env["POSTGUARD_KAFKA_SASL_USERNAME"] == {
            "secretKeyRef": {"name": "postguard-kafka-user", "key": "user"}
        }
        assert env["POSTGUARD_KAFKA_SASL_PASSWORD"]["secretKeyRef"]["name"] == "postguard-kafka-user"
        assert env["POSTGUARD_KAFKA_SSL_CAFILE"] == "/etc/postguard/kafka-tls/ca.crt"
        assert env["POSTGUARD_KAFKA_SSL_CERTFILE"] == "/etc/postguard/kafka-tls/tls.crt"
        pod = deployment["spec"]["template"]["spec"]
        (tls,) = [v for v in pod["volumes"] if v["name"] == "kafka-tls"]
        assert tls["secret"]["secretName"] == "postguard-kafka-tls"
        assert {i["key"] for i in tls["secret"]["items"]} == {"ca.crt", "user.crt", "user.key"}
        if deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "policy-decision":
            assert env["POSTGUARD_POLICY_DECISION_AUDIT_URL"] == {
                "secretKeyRef": {"name": "postguard-audit-db", "key": "postgres-url"}
            }
        else:
            assert "POSTGUARD_POLICY_DECISION_AUDIT_URL" not in env
        assert pod["imagePullSecrets"] == [{"name": "registry-credentials"}]
        assert pod["containers"][0]["image"] == "registry.example.org/clinical/postguard:0.1.0"


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def test_grpc_is_plaintext_and_auth_off_by_default(default_objects: list) -> None:
    for deployment in by_kind(default_objects, "Deployment").values():
        env = env_of(deployment)
        assert not {k for k in env if k.startswith(("POSTGUARD_GRPC_", "POSTGUARD_INGEST_AUTH_"))}
        volumes = {v["name"] for v in deployment["spec"]["template"]["spec"]["volumes"]}
        assert not volumes & {"grpc-tls", "grpc-client-ca", "auth"}


def test_grpc_mtls_values_mount_the_secrets_and_probe_the_health_port() -> None:
    objects = render(CHART / "ci" / "grpc-mtls-values.yaml")
    deployments = by_kind(objects, "Deployment")
    assert set(deployments) == set(SERVICES)
    for service, deployment in deployments.items():
        grpc_port, metrics_port = SERVICES[service]
        container = _container(deployment)
        env = env_of(deployment)
        assert env["POSTGUARD_GRPC_TLS_CERT_FILE"] == "/etc/postguard/grpc-tls/tls.crt"
        assert env["POSTGUARD_GRPC_TLS_KEY_FILE"] == "/etc/postguard/grpc-tls/tls.key"
        assert env["POSTGUARD_GRPC_TLS_CLIENT_CA_FILE"] == "/etc/postguard/grpc-client-ca/ca.crt"
        assert env["POSTGUARD_GRPC_HEALTH_PORT"] == "8086"
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"]["port"] == 8086, "kubelet gRPC probes cannot do TLS"
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"grpc": grpc_port, "metrics": metrics_port, "grpc-health": 8086}
        mounts = {m["name"]: m for m in container["volumeMounts"]}
        assert mounts["grpc-tls"]["mountPath"] == "/etc/postguard/grpc-tls"
        assert mounts["grpc-client-ca"]["mountPath"] == "/etc/postguard/grpc-client-ca"
        assert all(m["readOnly"] for n, m in mounts.items() if n in ("grpc-tls", "grpc-client-ca", "auth"))
        assert not [m for m in mounts.values() if "subPath" in m], "subPath mounts never see a rotated Secret"
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        assert volumes["grpc-tls"]["secret"] == {
            "secretName": "postguard-grpc-tls",
            "items": [{"key": "tls.crt", "path": "tls.crt"}, {"key": "tls.key", "path": "tls.key"}],
        }
        assert volumes["grpc-client-ca"]["secret"]["secretName"] == "postguard-grpc-client-ca"
        is_ingest = service == "ingest"
        assert ("auth" in volumes) is is_ingest, "the credentials reach ingest only"
        assert ("POSTGUARD_INGEST_AUTH_MODE" in env) is is_ingest
    env = env_of(deployments["ingest"])
    assert env["POSTGUARD_INGEST_AUTH_MODE"] == "mtls-or-token"
    assert env["POSTGUARD_INGEST_AUTH_CREDENTIALS_FILE"] == "/etc/postguard/auth/credentials.yaml"
    auth = {v["name"]: v for v in deployments["ingest"]["spec"]["template"]["spec"]["volumes"]}["auth"]
    assert auth["secret"] == {
        "secretName": "postguard-ingest-clients",
        "items": [{"key": "clients.yaml", "path": "credentials.yaml"}],
    }
    for svc in by_kind(objects, "Service").values():
        assert {p["name"] for p in svc["spec"]["ports"]} == {"grpc", "metrics"}, "health port not exposed"


def test_server_only_tls_with_tokens() -> None:
    objects = render(
        None,
        "grpc.tls.enabled=true",
        "grpc.tls.secretName=pg-tls",
        "auth.mode=token",
        "auth.credentialsSecret=pg-clients",
    )
    for service, deployment in by_kind(objects, "Deployment").items():
        env = env_of(deployment)
        assert env["POSTGUARD_GRPC_TLS_CERT_FILE"] and "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE" not in env
        volumes = {v["name"] for v in deployment["spec"]["template"]["spec"]["volumes"]}
        assert "grpc-tls" in volumes and "grpc-client-ca" not in volumes
        assert (env.get("POSTGUARD_INGEST_AUTH_MODE") == "token") is (service == "ingest")
        kubernetes_validate.validate(deployment, KUBE_VERSION, strict=True)


def test_health_port_must_not_collide_with_a_service_port() -> None:
    result = run_helm(
        "template",
        "pg",
        str(CHART),
        "--kube-version",
        KUBE_VERSION,
        "--set",
        "grpc.tls.enabled=true",
        "--set",
        "grpc.tls.secretName=t",
        "--set",
        "grpc.tls.healthPort=50053",
    )
    assert result.returncode != 0
    assert (
        "grpc.tls.healthPort 50053 must differ from the grpcPort and metricsPort of advice-classification"
        in (result.stderr)
    )


@pytest.mark.parametrize("values_file", CI_VALUES, ids=lambda p: p.name)
def test_rendered_env_is_accepted_by_the_settings_classes(values_file: Path) -> None:
    """The TLS / auth env the chart sets passes the services' own settings validation."""
    from postguard.core.settings import CommonSettings
    from postguard.ingest.settings import IngestSettings

    for deployment in by_kind(render(values_file), "Deployment").values():
        env = {k: v for k, v in env_of(deployment).items() if isinstance(v, str)}
        grpc_env = {
            k: v for k, v in env.items() if k.startswith(("POSTGUARD_GRPC_", "POSTGUARD_INGEST_AUTH_"))
        }
        for cls in (CommonSettings, IngestSettings):
            fields = {f"{cls.model_config['env_prefix']}{name.upper()}": name for name in cls.model_fields}
            kwargs = {fields[k]: v for k, v in grpc_env.items() if k in fields}
            cls(**kwargs)  # raises on an inconsistent combination


def test_autoscaling_values_create_hpas_and_drop_fixed_replicas() -> None:
    objects = render(CHART / "ci" / "autoscaling-values.yaml")
    hpas = by_kind(objects, "HorizontalPodAutoscaler")
    assert set(hpas) == {"identifier-detection", "advice-classification"}
    deployments = by_kind(objects, "Deployment")
    for service, hpa in hpas.items():
        assert hpa["spec"]["scaleTargetRef"]["name"] == deployments[service]["metadata"]["name"]
        assert hpa["spec"]["minReplicas"] == 3 and hpa["spec"]["maxReplicas"] == 12
        assert "replicas" not in deployments[service]["spec"], "the HPA owns the replica count"
    assert deployments["ingest"]["spec"]["replicas"] == 2
    assert by_kind(objects, "PodDisruptionBudget")["identifier-detection"]["spec"]["minAvailable"] == "50%"


def test_policy_watch_values_grant_read_only_configmap_access_to_policy_decision_only() -> None:
    objects = render(CHART / "ci" / "policy-watch-values.yaml")
    (role,) = [o for o in objects if o["kind"] == "Role"]
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}
    ]
    (binding,) = [o for o in objects if o["kind"] == "RoleBinding"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "pg-postguard", "namespace": "clinical"}
    ]
    deployments = by_kind(objects, "Deployment")
    for service, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        env = env_of(deployment)
        assert env["POSTGUARD_POLICY_DIR"] == "/etc/postguard/policies"
        watching = service == "policy-decision"
        assert pod["automountServiceAccountToken"] is watching, service
        assert ("POSTGUARD_POLICY_DECISION_WATCH_CONFIGMAPS" in env) is watching
        assert "checksum/policies" not in deployment["spec"]["template"]["metadata"].get("annotations", {})
    assert env_of(deployments["ingest"])["POSTGUARD_INGEST_CHECK_INSTITUTION"] == "false"
    env = env_of(deployments["policy-decision"])
    assert env["POSTGUARD_POLICY_DECISION_WATCH_CONFIGMAPS"] == "true"
    assert env["POSTGUARD_POLICY_DECISION_CONFIGMAP_NAMESPACE"] == {
        "fieldRef": {"fieldPath": "metadata.namespace"}
    }
    key, value = env["POSTGUARD_POLICY_DECISION_CONFIGMAP_LABEL_SELECTOR"].split("=")
    (policies,) = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "pg-postguard-policies"
    ]
    assert policies["metadata"]["labels"][key] == value, "the watcher must find the chart's own ConfigMap"
    assert yaml.safe_load(policies["data"]["northside-hospital.yaml"])["policy_id"] == "northside-hospital"


def test_static_policies_roll_pods_when_they_change() -> None:
    first = by_kind(render(CHART / "ci" / "minimal-values.yaml"), "Deployment")["policy-decision"]
    second = by_kind(
        render(CHART / "ci" / "minimal-values.yaml", "policies.files.extra\\.yaml=policy_id: x"), "Deployment"
    )["policy-decision"]
    checksum = "checksum/policies"
    annotations = first["spec"]["template"]["metadata"]["annotations"]
    assert annotations[checksum] != second["spec"]["template"]["metadata"]["annotations"][checksum]


def test_minimal_values_use_the_existing_service_account_and_no_pdb() -> None:
    objects = render(CHART / "ci" / "minimal-values.yaml")
    kinds = {o["kind"] for o in objects}
    assert "ServiceAccount" not in kinds and "PodDisruptionBudget" not in kinds
    for deployment in by_kind(objects, "Deployment").values():
        assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "postguard-runner"
        assert deployment["spec"]["replicas"] == 1
    assert by_kind(objects, "Service")["ingest"]["spec"]["type"] == "NodePort"
    env = env_of(by_kind(objects, "Deployment")["policy-decision"])
    assert env["POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS"] == "10"
    assert env["POSTGUARD_USE_MODELS"] == "false"
    assert env["POSTGUARD_POLICY_DECISION_AUDIT_URL"] == "sqlite:////var/lib/postguard/audit.sqlite3"


def test_disabling_a_service_removes_all_its_objects() -> None:
    objects = render(None, "services.advice-classification.enabled=false")
    assert not [
        o
        for o in objects
        if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") == "advice-classification"
    ]
    assert len(by_kind(objects, "Deployment")) == len(SERVICES) - 1


def test_disabling_image_screening_removes_its_volume_claim_too() -> None:
    sets = (f"services.{IMAGE}.redacted.volume=pvc", f"services.{IMAGE}.enabled=false")
    objects = render(None, *sets)
    assert not [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
    assert IMAGE not in by_kind(objects, "Deployment")


def test_prometheus_operator_objects() -> None:
    objects = render(CHART / "ci" / "monitoring-values.yaml")
    monitors = by_kind(objects, "ServiceMonitor")
    assert set(monitors) == set(SERVICES)
    services = by_kind(objects, "Service")
    for service, monitor in monitors.items():
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/component", "alerts expect job=<service>"
        assert monitor["spec"]["endpoints"] == [{"port": "metrics", "interval": "15s", "path": "/metrics"}]
        assert (
            monitor["spec"]["selector"]["matchLabels"].items()
            <= services[service]["metadata"]["labels"].items()
        )
    (rule,) = [o for o in objects if o["kind"] == "PrometheusRule"]
    shipped = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules" / "postguard-alerts.yaml").read_text())
    assert rule["spec"]["groups"] == shipped["groups"], (
        "templating must not touch {{ $labels }} in annotations"
    )


def test_rendered_prometheus_rule_passes_promtool(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run `make promtool`"
    (rule,) = [o for o in render(CHART / "ci" / "monitoring-values.yaml") if o["kind"] == "PrometheusRule"]
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    result = subprocess.run([promtool, "check", "rules", str(rules_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _render_notes(tmp_path: Path, *sets: str) -> str:
    """NOTES.txt rendered by helm.

    `helm install --dry-run` needs a reachable cluster in helm 3.22, so a copy of the chart renders the same
    NOTES.txt through `tpl` inside a ConfigMap that `helm template` prints.
    """
    chart = tmp_path / "postguard"
    shutil.copytree(CHART, chart)
    shutil.copy(chart / "templates" / "NOTES.txt", chart / "files" / "notes.txt")
    (chart / "templates" / "notes-under-test.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata:\n"
        '  notes: {{ tpl (.Files.Get "files/notes.txt") . | toJson }}\n'
    )
    args = ["template", "pg", str(chart), "--kube-version", KUBE_VERSION, "--namespace", "clinical"]
    for item in sets:
        args += ["--set", item]
    result = run_helm(*args, "--show-only", "templates/notes-under-test.yaml")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["data"]["notes"]


def test_notes_explain_how_to_reach_the_services(tmp_path: Path) -> None:
    notes = _render_notes(tmp_path)
    for service, (grpc_port, metrics_port) in SERVICES.items():
        assert f"pg-postguard-{service}: {grpc_port} / {metrics_port}" in notes
    assert "port-forward svc/pg-postguard-ingest 50051" in notes
    assert "Hot reload is off" in notes
    assert "metrics.prometheusRule.enabled=true" in notes


def test_notes_follow_the_values(tmp_path: Path) -> None:
    notes = _render_notes(tmp_path, "policies.watch.enabled=true", "metrics.prometheusRule.enabled=true")
    assert "Hot reload is ON" in notes and "postguard.io/policies=true" in notes
    assert "metrics.prometheusRule.enabled=true" not in notes


def test_chart_packages_with_its_files_and_schema(tmp_path: Path) -> None:
    import tarfile

    result = run_helm("package", str(CHART), "--destination", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (archive,) = tmp_path.glob("postguard-0.1.0.tgz")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    for required in ("values.schema.json", "files/postguard-alerts.yaml", "files/postguard-dashboard.json"):
        assert f"postguard/{required}" in names
    assert "postguard/templates/NOTES.txt" in names
    assert not [n for n in names if n.startswith("postguard/ci/")], "CI value sets are not shipped"


def test_max_message_bytes_reaches_every_service_as_an_exact_integer() -> None:
    from postguard.core.settings import CommonSettings

    default = by_kind(render(), "Deployment")
    assert {env_of(d)["POSTGUARD_MAX_MESSAGE_BYTES"] for d in default.values()} == {"16777216"}
    assert CommonSettings().max_message_bytes == 16777216, "the chart default is the services' default"
    # 256 MiB would print as 2.68435456e+08 without the chart's int conversion.
    raised = by_kind(render(None, "maxMessageBytes=268435456"), "Deployment")
    assert set(raised) == set(SERVICES)
    for deployment in raised.values():
        value = env_of(deployment)["POSTGUARD_MAX_MESSAGE_BYTES"]
        assert value == "268435456"
        assert CommonSettings(max_message_bytes=value).max_message_bytes == 256 << 20


def test_image_screening_gets_more_resources_and_an_emptydir_for_redacted_copies(
    default_objects: list,
) -> None:
    deployment = by_kind(default_objects, "Deployment")[IMAGE]
    container = _container(deployment)
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "1536Mi"},
        "limits": {"cpu": "2", "memory": "5Gi"},
    }
    env = env_of(deployment)
    assert env["POSTGUARD_IMAGE_SCREENING_REDACTED_DIR"] == "/var/lib/postguard/redacted"
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts["redacted"]["mountPath"] == "/var/lib/postguard/redacted"
    assert not mounts["redacted"].get("readOnly"), "the service writes the copies"
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["redacted"] == {"name": "redacted", "emptyDir": {"sizeLimit": "1Gi"}}
    assert not [o for o in default_objects if o["kind"] == "PersistentVolumeClaim"]
    for service, other in by_kind(default_objects, "Deployment").items():
        if service != IMAGE:
            assert not {k for k in env_of(other) if "REDACTED" in k}, service
            assert "redacted" not in {v["name"] for v in other["spec"]["template"]["spec"]["volumes"]}


def test_image_screening_values_create_a_shared_claim_an_hpa_and_larger_limits() -> None:
    objects = render(CHART / "ci" / "image-screening-values.yaml")
    (claim,) = [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
    assert claim["metadata"]["name"] == "pg-postguard-image-screening-redacted"
    assert claim["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": "shared-nfs",
        "resources": {"requests": {"storage": "50Gi"}},
    }
    deployment = by_kind(objects, "Deployment")[IMAGE]
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["redacted"]["persistentVolumeClaim"] == {"claimName": claim["metadata"]["name"]}
    pod_security = deployment["spec"]["template"]["spec"]["securityContext"]
    assert pod_security["fsGroup"] == 10001, "the claim is writable for the service user"
    assert pod_security["fsGroupChangePolicy"] == "OnRootMismatch", (
        "a big claim is not re-owned at each start"
    )
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    (hpa,) = by_kind(objects, "HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["maxReplicas"] == 10
    assert by_kind(objects, "PodDisruptionBudget")[IMAGE]["spec"]["minAvailable"] == "50%"
    env = env_of(deployment)
    assert env["POSTGUARD_IMAGE_SCREENING_CONSUMER_GROUP"] == "postguard-image-screening-eu"
    for other in by_kind(objects, "Deployment").values():
        assert env_of(other)["POSTGUARD_MAX_MESSAGE_BYTES"] == "33554432"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"workload": "images"}
    assert pod["containers"][0]["resources"]["limits"]["ephemeral-storage"] == "4Gi"


def test_an_existing_claim_is_used_and_none_is_created() -> None:
    objects = render(
        None,
        f"services.{IMAGE}.redacted.volume=pvc",
        f"services.{IMAGE}.redacted.pvc.existingClaim=media-share",
        f"services.{IMAGE}.redacted.dir=/srv/redacted",
    )
    assert not [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
    deployment = by_kind(objects, "Deployment")[IMAGE]
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["redacted"]["persistentVolumeClaim"] == {"claimName": "media-share"}
    mounts = {m["name"]: m["mountPath"] for m in _container(deployment)["volumeMounts"]}
    assert mounts["redacted"] == "/srv/redacted"
    assert env_of(deployment)["POSTGUARD_IMAGE_SCREENING_REDACTED_DIR"] == "/srv/redacted"
    kubernetes_validate.validate(deployment, KUBE_VERSION, strict=True)


def test_an_emptydir_without_a_size_limit() -> None:
    deployment = by_kind(render(None, f"services.{IMAGE}.redacted.sizeLimit="), "Deployment")[IMAGE]
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["redacted"] == {"name": "redacted", "emptyDir": {}}


@pytest.mark.parametrize("directory", ["/tmp", "/var/lib/postguard", "/etc/postguard/policies"])
def test_redacted_dir_must_not_shadow_another_mount(directory: str) -> None:
    result = run_helm(
        "template", "pg", str(CHART), "--kube-version", KUBE_VERSION,
        "--set", f"services.{IMAGE}.redacted.dir={directory}",
    )  # fmt: skip
    assert result.returncode != 0
    assert f"services.image-screening.redacted.dir {directory} must not be" in result.stderr


def test_notes_name_where_redacted_copies_go(tmp_path: Path) -> None:
    def notes(name: str, *sets: str) -> str:
        (tmp_path / name).mkdir()
        return _render_notes(tmp_path / name, *sets)

    default = notes("default")
    assert "Redacted image copies: emptyDir at /var/lib/postguard/redacted" in default
    assert "Largest post with its images: 16777216 bytes" in default
    shared = notes("pvc", f"services.{IMAGE}.redacted.volume=pvc")
    assert "Redacted image copies: PersistentVolumeClaim pg-postguard-image-screening-redacted" in shared
    assert "Redacted image copies" not in notes("off", f"services.{IMAGE}.enabled=false")
