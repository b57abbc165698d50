"""Outbound webhooks: every new decision version POSTed to its institution's callback URL, signed.

The config file (YAML) lists one callback per institution::

    webhooks:
      - institution_id: demo-hospital
        url: https://platform.example/postguard/decisions
        secret_file: /run/secrets/demo-hospital-webhook   # or secret_env: DEMO_WEBHOOK_SECRET

Each delivery is ``{"type": "decision", "delivery_id": ..., "decision": <decision JSON>}`` with headers
``X-PostGuard-Timestamp`` (Unix seconds) and ``X-PostGuard-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>" keyed by the secret>``. :class:`WebhookDispatcher` delivers from one background
thread: ``enqueue`` never blocks screening; a failed delivery (network error, non-2xx) is retried with
exponential backoff up to ``max_attempts``, and every failure is counted in
``postguard_webhook_failures_total{reason}``. Versions of one post may arrive out of order after a
retry: receivers keep the highest ``version``.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import Counter

from postguard.domain.serialization import decision_to_dict
from postguard.domain.types import Decision

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-PostGuard-Signature"
TIMESTAMP_HEADER = "X-PostGuard-Timestamp"
DELIVERY_HEADER = "X-PostGuard-Delivery"

WEBHOOK_DELIVERIES = Counter(
    "postguard_webhook_deliveries_total", "Decision webhooks delivered (2xx answer from the platform)."
)
WEBHOOK_FAILURES = Counter(
    "postguard_webhook_failures_total",
    "Failed webhook attempts, by reason: http_status (non-2xx), network, gave_up (no attempts left), "
    "queue_full (not queued: too many pending deliveries).",
    ["reason"],
)
FAILURE_REASONS = ("http_status", "network", "gave_up", "queue_full")


class WebhookConfigError(ValueError):
    """The webhook config is invalid; the message names the file and the entry (never a secret)."""


@dataclass(frozen=True, slots=True)
class Webhook:
    """One institution's callback."""

    institution_id: str
    url: str
    secret: bytes


def _secret(raw: Mapping[str, Any], where: str, base: Path) -> bytes:
    if ("secret_file" in raw) == ("secret_env" in raw):
        raise WebhookConfigError(f"{where}: give exactly one of secret_file or secret_env")
    if "secret_env" in raw:
        value = os.environ.get(str(raw["secret_env"]), "")
        if not value.strip():
            raise WebhookConfigError(
                f"{where}.secret_env: environment variable {raw['secret_env']!r} is empty"
            )
        return value.strip().encode()
    path = Path(str(raw["secret_file"]))
    path = path if path.is_absolute() else base / path
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise WebhookConfigError(
            f"{where}.secret_file: {path} cannot be read ({type(exc).__name__})"
        ) from None
    if not value:
        raise WebhookConfigError(f"{where}.secret_file: {path} is empty")
    return value.encode()


