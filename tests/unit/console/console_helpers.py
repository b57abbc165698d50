"""Helpers for the console tests: a real ReviewDesk on SQLite in memory, a rules-only pipeline for
re-screening, accounts of two institutions, and a TestClient over HTTPS (the cookie is Secure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from postguard.console.settings import ConsoleSettings
from postguard.console.users import Role, User, UserDirectory
from postguard.core.audit import SqliteAuditStore
from postguard.domain.review.deadlines import format_rfc3339
from postguard.domain.types import Decision, Post
from postguard.review.desk import ReviewDesk
from postguard.review.store import SqliteReviewStore

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
"""Weak parameters so the tests hash quickly; the console's default hasher is argon2-cffi's."""
PASSWORD = "correct horse battery"
SECRET = "s" * 40
DEMO, RIVERSIDE = "demo-hospital", "riverside-clinic"
PATIENT_TEXT = "Our patient John Smith was discharged from ward 4 today after surgery."
CLEAN_EDIT = "A patient was discharged today after surgery. Thank you to our surgical team!"
STILL_NAMED = "Our patient John Smith is home now. Thank you to our surgical team!"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A settable clock shared by the desk and the console."""

    def __init__(self) -> None:
        # a little ahead of the wall clock the pipeline stamps automatic decisions with
        self.now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class World:
    """Everything a console test touches."""

    desk: ReviewDesk
    audit: SqliteAuditStore
    store: SqliteReviewStore
    pipeline: object
    clock: Clock
    users: UserDirectory
    published: list[Decision] = field(default_factory=list)

    def hold(
        self,
        post_id: str,
        text: str = PATIENT_TEXT,
        institution: str = DEMO,
        *,
        author: str = "staff-1",
        in_hours: float | None = None,
    ):
        """Screen a post, audit its automatic decision and hold it; the item (held posts only)."""
        scheduled = format_rfc3339(self.clock.now + timedelta(hours=in_hours)) if in_hours else ""
        post = Post(
            post_id=post_id,
            institution_id=institution,
            platform="x",
            text=text,
            author_id=author,
            scheduled_publish_at=scheduled,
        )
        decision = self.pipeline.screen(post)
        self.audit.record(decision)
        item = self.desk.hold(decision, post)
        assert item is not None, "the test post must be held"
        return item


def user(name: str, institutions: set[str], role: Role = Role.REVIEWER) -> User:
    return User(name, FAST_HASHER.hash(PASSWORD), frozenset(institutions), role)


def settings(**overrides) -> ConsoleSettings:
    values = {"secret_key": SECRET, "login_max_failures": 3, "login_lockout_seconds": 300}
    return ConsoleSettings(**(values | overrides))


def new_client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def csrf_token(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the form on ``path``."""
    response = client.get(path)
    match = CSRF_FIELD.search(response.text)
    assert match, f"no CSRF field on {path} ({response.status_code})"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": "/queue"}
    )


def logged_in(app, username: str) -> TestClient:
    c = new_client(app)
    response = login(c, username)
    assert response.status_code == 303, response.text
    return c


def post_path(post_id: str, institution: str = DEMO) -> str:
    return f"/posts/{institution}/{post_id}"


def act(client: TestClient, action: str, post_id: str, institution: str = DEMO, **data):
    """Submit an action form the way the post page does (with the page's CSRF token)."""
    token = csrf_token(client, "/queue")
    return client.post(f"/act/{action}/{institution}/{post_id}", data={"csrf_token": token, **data})
