"""The review console in the distributed stack: a post held by the real services enters the console
service's queue from the decisions topic; a reviewer approves it (or approves an edit) over HTTP with the
form's CSRF token; the new decision version reaches StreamDecisions on ingest and the audit store; the
console ignores its own versions coming back; a restart does not queue committed decisions again."""

from __future__ import annotations

import html
import queue
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from argon2 import PasswordHasher
from postguard.core.audit import SqliteAuditStore
from postguard.devtools.stack import LocalStack
from postguard.v1 import decision_pb2, screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, INSTITUTION, make_post, metric_sum, new_id, scrape

pytestmark = pytest.mark.integration

CONSOLE = "review-console"
HELD_TEXT = "@jess_k with your blood pressure you should double your lisinopril and skip the ER."
"""Personal medical advice (a dose told to one person, by rule): demo-hospital's policy holds it for
REVIEW (no identifiers in it)."""
REVIEWER, PASSWORD = "rita", "correct horse battery staple"
SECRET_KEY = "review-console-integration-test-secret-key-0123456789"
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@pytest.fixture(scope="module")
def console(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The review-console process next to the session's stack; yields its base URL, stops it after."""
    users = tmp_path_factory.mktemp("console") / "users.yaml"
    users.write_text(
        "users:\n"
        f"  - username: {REVIEWER}\n"
        f"    password_hash: '{PasswordHasher().hash(PASSWORD)}'\n"
        f"    institutions: [{INSTITUTION}]\n"
        "    role: reviewer\n"
    )
    settings = {
        "POSTGUARD_CONSOLE_USERS_FILE": str(users),
        "POSTGUARD_CONSOLE_SECRET_KEY": SECRET_KEY,
        "POSTGUARD_CONSOLE_COOKIE_SECURE": "false",  # plain HTTP on loopback
        "POSTGUARD_REVIEW_CONSOLE_SWEEP_INTERVAL_SECONDS": "1",
    }
    saved = {k: stack.env.get(k) for k in settings}
    stack.env.update(settings)  # POSTGUARD_CONSOLE_* / _REVIEW_CONSOLE_*: read by the console only
    try:
        stack.start_service(CONSOLE)
        stack.wait_healthy([CONSOLE], timeout=240)
        yield f"http://{stack.grpc_target(CONSOLE)}"
    finally:
        stack.stop_service(CONSOLE)
        for key, value in saved.items():
            if value is None:
                stack.env.pop(key, None)
            else:
                stack.env[key] = value


def csrf_token(page: str) -> str:
    match = CSRF.search(page)
    assert match, "no CSRF token in the page"
    return html.unescape(match.group(1))


@pytest.fixture
def reviewer(console: str) -> Iterator[httpx.Client]:
    """An HTTP client logged in as the demo-hospital reviewer (through the login form and its token)."""
    with httpx.Client(base_url=console, follow_redirects=False, timeout=30) as client:
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
        assert client.get("/queue").status_code == 200
        yield client


class Stream:
    """A StreamDecisions subscriber on ingest, collecting decisions on a thread."""

    def __init__(self, stub: screening_pb2_grpc.ScreeningStub) -> None:
        self.received: queue.Queue[tuple[float, decision_pb2.Decision]] = queue.Queue()
        self._call = stub.StreamDecisions(
            screening_pb2.StreamDecisionsRequest(institution_id=INSTITUTION), timeout=300
        )
        threading.Thread(target=self._follow, daemon=True).start()
        time.sleep(0.5)  # the subscription is registered when the first message is requested

    def _follow(self) -> None:
        try:
            for decision in self._call:
                self.received.put((time.monotonic(), decision))
        except grpc.RpcError:
            pass  # cancelled at the end of the test

    def next_version(
        self, post_id: str, version: int, timeout: float = 60
    ) -> tuple[float, decision_pb2.Decision]:
        deadline = time.monotonic() + timeout
        while True:
            at, decision = self.received.get(timeout=max(0.1, deadline - time.monotonic()))
            if decision.post_id == post_id and decision.version == version:
                return at, decision

    def cancel(self) -> None:
        self._call.cancel()


@pytest.fixture
def stream(screening: screening_pb2_grpc.ScreeningStub) -> Iterator[Stream]:
    subscriber = Stream(screening)
    yield subscriber
    subscriber.cancel()


def hold(screening: screening_pb2_grpc.ScreeningStub, prefix: str) -> tuple[decision_pb2.Decision, float]:
    """Screen a post that is held; returns its decision and when Screen returned (monotonic)."""
    post = make_post(HELD_TEXT, post_id=new_id(prefix))
    decision = screening.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)
    returned = time.monotonic()
    assert decision_pb2.Verdict.Name(decision.verdict) == "REVIEW", list(decision.reasons)
    assert decision.version == 1 and not decision.provisional
    return decision, returned