def load_webhooks(path: Path) -> dict[str, Webhook]:
    """Read the webhook config: institution_id -> :class:`Webhook`."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise WebhookConfigError(f"{path}: cannot be read ({type(exc).__name__})") from None
    except yaml.YAMLError:
        raise WebhookConfigError(f"{path}: not valid YAML") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("webhooks"), list):
        raise WebhookConfigError(f"{path}: the top level must be a mapping with a list 'webhooks'")
    out: dict[str, Webhook] = {}
    for i, raw in enumerate(data["webhooks"]):
        where = f"{path}: webhooks[{i}]"
        if not isinstance(raw, Mapping):
            raise WebhookConfigError(f"{where}: must be a mapping with institution_id, url and a secret")
        unknown = sorted(set(map(str, raw)) - {"institution_id", "url", "secret_file", "secret_env"})
        if unknown:
            raise WebhookConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
        institution = str(raw.get("institution_id") or "").strip()
        url = str(raw.get("url") or "").strip()
        if not institution:
            raise WebhookConfigError(f"{where}.institution_id: is required")
        if not url.startswith(("http://", "https://")):
            raise WebhookConfigError(f"{where}.url: must be an http:// or https:// URL")
        if institution in out:
            raise WebhookConfigError(f"{where}: institution {institution!r} already has a webhook")
        out[institution] = Webhook(institution, url, _secret(raw, where, Path(path).parent))
    return out


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of ``timestamp.body``."""
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """True when ``signature`` is the one :func:`sign` makes (constant-time comparison); for receivers."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(order=True)
class _Delivery:
    due: float
    seq: int
    webhook: Webhook = None  # type: ignore[assignment]
    body: bytes = b""
    delivery_id: str = ""
    post_id: str = ""
    attempt: int = 0


Sender = Callable[[urllib.request.Request, float], int]


def _urllib_send(request: urllib.request.Request, timeout: float) -> int:
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


class WebhookDispatcher:
    """Delivers decision versions to the institutions' webhooks from one background thread."""

    def __init__(
        self,
        webhooks: Mapping[str, Webhook],
        *,
        max_attempts: int = 8,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        timeout: float = 5.0,
        max_pending: int = 10_000,
        send: Sender = _urllib_send,
    ) -> None:
        self.webhooks = dict(webhooks)
        self.max_attempts, self.base_delay, self.max_delay = max_attempts, base_delay, max_delay
        self.timeout, self.max_pending = timeout, max_pending
        self._send = send
        self._heap: list[_Delivery] = []
        self._cond = threading.Condition()
        self._seq = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()

    def enqueue(self, decision: Decision) -> bool:
        """Queue ``decision`` for its institution's webhook (none configured: False). Never blocks."""
        webhook = self.webhooks.get(decision.institution_id)
        if webhook is None:
            return False
        delivery_id = str(uuid.uuid4())
        body = json.dumps(
            {"type": "decision", "delivery_id": delivery_id, "decision": decision_to_dict(decision)},
            separators=(",", ":"),
        ).encode()
        with self._cond:
            if len(self._heap) >= self.max_pending:
                WEBHOOK_FAILURES.labels(reason="queue_full").inc()
                log.error("webhook queue full; delivery dropped", extra={"post_id": decision.post_id})
                return False
            self._seq += 1
            heapq.heappush(
                self._heap,
                _Delivery(time.monotonic(), self._seq, webhook, body, delivery_id, decision.post_id),
            )
            self._cond.notify()
        return True

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread (pending deliveries are not retried further)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _next(self) -> _Delivery | None:
        with self._cond:
            while not self._stopping:
                if self._heap and self._heap[0].due <= time.monotonic():
                    return heapq.heappop(self._heap)
                wait = self._heap[0].due - time.monotonic() if self._heap else None
                self._cond.wait(wait)
            return None

    def _run(self) -> None:
        while (delivery := self._next()) is not None:
            self._attempt(delivery)

    def _attempt(self, delivery: _Delivery) -> None:
        delivery.attempt += 1
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            delivery.webhook.url,
            data=delivery.body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "postguard-webhooks",
                TIMESTAMP_HEADER: timestamp,
                DELIVERY_HEADER: delivery.delivery_id,
                SIGNATURE_HEADER: sign(delivery.webhook.secret, timestamp, delivery.body),
            },
        )
        reason = ""
        try:
            status = self._send(request, self.timeout)
            reason = "" if 200 <= status < 300 else "http_status"
        except urllib.error.HTTPError:
            reason = "http_status"
        except (OSError, ValueError):
            reason = "network"
        if not reason:
            WEBHOOK_DELIVERIES.inc()
            return
        WEBHOOK_FAILURES.labels(reason=reason).inc()
        extra = {"post_id": delivery.post_id, "institution_id": delivery.webhook.institution_id}
        if delivery.attempt >= self.max_attempts:
            WEBHOOK_FAILURES.labels(reason="gave_up").inc()
            log.error("webhook delivery gave up", extra={**extra, "attempts": delivery.attempt})
            return
        delay = min(self.base_delay * 2 ** (delivery.attempt - 1), self.max_delay)
        log.warning(
            "webhook delivery failed; retrying", extra={**extra, "reason": reason, "in_seconds": delay}
        )
        with self._cond:
            delivery.due = time.monotonic() + delay
            heapq.heappush(self._heap, delivery)
            self._cond.notify()
