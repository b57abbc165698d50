"""Developer tooling: a real local Kafka broker and the local multi-process stack (no Docker)."""
