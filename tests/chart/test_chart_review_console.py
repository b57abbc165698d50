"""The review-console component of the chart: off by default; when on, one replica probing /healthz, its
Secrets mounted or referenced (never inlined), the audit URL shared with policy-decision, refused without
the Secrets and databases it needs."""

from __future__ import annotations

from typing import Any

import pytest
from chart_support import CHART, KUBE_VERSION, by_kind, env_of, render, run_helm

pytestmark = pytest.mark.chart

VALUES = CHART / "ci" / "review-console-values.yaml"
COMPONENT = "review-console"
REQUIRED = (
    "reviewConsole.enabled=true",
    "reviewConsole.usersSecret=console-users",
    "reviewConsole.sessionSecret=console-session",
    "reviewConsole.reviewStore.url=postgresql://review@db/review",
    "audit.url=postgresql://audit@db/audit",
)


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render(VALUES)


def _pod(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return by_kind(objects, "Deployment")[COMPONENT]["spec"]["template"]["spec"]


def test_off_by_default() -> None:
    for kind in ("Deployment", "Service", "ServiceMonitor"):
        assert COMPONENT not in by_kind(render(), kind)


def test_one_replica_probing_healthz_over_http(objects: list[dict[str, Any]]) -> None:
    deployment = by_kind(objects, "Deployment")[COMPONENT]
    assert deployment["metadata"]["name"] == "pg-postguard-review-console"
    assert deployment["spec"]["replicas"] == 1
    (container,) = _pod(objects)["containers"]
    assert container["args"] == ["serve", COMPONENT]
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"http": 8090, "metrics": 9106}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, probe
    assert container["resources"]["requests"]["memory"] == "1Gi"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert _pod(objects)["automountServiceAccountToken"] is False


def test_databases_and_secrets_are_referenced_not_inlined(objects: list[dict[str, Any]]) -> None:
    deployments = by_kind(objects, "Deployment")
    env = env_of(deployments[COMPONENT])
    # the same audit database policy-decision writes
    assert (
        env["POSTGUARD_REVIEW_CONSOLE_AUDIT_URL"]
        == env_of(deployments["policy-decision"])["POSTGUARD_POLICY_DECISION_AUDIT_URL"]
    )
    assert env["POSTGUARD_REVIEW_CONSOLE_AUDIT_URL"] == {
        "secretKeyRef": {"name": "postguard-audit-db", "key": "postgres-url"}
    }
    assert env["POSTGUARD_REVIEW_CONSOLE_REVIEW_STORE_URL"] == {
        "secretKeyRef": {"name": "postguard-review-db", "key": "postgres-url"}
    }
    assert env["POSTGUARD_CONSOLE_SECRET_KEY"] == {
        "secretKeyRef": {"name": "postguard-console-session", "key": "secret-key"}
    }
    assert env["POSTGUARD_CONSOLE_USERS_FILE"] == "/etc/postguard/console-users/users.yaml"
    assert env["POSTGUARD_CONSOLE_COOKIE_SECURE"] == "true"
    assert env["POSTGUARD_REVIEW_CONSOLE_CONSUMER_GROUP"] == "postguard-review-console"
    pod = _pod(objects)
    (users,) = [v for v in pod["volumes"] if v["name"] == "console-users"]
    assert users["secret"] == {
        "secretName": "postguard-console-users",
        "items": [{"key": "users.yaml", "path": "users.yaml"}],
    }
    (mount,) = [m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "console-users"]
    assert "subPath" not in mount, "a directory mount, so an updated users Secret reaches the pod"


def test_rendered_env_is_accepted_by_the_console_settings(objects: list[dict[str, Any]]) -> None:
    from postguard.console.settings import ConsoleSettings
    from postguard.review_console.settings import ReviewConsoleSettings

    env = {k: v for k, v in env_of(by_kind(objects, "Deployment")[COMPONENT]).items() if isinstance(v, str)}
    for cls in (ReviewConsoleSettings, ConsoleSettings):
        prefix = cls.model_config["env_prefix"]
        kwargs = {k.removeprefix(prefix).lower(): v for k, v in env.items() if k.startswith(prefix)}
        settings = cls(**kwargs)
        if cls is ReviewConsoleSettings:
            assert (settings.http_port, settings.metrics_port) == (8090, 9106)


def test_service_and_service_monitor_select_the_console(objects: list[dict[str, Any]]) -> None:
    pod_labels = by_kind(objects, "Deployment")[COMPONENT]["spec"]["template"]["metadata"]["labels"]
    service = by_kind(objects, "Service")[COMPONENT]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert {p["name"]: p["port"] for p in service["spec"]["ports"]} == {"http": 8090, "metrics": 9106}
    monitor = by_kind(objects, "ServiceMonitor")[COMPONENT]
    assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/component", "job=review-console"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_plain_urls_and_oidc_proxy_mode() -> None:
    objects = render(None, *REQUIRED, "reviewConsole.authMode=oidc-proxy", "reviewConsole.usersSecret=")
    deployment = by_kind(objects, "Deployment")[COMPONENT]
    env = env_of(deployment)
    assert env["POSTGUARD_REVIEW_CONSOLE_REVIEW_STORE_URL"] == "postgresql://review@db/review"
    assert env["POSTGUARD_REVIEW_CONSOLE_AUDIT_URL"] == "postgresql://audit@db/audit"
    assert env["POSTGUARD_CONSOLE_AUTH_MODE"] == "oidc-proxy"
    assert "POSTGUARD_CONSOLE_USERS_FILE" not in env
    assert not [v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "console-users"]


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("reviewConsole.usersSecret=", "reviewConsole.usersSecret is required in password mode"),
        ("reviewConsole.sessionSecret=", "reviewConsole.sessionSecret is required"),
        ("reviewConsole.reviewStore.url=", "reviewConsole.reviewStore.url or"),
        ("audit.url=", "reviewConsole needs audit.url or audit.existingSecret"),
        ("audit.url=off", "audit.url=off leaves reviewer decisions unrecorded"),
        ("reviewConsole.metricsPort=8090", "must differ"),
    ],
)
def test_missing_secrets_or_databases_are_refused(drop: str, message: str) -> None:
    args = ["template", "pg", str(CHART), "--kube-version", KUBE_VERSION]
    for item in (*REQUIRED, drop):
        args += ["--set", item]
    result = run_helm(*args)
    assert result.returncode != 0, f"{drop} was accepted"
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("setting", "path"),
    [
        ("reviewConsole.authMode=ldap", "/reviewConsole/authMode"),
        ("reviewConsole.httpPort=0", "/reviewConsole/httpPort"),
        ("reviewConsole.reviewStore.url=mysql://db/review", "/reviewConsole/reviewStore/url"),
        ("reviewConsole.sessionSecret=Not_A_Name", "/reviewConsole/sessionSecret"),
        ("reviewConsole.grpcPort=50056", "/reviewConsole"),
    ],
)
def test_bad_values_are_refused_by_the_schema(setting: str, path: str) -> None:
    result = run_helm("template", "pg", str(CHART), "--kube-version", KUBE_VERSION, "--set", setting)
    assert result.returncode != 0, f"{setting} was accepted"
    assert "don't meet the specifications of the schema" in result.stderr
    assert path in result.stderr, result.stderr
