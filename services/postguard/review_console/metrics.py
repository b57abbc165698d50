"""Prometheus metrics of the console service's Kafka side (the queue's own metrics come from the desk)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

DECISIONS_READ = Counter(
    "postguard_review_console_decisions_total",
    "Decision records read from the decisions topic, by what the console did with them.",
    ["outcome"],
)
"""outcome: held (queued), not_held, reviewer_version (a person's version: ignored), undecodable."""
DECISION_OUTCOMES = ("held", "not_held", "reviewer_version", "undecodable")

HOLD_FAILURES = Counter(
    "postguard_review_console_hold_failures_total",
    "Held decisions the queue could not store (retried from the same offset: nothing is committed).",
)
HELD_WITHOUT_TEXT = Counter(
    "postguard_review_console_held_without_text_total",
    "Held decisions queued without their post (buffer overflow, restart): redacted text only, no edits.",
)
POSTS_BUFFERED = Gauge(
    "postguard_review_console_post_buffer_posts", "Posts kept in memory until their decision arrives."
)
POSTS_BUFFER_BYTES = Gauge("postguard_review_console_post_buffer_bytes", "Bytes of the buffered posts.")
POSTS_EVICTED = Gauge(
    "postguard_review_console_post_buffer_evicted", "Posts dropped from the buffer before their decision."
)
PUBLISHED = Counter(
    "postguard_review_console_published_total",
    "Reviewer decision versions written to the decisions topic (acknowledged, acks=all).",
)
PUBLISH_ERRORS = Counter(
    "postguard_review_console_publish_errors_total",
    "Reviewer decision versions the broker did not acknowledge in time (the reviewer sees an error).",
)

for _outcome in DECISION_OUTCOMES:
    DECISIONS_READ.labels(outcome=_outcome)
