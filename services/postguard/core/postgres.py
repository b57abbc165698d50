"""One PostgreSQL connection shared by a process's threads: what the audit and review stores have in common.

An autocommit psycopg (3) connection under a lock. When the connection is lost (server restart, failover)
an operation reconnects and is retried once, with a warning in the log; a second failure raises. Schema
creation is serialised between replicas on a transaction-scoped advisory lock, because CREATE TABLE IF
NOT EXISTS is not safe when several start at once (a duplicate key in pg_type).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
_T = TypeVar("_T")

CONNECT_TIMEOUT_SECONDS = 10


class PostgresConnection:
    """``run(operation)`` calls ``operation(cursor)`` under the lock, reconnecting and retrying it once."""

    def __init__(self, dsn: str, *, application_name: str, what: str) -> None:
        import psycopg  # optional at import time: only needed when a postgresql:// URL is configured

        self._psycopg = psycopg
        self._dsn = dsn
        self._application_name = application_name
        self._what = what
        self._lock = threading.Lock()
        self._db = self._connect()

    def _connect(self) -> Any:
        params = self._psycopg.conninfo.conninfo_to_dict(self._dsn)
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        params.setdefault("application_name", self._application_name)
        return self._psycopg.connect(**params, autocommit=True)

    def create_schema(self, lock_key: int, create: Callable[[Any], None]) -> None:
        """Run ``create(cursor)`` in one transaction holding the advisory lock ``lock_key``."""
        with self._lock, self._db.transaction(), self._db.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key,))
            create(cur)

    def run(self, operation: Callable[[Any], _T]) -> _T:
        """``operation(cursor)``; after a lost connection, reconnect and retry it once."""
        with self._lock:
            try:
                with self._db.cursor() as cur:
                    return operation(cur)
            except self._psycopg.OperationalError as exc:
                log.warning(
                    f"{self._what} connection lost; reconnecting and retrying once",
                    extra={"error_type": type(exc).__name__},
                )
                self._db.close()
                self._db = self._connect()
                with self._db.cursor() as cur:
                    return operation(cur)

    def close(self) -> None:
        with self._lock:
            self._db.close()
