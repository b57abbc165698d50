"""The Grafana dashboard: required panels exist, every query parses (promtool) and uses catalogue metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.rules

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "postguard-dashboard.json"
RULES = ROOT / "deploy" / "prometheus" / "rules" / "postguard-alerts.yaml"
REQUIRED_PANELS = {
    "Decisions by verdict",
    "Stage latency p50 / p99",
    "Consumer lag",
    "Dead-letter rate",
    "Held for review",
    "gRPC error ratio",
    "Detector errors",
    "Images screened",
    "Image screening failures by reason",
    "Image screening time p50 / p95",
    "image-screening failed share",
    "Review queue depth",
    "Oldest held post age",
    "Review deadlines missed",
    "Reviewer decisions by action",
    "Hold to reviewer decision p50 / p95",
}
# Modules that declare metrics: the catalogue, image-screening's, the webhooks', the review console's.
METRIC_MODULES = (
    "postguard.core.metrics",
    "postguard.image_screening.agents",
    "postguard.http_api.webhooks",
    "postguard.review_console.metrics",
)


def _panels() -> list[dict]:
    return [p for p in json.loads(DASHBOARD.read_text())["panels"] if p["type"] != "row"]


def _catalogue() -> set[str]:
    import importlib

    names = set()
    for module in (importlib.import_module(m) for m in METRIC_MODULES):
        for value in vars(module).values():
            describe = getattr(value, "describe", None)
            if callable(describe) and hasattr(value, "_name"):
                for family in describe():
                    names.add(family.name)
    return names


def test_required_panels_exist_with_queries() -> None:
    panels = {p["title"]: p for p in _panels()}
    assert panels.keys() >= REQUIRED_PANELS
    for panel in panels.values():
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}"
        assert panel["description"]


def test_panels_do_not_overlap() -> None:
    cells = set()
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        pos = panel["gridPos"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, panel["title"]
                cells.add((x, y))
        assert pos["x"] + pos["w"] <= 24


def test_queries_and_rules_use_only_catalogue_metrics() -> None:
    catalogue = _catalogue()
    exprs = [t["expr"] for p in _panels() for t in p["targets"]]
    exprs += [r["expr"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    used = {m for e in exprs for m in re.findall(r"\b(postguard_[a-z_]+)", e)}
    base = {re.sub(r"_(bucket|count|sum)$", "", m) for m in used}
    base = {re.sub(r"_total$", "", m) for m in base}
    assert base, "no metrics found"
    assert base <= catalogue, base - catalogue


def test_every_query_parses(tmp_path: Path) -> None:
    """promtool parses each query (as a recording rule): PromQL typos fail here, not live in Grafana."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run `make promtool`"
    rules = [
        {"record": f"dashboard:panel_{i}", "expr": t["expr"].replace("$__rate_interval", "5m")}
        for i, t in enumerate(t for p in _panels() for t in p["targets"])
    ]
    (tmp_path / "q.yaml").write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(tmp_path / "q.yaml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_images_row_follows_image_screening() -> None:
    """A row of its own, the stage's series selected by its name, and Services up includes it."""
    doc = json.loads(DASHBOARD.read_text())
    titles = [p["title"] for p in doc["panels"]]
    row = titles.index("Images")
    assert doc["panels"][row]["type"] == "row"
    images = [p for p in doc["panels"][row + 1 :] if p["type"] != "row"]
    assert {p["title"] for p in images} >= {t for t in REQUIRED_PANELS if "mage" in t}
    exprs = " ".join(t["expr"] for p in images for t in p["targets"])
    for metric in ("postguard_images_screened_total", "postguard_images_rejected_total",
                   "postguard_image_screening_seconds_bucket"):  # fmt: skip
        assert metric in exprs, metric
    for expr in (t["expr"] for p in images for t in p["targets"]):
        if "postguard_stage_duration_seconds" in expr or "postguard_detector_errors_total" in expr:
            assert 'stage="image-screening"' in expr, expr
    (up,) = [p for p in _panels() if p["title"] == "Services up"]
    assert "image-screening" in up["targets"][0]["expr"]
