"""Decision webhooks delivered to a real loopback HTTP server: JSON body, HMAC signature, retry, metrics."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from postguard.domain.types import Decision, ReviewAction, ReviewStamp, Verdict
from postguard.http_api.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Webhook,
    WebhookConfigError,
    WebhookDispatcher,
    load_webhooks,
    sign,
    verify,
)
from prometheus_client import REGISTRY

SECRET = b"shared-webhook-secret"


class Receiver:
    """A loopback HTTP server answering the first ``fail_first`` POSTs with 503, then 204."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.delivered = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if len(receiver.requests) <= receiver.fail_first:
                    self.send_response(503)
                    self.end_headers()
                    return
                self.send_response(204)
                self.end_headers()
                receiver.delivered.set()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/postguard"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2)
    yield r
    r.close()


def decision(version: int = 1, institution: str = "demo-hospital") -> Decision:
    return Decision(
        post_id="p1",
        institution_id=institution,
        verdict=Verdict.ALLOW if version > 1 else Verdict.REVIEW,
        findings=(),
        reasons=(),
        redacted_text="",
        policy_id="demo",
        policy_version="1",
        text_sha256="ab" * 32,
        version=version,
        review=ReviewStamp(ReviewAction.APPROVE, "rev@demo", "2030-01-01T00:00:00Z", "", 1)
        if version > 1
        else None,
    )


def failures(reason: str) -> float:
    return REGISTRY.get_sample_value("postguard_webhook_failures_total", {"reason": reason}) or 0.0


def test_a_decision_is_delivered_signed_after_retries(receiver: Receiver) -> None:
    before = failures("http_status")
    hooks = {"demo-hospital": Webhook("demo-hospital", receiver.url, SECRET)}
    dispatcher = WebhookDispatcher(hooks, base_delay=0.01, max_delay=0.05)
    try:
        assert dispatcher.enqueue(decision(version=2))
        assert receiver.delivered.wait(10)
    finally:
        dispatcher.close()
    assert len(receiver.requests) == 3  # two 503s, then accepted
    assert failures("http_status") - before == 2
    headers, body = receiver.requests[-1]
    assert headers["content-type"] == "application/json"
    assert verify(SECRET, headers[TIMESTAMP_HEADER.lower()], body, headers[SIGNATURE_HEADER.lower()])
    assert not verify(
        b"another secret", headers[TIMESTAMP_HEADER.lower()], body, headers[SIGNATURE_HEADER.lower()]
    )
    payload = json.loads(body)
    assert payload["type"] == "decision"
    assert payload["decision"]["post_id"] == "p1" and payload["decision"]["version"] == 2
    assert payload["decision"]["review"]["action"] == "approve"
    # every attempt of one delivery carries the same delivery id
    assert len({h["x-postguard-delivery"] for h, _ in receiver.requests}) == 1


def test_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(SECRET, b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign(SECRET, "1700000000", b"{}") == f"sha256={expected}"


def test_institutions_without_a_webhook_are_skipped(receiver: Receiver) -> None:
    dispatcher = WebhookDispatcher({"demo-hospital": Webhook("demo-hospital", receiver.url, SECRET)})
    try:
        assert dispatcher.enqueue(decision(institution="riverside-clinic")) is False
    finally:
        dispatcher.close()
    assert receiver.requests == []


def test_an_unreachable_webhook_gives_up_counted_and_never_blocks_enqueue() -> None:
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens on that port any more
    before_network, before_gave_up = failures("network"), failures("gave_up")
    dispatcher = WebhookDispatcher(
        {"demo-hospital": Webhook("demo-hospital", url, SECRET)}, max_attempts=3, base_delay=0.01, timeout=1
    )
    try:
        assert dispatcher.enqueue(decision())
        waited = threading.Event()
        for _ in range(1500):  # up to 30 s
            if failures("gave_up") > before_gave_up:
                break
            waited.wait(0.02)
    finally:
        dispatcher.close()
    assert failures("network") - before_network == 3
    assert failures("gave_up") - before_gave_up == 1
    assert dispatcher.pending == 0


def test_a_full_queue_refuses_and_counts() -> None:
    before = failures("queue_full")
    gate, sending = threading.Event(), threading.Event()

    def stuck(request: object, timeout: float) -> int:
        sending.set()
        gate.wait(10)
        return 204

    dispatcher = WebhookDispatcher(
        {"demo-hospital": Webhook("demo-hospital", "http://127.0.0.1:9/", SECRET)}, max_pending=1, send=stuck
    )
    try:
        results = [dispatcher.enqueue(decision(1))]
        assert sending.wait(10)  # the one worker holds version 1: the queue (1 slot) is empty again
        results += [dispatcher.enqueue(decision(v)) for v in (2, 3)]
    finally:
        gate.set()
        dispatcher.close()
    assert results == [True, True, False]
    assert failures("queue_full") - before >= 1


def test_config_file_with_secret_file_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "demo.secret").write_text("s3cret\n")
    monkeypatch.setenv("RIVER_HOOK_SECRET", "other")
    config = tmp_path / "webhooks.yaml"
    config.write_text(
        "webhooks:\n"
        "  - {institution_id: demo-hospital, url: 'https://platform.example/h', secret_file: demo.secret}\n"
        "  - {institution_id: riverside-clinic, url: 'http://127.0.0.1:1/h', secret_env: RIVER_HOOK_SECRET}\n"
    )
    hooks = load_webhooks(config)
    assert hooks["demo-hospital"].secret == b"s3cret"
    assert hooks["riverside-clinic"].secret == b"other"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{institution_id: a, url: 'ftp://x', secret_env: HOME}", "url: must be an http"),
        ("{institution_id: a, url: 'https://x'}", "exactly one of secret_file or secret_env"),
        ("{institution_id: a, url: 'https://x', secret_env: POSTGUARD_NO_SUCH_VAR}", "is empty"),
        ("{url: 'https://x', secret_env: HOME}", "institution_id: is required"),
        ("{institution_id: a, url: 'https://x', secret_env: HOME, token: t}", "unknown key(s) token"),
    ],
)
def test_config_errors_name_the_entry(tmp_path: Path, entry: str, message: str) -> None:
    config = tmp_path / "webhooks.yaml"
    config.write_text(f"webhooks:\n  - {entry}\n")
    with pytest.raises(WebhookConfigError, match="webhooks\\[0\\]") as err:
        load_webhooks(config)
    assert message in str(err.value)