def wait_in_queue(client: httpx.Client, post_id: str, timeout: float = 60) -> str:
    """The post's console page once the console has queued it (404 until then)."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(f"/posts/{INSTITUTION}/{post_id}")
        if page.status_code == 200:
            return page.text
        assert page.status_code == 404, page.status_code
        assert time.monotonic() < deadline, f"{post_id} never reached the console's queue"
        time.sleep(0.2)


def act(client: httpx.Client, action: str, post_id: str, page: str, **fields: str) -> httpx.Response:
    return client.post(
        f"/act/{action}/{INSTITUTION}/{post_id}", data={"csrf_token": csrf_token(page), **fields}
    )


def audit_versions(stack: LocalStack, post_id: str) -> dict[int, str]:
    store = SqliteAuditStore(Path(stack.run_dir) / "audit.sqlite3")
    try:
        return {r.version: r.verdict for r in store.versions(post_id, INSTITUTION)}
    finally:
        store.close()


def console_metric(stack: LocalStack, outcome: str) -> float:
    samples = scrape(stack.metrics_url(CONSOLE))
    return metric_sum(samples, "postguard_review_console_decisions_total", outcome=outcome)


def test_a_held_post_approved_in_the_console_reaches_stream_decisions_and_the_audit_store(
    stack: LocalStack,
    screening: screening_pb2_grpc.ScreeningStub,
    reviewer: httpx.Client,
    stream: Stream,
) -> None:
    reviewer_versions_before = console_metric(stack, "reviewer_version")
    decision, screened_at = hold(screening, "it-review")
    page = wait_in_queue(reviewer, decision.post_id)
    queued_at = time.monotonic()
    assert html.escape(HELD_TEXT, quote=False) in page  # the original, from the posts topic

    reply = act(reviewer, "approve", decision.post_id, page, note="general health information")
    assert reply.status_code == 303, reply.text[:500]

    approved_at = time.monotonic()
    arrived_at, approved = stream.next_version(decision.post_id, 2)
    print(
        f"\nScreen returned the held decision -> in the console's queue {queued_at - screened_at:.2f} s; "
        f"approve request sent -> reviewer version on StreamDecisions {arrived_at - queued_at:.2f} s "
        f"(HTTP reply after {approved_at - queued_at:.2f} s); total {arrived_at - screened_at:.2f} s"
    )
    assert decision_pb2.Verdict.Name(approved.verdict) == "ALLOW"
    assert approved.review.action == "approve" and approved.review.reviewer == REVIEWER
    assert approved.review.based_on_version == 1
    assert approved.text_sha256 == decision.text_sha256
    assert audit_versions(stack, decision.post_id) == {1: "REVIEW", 2: "ALLOW"}
    # ingest answers with the newest version now
    newest = screening.GetDecision(
        screening_pb2.GetDecisionRequest(post_id=decision.post_id, institution_id=INSTITUTION), timeout=10
    )
    assert newest.version == 2
    # the console read its own version back from the topic and left the queue alone
    deadline = time.monotonic() + 30
    while console_metric(stack, "reviewer_version") <= reviewer_versions_before:
        assert time.monotonic() < deadline, "the console never read its own version back"
        time.sleep(0.3)
    assert f"/posts/{INSTITUTION}/{decision.post_id}" not in reviewer.get("/queue").text


def test_an_approved_edit_is_rescreened_and_streamed_as_new_content(
    stack: LocalStack,
    screening: screening_pb2_grpc.ScreeningStub,
    reviewer: httpx.Client,
    stream: Stream,
) -> None:
    decision, _ = hold(screening, "it-review-edit")
    page = wait_in_queue(reviewer, decision.post_id)

    still_held = act(reviewer, "edit", decision.post_id, page, edited_text=HELD_TEXT + " Trust me.")
    assert still_held.status_code == 422  # re-screened: still advice, nothing published
    reply = act(reviewer, "edit", decision.post_id, page, edited_text=CLEAN_TEXT, note="rewritten")
    assert reply.status_code == 303, reply.text[:500]

    _, edited = stream.next_version(decision.post_id, 2)
    assert decision_pb2.Verdict.Name(edited.verdict) == "ALLOW"
    assert edited.review.action == "approve_with_edits"
    assert edited.text_sha256 != decision.text_sha256  # the edited text's hash: new content on the stream
    assert edited.redacted_text == CLEAN_TEXT
    assert 2 in audit_versions(stack, decision.post_id)
    # the edited content is now the post's newest decision on ingest
    newest = screening.GetDecision(
        screening_pb2.GetDecisionRequest(post_id=decision.post_id, institution_id=INSTITUTION), timeout=10
    )
    assert (newest.version, newest.text_sha256) == (2, edited.text_sha256)


def test_a_restarted_console_does_not_queue_committed_decisions_again(
    stack: LocalStack, screening: screening_pb2_grpc.ScreeningStub, console: str
) -> None:
    stack.stop_service(CONSOLE)  # graceful: offsets are committed, the group is left
    stack.start_service(CONSOLE)
    stack.wait_healthy([CONSOLE], timeout=240)
    decision, _ = hold(screening, "it-review-restart")
    with httpx.Client(base_url=console, timeout=30) as client:
        page = client.get("/login")
        client.post(
            "/login",
            data={"username": REVIEWER, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        )
        wait_in_queue(client, decision.post_id)
    # every held decision before the restart was committed: the restarted console queued only the new one
    assert console_metric(stack, "held") == 1
