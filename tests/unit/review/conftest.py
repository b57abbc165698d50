"""Fixtures of the review tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from review_support import Bench, make_bench


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    """A desk on SQLite files with a hand-moved clock, a list of published decisions and a fake rescreen."""
    b = make_bench(tmp_path)
    yield b
    b.store.close()
    b.audit.close()
