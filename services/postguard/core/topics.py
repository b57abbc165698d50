"""Kafka topic names: one place, used by every service and test."""

from __future__ import annotations

POSTS = "postguard.posts.v1"
FINDINGS = "postguard.findings.v1"
DECISIONS = "postguard.decisions.v1"
DEADLETTER = "postguard.deadletter.v1"

ALL_TOPICS: tuple[str, ...] = (POSTS, FINDINGS, DECISIONS, DEADLETTER)
