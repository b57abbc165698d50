"""The distributed review console on PostgreSQL, as the chart runs it: policy-decision and the console write
one audit database, the console's queue lives in its own database. A post held by the real services is
approved over HTTP; the reviewer's version reaches StreamDecisions, both versions are in the PostgreSQL
audit table and the PostgreSQL review item is resolved with its original text dropped."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import httpx
import psycopg
import pytest
from argon2 import PasswordHasher
from postgres_support import PostgresCluster
from postguard.devtools.kafka_broker import KafkaBroker, fetch_jars
from postguard.devtools.stack import LocalStack
from postguard.v1 import decision_pb2, screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, INSTITUTION, make_post, new_id
from test_stack_review import (
    CONSOLE,
    HELD_TEXT,
    PASSWORD,
    REVIEWER,
    SECRET_KEY,
    Stream,
    act,
    csrf_token,
    hold,
    wait_in_queue,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class PgStack:
    """The running stack, ingest's Screening client and the two PostgreSQL databases it writes."""

    stack: LocalStack
    screening: screening_pb2_grpc.ScreeningStub
    audit_dsn: str
    review_dsn: str


def _database(postgres: PostgresCluster, name: str) -> str:
    with psycopg.connect(postgres.dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres.dsn.rsplit("/", 1)[0] + f"/{name}"


def _warm_up(stub: screening_pb2_grpc.ScreeningStub) -> None:
    """Screen clean posts until one is decided with every stage in time (models loaded, groups joined)."""
    deadline = time.monotonic() + 90
    while True:
        reply = stub.Screen(
            screening_pb2.ScreenRequest(
                post=make_post(CLEAN_TEXT, post_id=new_id("pg-warm")), timeout_seconds=30
            ),
            timeout=40,
        )
        if not reply.incomplete_stages:
            return
        assert time.monotonic() < deadline, "the stack never decided a post with every stage in time"


@pytest.fixture(scope="module")
def pg_stack(postgres: PostgresCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgStack]:
    """Its own broker (no consumer group shared with the session's stack), the four services and the
    review console, with every audit and review URL pointing at PostgreSQL."""
    audit_dsn = _database(postgres, "console_audit")
    review_dsn = _database(postgres, "console_review")
    run_dir = tmp_path_factory.mktemp("review-console-pg")
    users = run_dir / "users.yaml"
    users.write_text(
        "users:\n"
        f"  - username: {REVIEWER}\n"
        f"    password_hash: '{PasswordHasher().hash(PASSWORD)}'\n"
        f"    institutions: [{INSTITUTION}]\n"
        "    role: reviewer\n"
    )
    env = {
        "POSTGUARD_POLICY_DECISION_AUDIT_URL": audit_dsn,
        "POSTGUARD_REVIEW_CONSOLE_AUDIT_URL": audit_dsn,
        "POSTGUARD_REVIEW_CONSOLE_REVIEW_STORE_URL": review_dsn,
        "POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS": "4",
        "POSTGUARD_INGEST_SCREEN_TIMEOUT_SECONDS": "30",
        "POSTGUARD_CONSOLE_USERS_FILE": str(users),
        "POSTGUARD_CONSOLE_SECRET_KEY": SECRET_KEY,
        "POSTGUARD_CONSOLE_COOKIE_SECURE": "false",  # plain HTTP on loopback
        "POSTGUARD_REVIEW_CONSOLE_SWEEP_INTERVAL_SECONDS": "1",
    }
    fetch_jars()
    with KafkaBroker(partitions=1) as broker:
        stack = LocalStack(run_dir, broker.bootstrap_servers, partitions=1, env=env)
        names = ["ingest", "identifier-detection", "advice-classification", "policy-decision", CONSOLE]
        stack.start(names, timeout=180)
        try:
            with grpc.insecure_channel(stack.grpc_target("ingest")) as channel:
                stub = screening_pb2_grpc.ScreeningStub(channel)
                _warm_up(stub)
                yield PgStack(stack, stub, audit_dsn, review_dsn)
        finally:
            stack.stop()


@pytest.fixture
def reviewer(pg_stack: PgStack) -> Iterator[httpx.Client]:
    """An HTTP client logged in as the demo-hospital reviewer through the login form and its token."""
    base = f"http://{pg_stack.stack.grpc_target(CONSOLE)}"
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        page = client.get("/login")
        assert page.status_code == 200
        reply = client.post(
            "/login",
            data={
                "username": REVIEWER,
                "password": PASSWORD,
                "next": "/queue",
                "csrf_token": csrf_token(page.text),
            },
        )
        assert reply.status_code == 303, reply.text[:500]
        yield client


def _review_item(dsn: str, post_id: str) -> tuple[str, str, str] | None:
    with psycopg.connect(dsn) as db:
        row = db.execute(
            "SELECT status, original_text, resolved_by FROM review_items "
            "WHERE institution_id = %s AND post_id = %s",
            (INSTITUTION, post_id),
        ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


def _audit_rows(dsn: str, post_id: str) -> list[tuple[int, str, str, str, str]]:
    with psycopg.connect(dsn) as db:
        rows = db.execute(
            "SELECT version, verdict, review_action, reviewer, text_sha256 FROM decision_versions "
            "WHERE institution_id = %s AND post_id = %s ORDER BY version",
            (INSTITUTION, post_id),
        ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]


def test_a_post_approved_in_the_console_is_versioned_in_postgresql(
    pg_stack: PgStack, reviewer: httpx.Client
) -> None:
    stream = Stream(pg_stack.screening)
    try:
        decision, _ = hold(pg_stack.screening, "pg-review")
        page = wait_in_queue(reviewer, decision.post_id)
        assert html.escape(HELD_TEXT, quote=False) in page
        # while open, the PostgreSQL review item keeps the original for the institution's reviewers
        assert _review_item(pg_stack.review_dsn, decision.post_id) == ("pending", HELD_TEXT, "")

        reply = act(reviewer, "approve", decision.post_id, page, note="general health information")
        assert reply.status_code == 303, reply.text[:500]
        _, approved = stream.next_version(decision.post_id, 2)
    finally:
        stream.cancel()

    assert decision_pb2.Verdict.Name(approved.verdict) == "ALLOW"
    assert (approved.review.action, approved.review.reviewer) == ("approve", REVIEWER)
    assert approved.review.based_on_version == 1
    sha = decision.text_sha256
    assert _audit_rows(pg_stack.audit_dsn, decision.post_id) == [
        (1, "REVIEW", "", "", sha),  # policy-decision's automatic version, untouched
        (2, "ALLOW", "approve", REVIEWER, sha),  # the console's reviewer version
    ]
    assert _review_item(pg_stack.review_dsn, decision.post_id) == ("approved", "", REVIEWER)
    # nothing fell back to the SQLite defaults LocalStack would otherwise use
    assert not (pg_stack.stack.run_dir / "audit.sqlite3").exists()
    assert not (pg_stack.stack.run_dir / "review.sqlite3").exists()
