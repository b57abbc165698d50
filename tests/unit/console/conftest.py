"""Fixtures for the console tests (helpers in console_helpers.py)."""

from __future__ import annotations

import pytest
from console_helpers import FAST_HASHER, Clock, World, new_client, settings, user
from fastapi.testclient import TestClient
from postguard.console.app import create_app
from postguard.console.users import Role, UserDirectory
from postguard.core.audit import SqliteAuditStore
from postguard.domain.types import Decision
from postguard.review.desk import ReviewDesk
from postguard.review.store import SqliteReviewStore

DEMO, RIVERSIDE = "demo-hospital", "riverside-clinic"


@pytest.fixture(scope="session")
def pipeline():
    from postguard.embedded.runner import build_pipeline

    return build_pipeline(use_models=False)


@pytest.fixture
def world(pipeline) -> World:
    """A real desk and audit store on SQLite in memory, publishing into a list."""
    clock = Clock()
    store = SqliteReviewStore(":memory:")
    audit = SqliteAuditStore(":memory:")
    published: list[Decision] = []
    desk = ReviewDesk(store, audit, rescreen=pipeline.screen, publish=published.append, clock=clock)
    users = UserDirectory(
        [
            user("alice", {DEMO}),
            user("bob", {RIVERSIDE}),
            user("carol", {DEMO}, Role.ADMIN),
        ],
        hasher=FAST_HASHER,
    )
    return World(desk, audit, store, pipeline, clock, users, published)


@pytest.fixture
def app(world):
    return create_app(world.desk, world.audit, world.users, settings(), clock=world.clock)


@pytest.fixture
def client(app) -> TestClient:
    return new_client(app)
