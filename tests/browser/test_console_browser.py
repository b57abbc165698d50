"""The reviewer console driven in a real headless chromium against the real all-in-one server.

Everything here is real: the all-in-one process's gRPC Screening API, the console under uvicorn, the
SQLite audit store and review queue, and Debian's chromium. A reviewer logs in, sees the held post,
approves it with an edit, and the new decision version arrives on StreamDecisions and in the audit store;
a reviewer of one institution cannot see or act on another's post; a missed deadline keeps the post
unpublished, is listed in the console and raises the metric.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from argon2 import PasswordHasher
from postguard.allinone.server import AllInOne, build
from postguard.allinone.settings import AllInOneSettings
from postguard.console.settings import ConsoleSettings
from postguard.console.users import Role, User, write_users
from postguard.core.codec import post_to_proto
from postguard.domain.types import Post
from postguard.embedded.runner import build_pipeline
from postguard.ingest.auth import token_sha256
from postguard.v1 import decision_pb2, screening_pb2, screening_pb2_grpc
from prometheus_client import REGISTRY
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

TOKENS = {"demo-hospital": "browser-test-token-demo", "riverside-clinic": "browser-test-token-river"}
PASSWORD = "a long reviewer passphrase"
HELD_TEXT = "Lovely chat with Mrs Edith Marlowe in bed 12 on ward 4 today, DOB 03/04/1931, MRN 44817263."
EDITED_TEXT = "Lovely chat with one of our patients on the ward today."
SCREENSHOT = Path("build/console-screenshot.png")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AllInOne]:
    data = tmp_path_factory.mktemp("allinone")
    hasher = PasswordHasher()
    write_users(
        data / "users.yaml",
        [
            User("alice", hasher.hash(PASSWORD), frozenset({"demo-hospital"}), Role.REVIEWER),
            User("rita", hasher.hash(PASSWORD), frozenset({"riverside-clinic"}), Role.REVIEWER),
        ],
    )
    clients = "".join(
        f"  - {{name: {inst}, institutions: [{inst}], token_sha256: [{token_sha256(token)}]}}\n"
        for inst, token in TOKENS.items()
    )
    (data / "tokens.yaml").write_text("clients:\n" + clients)
    (data / "session-secret").write_text("b" * 48 + "\n")
    settings = AllInOneSettings(
        data_dir=data,
        bind_address="127.0.0.1",
        grpc_port=0,
        http_port=0,
        metrics_port=0,
        sweep_interval_seconds=0.2,
    )
    running = build(
        settings,
        pipeline=build_pipeline(None, use_models=False),
        console_settings=ConsoleSettings(cookie_secure=False),
    ).start()
    yield running
    running.close()


class DecisionStream:
    """A StreamDecisions subscriber of one institution, collecting what arrives in a thread."""

    def __init__(self, server: AllInOne, institution: str) -> None:
        self.channel = grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}")
        self.stub = screening_pb2_grpc.ScreeningStub(self.channel)
        self.metadata = (("authorization", f"Bearer {TOKENS[institution]}"),)
        self.received: queue.Queue[tuple[float, decision_pb2.Decision]] = queue.Queue()
        before = server.book.stream_count
        self.call = self.stub.StreamDecisions(
            screening_pb2.StreamDecisionsRequest(institution_id=institution),
            metadata=self.metadata,
            timeout=120,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + 10
        while server.book.stream_count <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.book.stream_count > before, "StreamDecisions did not subscribe"

    def _pump(self) -> None:
        try:
            for msg in self.call:
                self.received.put((time.monotonic(), msg))
        except grpc.RpcError:
            pass

    def screen(self, post: Post) -> decision_pb2.Decision:
        request = screening_pb2.ScreenRequest(post=post_to_proto(post), timeout_seconds=30)
        return self.stub.Screen(request, metadata=self.metadata, timeout=40)

    def next_version(self, post_id: str, version: int) -> tuple[float, decision_pb2.Decision]:
        while True:
            arrived, msg = self.received.get(timeout=30)
            if msg.post_id == post_id and msg.version == version:
                return arrived, msg

    def close(self) -> None:
        self.call.cancel()
        self.channel.close()


def log_in(browser: WebDriver, base: str, username: str) -> None:
    browser.get(f"{base}/login")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=username]").send_keys(username)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=password]").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=login]").click()
    WebDriverWait(browser, 15).until(ec.url_contains("/queue"))


def queue_rows(browser: WebDriver) -> dict[str, str]:
    """post_id -> institution of every row of the queue page now shown."""
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=queue-row]")
    return {r.get_attribute("data-post-id"): r.get_attribute("data-institution") for r in rows}


def held_post(post_id: str, institution: str = "demo-hospital", **extra: str) -> Post:
    return Post(
        post_id=post_id,
        institution_id=institution,
        platform="instagram",
        text=HELD_TEXT,
        author_id="rn-ward4",
        **extra,
    )


def test_a_reviewer_approves_a_held_post_with_an_edit(server: AllInOne, browser: WebDriver) -> None:
    base = f"http://127.0.0.1:{server.http_port}"
    stream = DecisionStream(server, "demo-hospital")
    try:
        held = stream.screen(held_post("ward4-001"))
        held_at = time.monotonic()
        assert held.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK) and held.version == 1

        log_in(browser, base, "alice")
        assert queue_rows(browser) == {"ward4-001": "demo-hospital"}
        browser.find_element(By.CSS_SELECTOR, "[data-post-id='ward4-001'] a.open").click()
        WebDriverWait(browser, 15).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=actions]"))
        )
        marks = browser.find_elements(By.CSS_SELECTOR, "[data-testid=finding-mark]")
        assert any("Marlowe" in m.text for m in marks), "the patient's name is highlighted as a finding"
        assert "Marlowe" not in browser.find_element(By.CSS_SELECTOR, "[data-testid=redacted-text]").text
        SCREENSHOT.parent.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))

        box = browser.find_element(By.CSS_SELECTOR, "[data-testid=edited-text]")
        box.clear()
        box.send_keys(EDITED_TEXT)
        browser.find_element(By.CSS_SELECTOR, "[data-testid=edit-note]").send_keys("removed the details")
        browser.find_element(By.CSS_SELECTOR, "[data-testid=edit]").click()
        WebDriverWait(browser, 20).until(ec.url_contains("/queue"))
        flash = browser.find_element(By.CSS_SELECTOR, "[data-testid=flash]").text
        assert "ward4-001" in flash and "version 2" in flash
        assert "ward4-001" not in queue_rows(browser)

        arrived, second = stream.next_version("ward4-001", 2)
        print(f"\nhold -> reviewer decision on StreamDecisions: {arrived - held_at:.2f} s (browser-driven)")
        assert second.verdict in (decision_pb2.ALLOW, decision_pb2.ALLOW_WITH_CHANGES)
        assert second.review.action == "approve_with_edits" and second.review.reviewer == "alice"
        assert second.review.based_on_version == 1 and second.author_id == "rn-ward4"
        assert second.text_sha256 != held.text_sha256  # the edited content, re-screened
        versions = server.audit.versions("ward4-001", "demo-hospital")
        assert [(r.version, r.review_action) for r in versions] == [(1, ""), (2, "approve_with_edits")]
        assert all("Marlowe" not in r.redacted_text for r in versions)
    finally:
        stream.close()


def test_an_edit_that_still_names_the_patient_is_refused(server: AllInOne, browser: WebDriver) -> None:
    base = f"http://127.0.0.1:{server.http_port}"
    stream = DecisionStream(server, "demo-hospital")
    try:
        stream.screen(held_post("ward4-002"))
        log_in(browser, base, "alice")
        browser.get(f"{base}/posts/demo-hospital/ward4-002")
        box = browser.find_element(By.CSS_SELECTOR, "[data-testid=edited-text]")
        box.clear()
        box.send_keys("Lovely chat with Mrs Edith Marlowe today.")
        browser.find_element(By.CSS_SELECTOR, "[data-testid=edit]").click()
        result = WebDriverWait(browser, 20).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=edit-result]"))
        )
        assert "nothing was published" in result.text
        assert server.desk.item("demo-hospital", "ward4-002").status.open
        assert server.audit.get("ward4-002", "demo-hospital").version == 1
    finally:
        stream.close()


def test_a_reviewer_cannot_see_or_act_on_another_institutions_post(
    server: AllInOne, browser: WebDriver
) -> None:
    base = f"http://127.0.0.1:{server.http_port}"
    river = DecisionStream(server, "riverside-clinic")
    try:
        river.screen(held_post("river-001", "riverside-clinic"))
        log_in(browser, base, "alice")
        assert "river-001" not in queue_rows(browser)
        browser.get(f"{base}/posts/riverside-clinic/river-001")
        page = browser.find_element(By.TAG_NAME, "body").text
        assert "Marlowe" not in page and "river-001" not in page.replace("/river-001", "")
        browser.get(f"{base}/posts/demo-hospital/does-not-exist")
        assert browser.find_element(By.TAG_NAME, "body").text == page.replace(
            "riverside-clinic", "demo-hospital"
        )
        # a forged approval with alice's own valid session and CSRF token is refused and changes nothing
        browser.get(f"{base}/queue")
        token = browser.execute_script(
            "const f = document.querySelector('input[type=hidden]'); return f ? [f.name, f.value] : null;"
        )
        assert token, "the queue page carries the CSRF token of the logout form"
        status = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const body = new URLSearchParams(); body.set(arguments[0], arguments[1]);"
            "fetch(arguments[2], {method: 'POST', body, credentials: 'same-origin', redirect: 'manual'})"
            ".then(r => done(r.status), () => done(-1));",
            token[0],
            token[1],
            f"{base}/act/approve/riverside-clinic/river-001",
        )
        assert status == 404
        assert server.desk.item("riverside-clinic", "river-001").status.open
        assert server.audit.get("river-001", "riverside-clinic").version == 1
        # rita, of that institution, does see it
        browser.delete_all_cookies()
        log_in(browser, base, "rita")
        assert queue_rows(browser) == {"river-001": "riverside-clinic"}
    finally:
        river.close()


def _missed(institution: str) -> float:
    return (
        REGISTRY.get_sample_value("postguard_review_deadline_missed_total", {"institution": institution})
        or 0.0
    )


def test_a_missed_deadline_keeps_the_post_unpublished(server: AllInOne, browser: WebDriver) -> None:
    base = f"http://127.0.0.1:{server.http_port}"
    stream = DecisionStream(server, "demo-hospital")
    before = _missed("demo-hospital")
    try:
        # due 30 minutes (the default policy's margin) before publishing: 2 seconds from now
        publish_at = datetime.now(UTC) + timedelta(minutes=30, seconds=2)
        held = stream.screen(
            held_post("ward4-late", scheduled_publish_at=publish_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        )
        assert held.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK) and held.review_deadline
        _, expired = stream.next_version("ward4-late", 2)
        assert expired.verdict == decision_pb2.BLOCK and expired.review.action == "deadline_missed"
        assert _missed("demo-hospital") == before + 1
        assert server.audit.get("ward4-late", "demo-hospital").review_action == "deadline_missed"
        log_in(browser, base, "alice")
        assert "ward4-late" not in queue_rows(browser)
        browser.get(f"{base}/missed")
        rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=expired-row]")
        assert any("ward4-late" in r.text for r in rows)
    finally:
        stream.close()


def test_the_queue_and_a_post_work_from_the_keyboard(server: AllInOne, browser: WebDriver) -> None:
    from selenium.webdriver.common.keys import Keys

    base = f"http://127.0.0.1:{server.http_port}"
    stream = DecisionStream(server, "demo-hospital")
    try:
        stream.screen(held_post("ward4-keys"))
        log_in(browser, base, "alice")
        assert "ward4-keys" in queue_rows(browser)
        order = [
            r.get_attribute("data-post-id")
            for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=queue-row]")
        ]
        for _ in range(order.index("ward4-keys") + 1):  # j moves down one row at a time, from none selected
            browser.switch_to.active_element.send_keys("j")
        selected = browser.find_element(By.CSS_SELECTOR, "[data-testid=queue-row].selected")
        assert selected.get_attribute("data-post-id") == "ward4-keys"
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 15).until(ec.url_contains("/posts/demo-hospital/ward4-keys"))
        browser.find_element(By.TAG_NAME, "body").send_keys("r")
        assert browser.switch_to.active_element.get_attribute("id") == "reject-note"
        browser.switch_to.active_element.send_keys("names the patient and the bed", Keys.ENTER)
        WebDriverWait(browser, 15).until(ec.url_contains("/queue"))
        assert server.audit.get("ward4-keys", "demo-hospital").review_action == "reject"
    finally:
        stream.close()
