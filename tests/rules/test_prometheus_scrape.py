"""A real Prometheus (Debian package) scrapes PostGuard's metrics endpoint on loopback and loads the rules.

Checks what promtool cannot: the exposition of ``postguard.core.metrics`` is ingested under the names the
rules and dashboard query, and every alert rule evaluates against live series without error.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from postguard.core import metrics
from postguard.devtools.ports import free_port as _free_port

pytestmark = pytest.mark.rules

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules" / "postguard-alerts.yaml"


def _get(base: str, path: str, **params: str) -> Any:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}" if params else f"{base}{path}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _eventually(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        assert time.monotonic() < deadline, "timed out waiting for Prometheus"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: run `make promtool` (Debian package prometheus)"
    metrics_port = metrics.start_metrics_server(0, addr="127.0.0.1")
    metrics.POSTS_RECEIVED.labels(service="ingest").inc(5)
    metrics.POSTS_SCREENED.labels(verdict="REVIEW").inc(2)
    metrics.STAGE_DURATION.labels(stage="identifier-detection").observe(0.02)
    metrics.SCREEN_LATENCY.observe(0.3)
    metrics.DEADLETTER.labels(service="ingest", reason="validation_error").inc()
    metrics.POLICY_RELOADS.labels(result="ok").inc()
    from postguard.image_screening import agents as image_metrics

    image_metrics.IMAGES_SCREENED.labels(format="png").inc(3)
    image_metrics.IMAGE_SECONDS.observe(0.4)
    image_metrics.IMAGES_REJECTED.labels(reason="timeout").inc()
    metrics.STAGE_DURATION.labels(stage="image-screening").observe(1.2)
    workdir = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": "ingest", "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}
        ],
    }
    (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "prometheus.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _eventually(lambda: urllib.request.urlopen(f"{base}/-/ready", timeout=2).status == 200)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_postguard_metrics_are_scraped_under_the_catalogue_names(prometheus: str) -> None:
    def value(query: str) -> float | None:
        result = _get(prometheus, "/api/v1/query", query=query)["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    assert _eventually(lambda: value('up{job="ingest"}') == 1.0)
    # >=: the catalogue is process-wide, other tests in the same session may have counted too.
    assert value('postguard_posts_received_total{service="ingest"}') >= 5.0
    assert value('postguard_posts_screened_total{verdict="REVIEW"}') >= 2.0
    assert value('postguard_deadletter_total{reason="validation_error"}') >= 1.0
    assert value('postguard_stage_duration_seconds_count{stage="identifier-detection"}') >= 1.0
    assert value('postguard_screen_latency_seconds_bucket{le="2.5"}') >= 1.0, "the SLO rule's bucket exists"
    # image-screening's series, under the names its alerts and the Images row query
    assert value('postguard_images_screened_total{format="png"}') >= 3.0
    assert value('postguard_images_rejected_total{reason="timeout"}') >= 1.0
    assert value("postguard_image_screening_seconds_count") >= 1.0
    assert value('postguard_stage_duration_seconds_bucket{stage="image-screening",le="5.0"}') >= 1.0


def test_every_alert_rule_evaluates_without_error(prometheus: str) -> None:
    expected = {
        r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"] if "alert" in r
    }

    def evaluated() -> dict[str, dict] | None:
        groups = _get(prometheus, "/api/v1/rules")["data"]["groups"]
        rules = {r["name"]: r for g in groups for r in g["rules"] if r["type"] == "alerting"}
        return (
            rules
            if rules.keys() == expected and all(r["health"] != "unknown" for r in rules.values())
            else None
        )

    rules = _eventually(evaluated)
    broken = {name: r.get("lastError") for name, r in rules.items() if r["health"] != "ok"}
    assert not broken
