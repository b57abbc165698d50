"""How long a stream service's Kafka fetch may wait at the broker: faust 0.15 hard-codes 1.5 s.

faust-streaming builds its aiokafka consumer with ``fetch_max_wait_ms=1500`` and no setting to change
it. aiokafka keeps at most one fetch in flight per broker, and a partition that is paused or still
has unread records is left out of it; when that partition is ready again, its records wait until the
fetch in flight returns — up to the full 1.5 s when the partitions it asked for stay quiet. Measured
through the local stack at 200 Screen calls/s: the findings -> decision hop had p90 1.55 s (the hard-coded
wait) with 1.5 s, and 0.18-0.21 s with 0.1 s (docs/capacity.md). A shorter wait costs one more empty
fetch per wait period and partition group when there is nothing to read, nothing when there is.

``use_fetch_max_wait`` wraps faust's consumer factory once per process so every consumer faust
creates afterwards takes the given wait; it relies on faust 0.15 / aiokafka 0.14 internals (both pinned in
constraints.txt), which ``tests/unit/core/test_faust_fetch.py`` checks.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka

_ORIGINAL = faust_aiokafka.AIOKafkaConsumerThread._create_worker_consumer
_WAIT_MS = {"value": 1500}


def _create_worker_consumer(self: Any, transport: Any) -> Any:
    consumer = _ORIGINAL(self, transport)
    consumer._fetch_max_wait_ms = _WAIT_MS["value"]  # read by AIOKafkaConsumer.start() for its Fetcher
    return consumer


def use_fetch_max_wait(seconds: float) -> None:
    """Consumers faust creates from now on ask the broker to answer a fetch within ``seconds``."""
    if seconds <= 0:
        raise ValueError("the fetch wait must be positive")
    _WAIT_MS["value"] = max(1, round(seconds * 1000))
    faust_aiokafka.AIOKafkaConsumerThread._create_worker_consumer = _create_worker_consumer


def fetch_max_wait_ms() -> int:
    """The wait (ms) consumers created now get."""
    return _WAIT_MS["value"]
