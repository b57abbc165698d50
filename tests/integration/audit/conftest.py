"""Fixtures for the PostgreSQL audit store: one real, throwaway PostgreSQL cluster per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from postgres_support import PostgresCluster


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL server on 127.0.0.1:<free port> with an empty ``audit`` database; removed afterwards."""
    with PostgresCluster() as cluster:
        yield cluster
