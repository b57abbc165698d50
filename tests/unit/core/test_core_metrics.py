"""The metric catalogue: names as documented, bounded labels, and a /metrics endpoint that answers."""

from __future__ import annotations

import urllib.request

import pytest
from postguard.core import metrics
from postguard.domain.types import Category, Finding
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

CATALOGUE = {
    "postguard_posts_received": ("counter", {"service"}),
    "postguard_posts_screened": ("counter", {"verdict"}),
    "postguard_findings": ("counter", {"category", "label"}),
    "postguard_stage_duration_seconds": ("histogram", {"stage"}),
    "postguard_screen_latency_seconds": ("histogram", set()),
    "postguard_deadletter": ("counter", {"service", "reason"}),
    "postguard_incomplete_screenings": ("counter", {"stage"}),
    "postguard_detector_errors": ("counter", {"stage"}),
    "postguard_grpc_requests": ("counter", {"service", "method", "code"}),
    "postguard_consumer_lag_messages": ("gauge", {"service", "topic", "partition"}),
    "postguard_policy_reloads": ("counter", {"result"}),
    "postguard_audit_write_errors": ("counter", set()),
    "postguard_decisions_superseded": ("counter", set()),
    "postguard_redrives": ("counter", set()),
    "postguard_ingest_in_flight_posts": ("gauge", set()),
    "postguard_ingest_shed": ("counter", set()),
    "postguard_ingest_in_flight_limit": ("gauge", set()),
    "postguard_review_queue_depth": ("gauge", {"institution"}),
    "postguard_review_queue_oldest_age_seconds": ("gauge", {"institution"}),
    "postguard_review_deadline_missed": ("counter", {"institution"}),
    "postguard_reviewer_decisions": ("counter", {"institution", "action"}),
    "postguard_review_hold_to_decision_seconds": ("histogram", {"institution"}),
}


def test_catalogue_is_declared_once_with_the_documented_labels() -> None:
    declared = {m.name: m.type for m in REGISTRY.collect() if m.name.startswith("postguard_")}
    assert {name: kind for name, (kind, _) in CATALOGUE.items()}.items() <= declared.items()
    collectors = {
        c._name: set(c._labelnames)  # type: ignore[attr-defined]
        for c in vars(metrics).values()
        if hasattr(c, "_labelnames") and getattr(c, "_name", "").startswith("postguard_")
    }
    assert collectors == {name: labels for name, (_, labels) in CATALOGUE.items()}


def test_finding_labels_stay_bounded_and_never_carry_text() -> None:
    text = "Jane Example was admitted"
    findings = [
        Finding(Category.IDENTIFIER, "PERSON", 0, 12, 0.9, "ner", "name"),
        Finding(Category.IDENTIFIER, text, 0, 12, 0.9, "buggy", "label built from text"),
    ]
    metrics.observe_findings(findings)
    samples = [s for m in REGISTRY.collect() if m.name == "postguard_findings" for s in m.samples]
    assert any(s.labels == {"category": "IDENTIFIER", "label": "OTHER"} for s in samples)
    for sample in samples:
        assert all("Jane" not in v for v in sample.labels.values())


def test_metrics_server_answers_on_a_free_port() -> None:
    metrics.POSTS_RECEIVED.labels(service="policy-decision").inc()
    port = metrics.start_metrics_server(0, addr="127.0.0.1")
    assert metrics.start_metrics_server(port, addr="127.0.0.1") == port
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert 'postguard_posts_received_total{service="policy-decision"}' in body
    assert "postguard_stage_duration_seconds_bucket" in body or "postguard_stage_duration_seconds" in body
