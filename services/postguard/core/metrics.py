"""The Prometheus metric catalogue, declared once; every label has a small, known set of values."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from postguard.domain.types import ContentLabel, Finding, IdentifierLabel

# Latencies from a regex pass (sub-millisecond) to a model batch under load (seconds).
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

POSTS_RECEIVED = Counter(
    "postguard_posts_received_total",
    "Posts received by a service (ingest: accepted requests; stream services: consumed posts).",
    ["service"],
)
POSTS_SCREENED = Counter(
    "postguard_posts_screened_total",
    "Decisions made, by verdict (policy-decision and the embedded pipeline).",
    ["verdict"],
)
FINDINGS = Counter(
    "postguard_findings_total",
    "Findings reported by the detection stages, by category and label.",
    ["category", "label"],
)
STAGE_DURATION = Histogram(
    "postguard_stage_duration_seconds",
    "Time a stage spent on one post (identifier-detection, advice-classification, policy-decision).",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
SCREEN_LATENCY = Histogram(
    "postguard_screen_latency_seconds",
    "Screen requests end to end at ingest: accepted to decision returned.",
    buckets=_LATENCY_BUCKETS,
)
DEADLETTER = Counter(
    "postguard_deadletter_total",
    "Messages sent to postguard.deadletter.v1, by service and reason.",
    ["service", "reason"],
)
INCOMPLETE_SCREENINGS = Counter(
    "postguard_incomplete_screenings_total",
    "Posts decided REVIEW because a stage had not reported before the deadline, by missing stage.",
    ["stage"],
)
DETECTOR_ERRORS = Counter(
    "postguard_detector_errors_total",
    "Detection stage failures (the post's result is ok=False and the policy fails closed), by stage.",
    ["stage"],
)
GRPC_REQUESTS = Counter(
    "postguard_grpc_requests_total",
    "gRPC requests handled, by service, method and status code.",
    ["service", "method", "code"],
)
CONSUMER_LAG = Gauge(
    "postguard_consumer_lag_messages",
    "Messages between the consumer group's position and the partition's high watermark.",
    ["service", "topic", "partition"],
)
POLICY_RELOADS = Counter(
    "postguard_policy_reloads_total",
    "Policy reload attempts, by result (ok or rejected).",
    ["result"],
)
AUDIT_WRITE_ERRORS = Counter(
    "postguard_audit_write_errors_total",
    "Decisions that could not be written to the audit store (the decision itself was still emitted).",
)
DECISIONS_SUPERSEDED = Counter(
    "postguard_decisions_superseded_total",
    "Provisional (incomplete) decisions replaced by a complete one when the late results arrived.",
)
REDRIVES = Counter(
    "postguard_redrives_total",
    "Provisional posts re-published for screening because a stage result stayed missing.",
)
INGEST_IN_FLIGHT = Gauge(
    "postguard_ingest_in_flight_posts",
    "Posts this ingest replica accepted and has not yet seen a decision for.",
)
INGEST_LIMIT = Gauge(
    "postguard_ingest_in_flight_limit",
    "The in-flight bound in force on this ingest replica (adaptive: follows decision latency).",
)
INGEST_SHED = Counter(
    "postguard_ingest_shed_total",
    "Posts refused with RESOURCE_EXHAUSTED because too many were in flight (the caller retries).",
)

DEADLETTER_REASONS: frozenset[str] = frozenset({"decode_error", "validation_error", "unknown_institution"})
"""The only values of ``postguard_deadletter_total{reason}``."""

SERVICES: frozenset[str] = frozenset(
    {"ingest", "identifier-detection", "advice-classification", "policy-decision", "embedded"}
)
"""The only values of the ``service`` label."""

_server_lock = threading.Lock()
_servers: dict[int, object] = {}


def start_metrics_server(port: int, addr: str = "0.0.0.0", registry: CollectorRegistry = REGISTRY) -> int:
    """Serve ``/metrics`` on ``addr:port`` in a daemon thread; returns the bound port (``port=0``: any free).

    Idempotent per port within a process, so tests and services can call it freely.
    """
    with _server_lock:
        if port and port in _servers:
            return port
        server, _thread = start_http_server(port, addr=addr, registry=registry)
        bound = int(server.server_port)
        _servers[bound] = server
        return bound


_KNOWN_LABELS: frozenset[str] = frozenset(str(v) for v in IdentifierLabel) | frozenset(
    str(v) for v in ContentLabel
)


def bounded_label(label: str) -> str:
    """Keep ``postguard_findings_total{label}`` bounded: labels outside the domain enums count as OTHER."""
    return label if label in _KNOWN_LABELS else "OTHER"


def observe_findings(findings: Iterable[Finding]) -> None:
    """Count findings by category and label (values from the closed enums, never from post text)."""
    for finding in findings:
        FINDINGS.labels(category=str(finding.category), label=bounded_label(finding.label)).inc()


# --- review workflow (labels: institution ids from the policy registry, and review actions) -------------

_REVIEW_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 4 * 3600.0, 12 * 3600.0, 86400.0)
"""Hold to reviewer decision: from seconds (a reviewer at the console) to a day (the default deadline)."""

REVIEW_QUEUE_DEPTH = Gauge(
    "postguard_review_queue_depth",
    "Held posts waiting for a reviewer (pending or escalated), by institution.",
    ["institution"],
)
REVIEW_QUEUE_OLDEST_AGE = Gauge(
    "postguard_review_queue_oldest_age_seconds",
    "Seconds since the oldest open review item of the institution was held (0 when the queue is empty).",
    ["institution"],
)
REVIEW_DEADLINE_MISSED = Counter(
    "postguard_review_deadline_missed_total",
    "Held posts nobody decided before their review deadline (kept unpublished: BLOCK), by institution.",
    ["institution"],
)
REVIEWER_DECISIONS = Counter(
    "postguard_reviewer_decisions_total",
    "Decision versions made by reviewers (and by missed deadlines), by institution and action.",
    ["institution", "action"],
)
REVIEW_HOLD_TO_DECISION = Histogram(
    "postguard_review_hold_to_decision_seconds",
    "Time from a post entering the review queue to the decision that closed it, by institution.",
    ["institution"],
    buckets=_REVIEW_BUCKETS,
)
