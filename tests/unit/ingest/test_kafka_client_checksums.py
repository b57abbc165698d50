"""kafka-python verifies every record batch it reads (ingest's decision follower, the review console's
follower) with CRC-32C. Without the ``crc32c`` extension it falls back to a pure-Python loop that was
64 % of ingest's CPU in the stack benchmark; the dependency must be installed and picked up."""

from __future__ import annotations

import os

import crc32c
from kafka.record import util
from kafka.record._crc32c import crc as pure_python_crc32c


def test_kafka_python_checks_batches_with_the_compiled_crc32c() -> None:
    assert util.calc_crc32c.__defaults__ == (crc32c.crc32c,)


def test_the_compiled_checksum_equals_kafka_pythons_own() -> None:
    for size in (0, 1, 61, 4096):
        data = memoryview(os.urandom(size))
        assert util.calc_crc32c(data) == pure_python_crc32c(data)
