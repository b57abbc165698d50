"""Records as stream processors see them, consumed and produced, as plain values (testable without faust)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Inbound:
    """One consumed record: where it came from and its raw key and value bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None

    @classmethod
    def from_event(cls, event: Any) -> Inbound:
        """Build from a faust ``EventT`` (``event.message`` carries topic, partition, offset)."""
        message = event.message
        return cls(
            topic=message.topic,
            partition=int(message.partition),
            offset=int(message.offset),
            key=_as_bytes(event.key),
            value=_as_bytes(event.value),
        )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record a processor wants produced: topic name, key bytes, value bytes.

    ``partition`` pins the record to a partition (findings and deadline ticks go to the partition
    their post came from, whatever partitioner its producer used); None lets the producer choose.
    """

    topic: str
    key: bytes
    value: bytes
    partition: int | None = None


def _as_bytes(data: Any) -> bytes | None:
    if data is None:
        return None
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    return None
