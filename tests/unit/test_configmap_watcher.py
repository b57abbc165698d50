"""Policy hot reload from ConfigMaps, against RECORDED Kubernetes API responses.

No API server can run here, so a loopback HTTP server replays responses recorded from a real API server
(ConfigMapList bodies, newline-delimited watch events, the 410 Gone ``Status`` an expired watch returns).
The real ``kubernetes`` client talks to it over HTTP, so request building, watch-stream parsing and
deserialization are the client's own; only the server side is a recording.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from kubernetes import client
from postguard.domain.policy import PolicyRegistry
from postguard.policy_decision.configmap_watcher import (
    ConfigMapWatchSettings,
    PolicyConfigMapWatcher,
    pod_namespace,
    policy_documents,
    start_configmap_watcher,
)
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

NAMESPACE = "clinical"
SELECTOR = "postguard.io/policies=true"


def policy(institution: str, version: str, default_action: str = "review") -> str:
    return (
        f"policy_id: {institution}\nversion: {version!r}\ninstitutions: [{institution}]\n"
        f"default_action: {default_action}\nidentifiers:\n  PERSON: block\n"
    )


def configmap(name: str, rv: str, data: dict[str, str]) -> dict[str, Any]:
    """A ConfigMap as the API server returns it."""
    return {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "uid": f"0b6c1f0e-{rv:0>4}-4d7e-9a57-3c2f{rv:0>8}",
            "resourceVersion": rv,
            "creationTimestamp": "2025-01-10T09:00:00Z",
            "labels": {"app.kubernetes.io/name": "postguard", "postguard.io/policies": "true"},
        },
        "data": data,
    }


def listing(rv: str, *items: dict[str, Any]) -> dict[str, Any]:
    """A ConfigMapList response (GET /api/v1/namespaces/<ns>/configmaps?labelSelector=...)."""
    return {
        "kind": "ConfigMapList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": rv},
        "items": list(items),
    }


def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "object": obj}


GONE = event(
    "ERROR",
    {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "too old resource version: 1000 (1250)",
        "reason": "Expired",
        "code": 410,
    },
)
BOOKMARK = event(
    "BOOKMARK", {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": "1400"}}
)


class RecordedApiServer:
    """Replays scripted responses: each list/watch request takes the next recording of its kind."""

    def __init__(self) -> None:
        self.lists: list[tuple[int, dict[str, Any]]] = []
        self.watches: list[tuple[int, list[dict[str, Any]] | dict[str, Any]]] = []
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.release = threading.Event()  # an idle watch (no recording left) is held open until this is set
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query)
                server.requests.append((url.path, query))
                is_watch = query.get("watch") == ["true"]
                queue = server.watches if is_watch else server.lists
                if not queue:
                    server.release.wait(10)
                    status, body = 200, []
                else:
                    status, body = queue.pop(0)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if isinstance(
                    body, list
                ):  # a watch stream: one JSON event per line, then the server closes it
                    for item in body:
                        self.wfile.write(json.dumps(item).encode() + b"\n")
                        self.wfile.flush()
                else:
                    self.wfile.write(json.dumps(body).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def core_api(self) -> client.CoreV1Api:
        config = client.Configuration()
        config.host = f"http://127.0.0.1:{self.httpd.server_port}"
        return client.CoreV1Api(client.ApiClient(config))

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def api() -> Iterator[RecordedApiServer]:
    server = RecordedApiServer()
    yield server
    server.close()


class Reloads:
    """The callback policy-decision passes: records every registry it is handed."""

    def __init__(self) -> None:
        self.registries: list[PolicyRegistry] = []

    def __call__(self, registry: PolicyRegistry) -> None:
        self.registries.append(registry)

    def versions(self) -> list[dict[str, str]]:
        return [{p.policy_id: p.version for p in r.policies} for r in self.registries]


def reloads_total(result: str) -> float:
    return REGISTRY.get_sample_value("postguard_policy_reloads_total", {"result": result}) or 0.0


def make_watcher(api: RecordedApiServer, reloads: Reloads, **kwargs: Any) -> PolicyConfigMapWatcher:
    return PolicyConfigMapWatcher(api.core_api(), NAMESPACE, SELECTOR, reloads, timeout_seconds=30, **kwargs)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_list_loads_valid_policies_from_labelled_configmaps(api: RecordedApiServer) -> None:
    api.lists.append(
        (
            200,
            listing(
                "1000",
                configmap("pg-postguard-policies", "990", {"northside.yaml": policy("northside", "1")}),
            ),
        )
    )
    reloads = Reloads()
    ok_before = reloads_total("ok")

    assert make_watcher(api, reloads).sync() == "1000"

    assert reloads.versions() == [{"northside": "1"}]
    assert reloads.registries[0].knows("northside")
    assert reloads_total("ok") == ok_before + 1
    path, query = api.requests[0]
    assert path == f"/api/v1/namespaces/{NAMESPACE}/configmaps"
    assert query["labelSelector"] == [SELECTOR]


def test_watch_events_reload_and_a_bad_policy_is_refused(
    api: RecordedApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    name = "pg-postguard-policies"
    api.lists.append(
        (200, listing("1000", configmap(name, "990", {"northside.yaml": policy("northside", "1")})))
    )
    api.watches.append(
        (
            200,
            [
                event("MODIFIED", configmap(name, "1001", {"northside.yaml": policy("northside", "2")})),
                event(
                    "MODIFIED", configmap(name, "1002", {"northside.yaml": policy("northside", "3", "blokc")})
                ),
                event("MODIFIED", configmap(name, "1003", {"northside.yaml": "policy_id: [unclosed\n"})),
                event("MODIFIED", configmap(name, "1004", {"northside.yaml": policy("northside", "4")})),
            ],
        )
    )
    reloads = Reloads()
    watcher = make_watcher(api, reloads)
    rejected_before = reloads_total("rejected")
    watcher.sync()

    with caplog.at_level(logging.INFO, logger="postguard.policy_decision.configmap_watcher"):
        assert watcher.watch_once() is True  # the recorded stream ends: resume, no re-list

    assert reloads.versions() == [{"northside": "1"}, {"northside": "2"}, {"northside": "4"}]
    assert reloads_total("rejected") == rejected_before + 2
    refused = [r for r in caplog.records if r.getMessage().startswith("policy reload rejected")]
    assert len(refused) == 2
    assert refused[0].levelno == logging.WARNING
    assert "unknown action 'blokc'" in refused[0].error and f"{name}/northside.yaml" in refused[0].error
    assert "not valid YAML" in refused[1].error
    assert refused[0].configmaps == [name]
    assert watcher.resource_version == "1004"
    _, query = api.requests[1]
    assert query["watch"] == ["true"] and query["resourceVersion"] == ["1000"]
    assert query["labelSelector"] == [SELECTOR] and query["allowWatchBookmarks"] == ["true"]


def test_a_resumed_watch_starts_from_the_last_event(api: RecordedApiServer) -> None:
    name = "pg-postguard-policies"
    api.lists.append((200, listing("1000", configmap(name, "990", {"a.yaml": policy("northside", "1")}))))
    api.watches.append(
        (200, [event("MODIFIED", configmap(name, "1100", {"a.yaml": policy("northside", "2")}))])
    )
    api.watches.append((200, [BOOKMARK]))
    api.watches.append((200, []))
    watcher = make_watcher(api, Reloads())
    watcher.sync()
    assert watcher.watch_once() and watcher.watch_once() and watcher.watch_once()
    resumed = [q["resourceVersion"] for _, q in api.requests if q.get("watch") == ["true"]]
    assert resumed == [["1000"], ["1100"], ["1400"]]
    assert watcher.lists == 1


@pytest.mark.parametrize("gone", ["error-event", "http-status"])
def test_410_gone_makes_the_watcher_relist(api: RecordedApiServer, gone: str) -> None:
    name = "pg-postguard-policies"
    api.lists.append((200, listing("1000", configmap(name, "990", {"a.yaml": policy("northside", "1")}))))
    if gone == "error-event":
        api.watches.append((200, [GONE]))
    else:
        api.watches.append((410, GONE["object"]))
    # The change made while the watch was expired is only visible in the new listing.
    api.lists.append((200, listing("1250", configmap(name, "1200", {"a.yaml": policy("northside", "2")}))))
    reloads = Reloads()
    watcher = make_watcher(api, reloads)
    watcher.sync()

    assert watcher.watch_once() is False
    assert watcher.resource_version is None
    watcher.sync()

    assert watcher.lists == 2
    assert reloads.versions() == [{"northside": "1"}, {"northside": "2"}]


def test_a_relist_with_unchanged_policies_does_not_reload(api: RecordedApiServer) -> None:
    cm = configmap("pg-postguard-policies", "990", {"a.yaml": policy("northside", "1")})
    api.lists += [(200, listing("1000", cm)), (200, listing("1300", cm))]
    reloads = Reloads()
    watcher = make_watcher(api, reloads)
    watcher.sync()
    watcher.sync()
    assert len(reloads.registries) == 1


def test_several_configmaps_merge_and_deletion_removes_their_policies(
    api: RecordedApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    north = configmap(
        "north-policies", "990", {"north.yaml": policy("northside", "1"), "README.md": "# notes"}
    )
    south = configmap("south-policies", "991", {"south.yml": policy("southside", "7")})
    api.lists.append((200, listing("1000", north, south)))
    api.watches.append(
        (200, [event("DELETED", dict(south, metadata={**south["metadata"], "resourceVersion": "1001"}))])
    )
    api.watches.append(
        (200, [event("DELETED", dict(north, metadata={**north["metadata"], "resourceVersion": "1002"}))])
    )
    reloads = Reloads()
    watcher = make_watcher(api, reloads)
    watcher.sync()
    assert reloads.registries[-1].institutions == ("northside", "southside")

    watcher.watch_once()
    assert reloads.registries[-1].institutions == ("northside",)

    with caplog.at_level(logging.WARNING, logger="postguard.policy_decision.configmap_watcher"):
        watcher.watch_once()
    assert len(reloads.registries) == 2, "no ConfigMap left: keep the current policies rather than none"
    assert any("no policy ConfigMaps" in r.getMessage() for r in caplog.records)


def test_two_configmaps_claiming_one_institution_are_refused(api: RecordedApiServer) -> None:
    api.lists.append(
        (
            200,
            listing(
                "1000",
                configmap("a", "990", {"x.yaml": policy("northside", "1")}),
                configmap("b", "991", {"y.yaml": policy("northside", "2")}),
            ),
        )
    )
    reloads = Reloads()
    before = reloads_total("rejected")
    make_watcher(api, reloads).sync()
    assert reloads.registries == []
    assert reloads_total("rejected") == before + 1


def test_run_loop_relists_after_gone_and_retries_after_api_errors(api: RecordedApiServer) -> None:
    name = "pg-postguard-policies"
    forbidden = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": "Forbidden",
        "code": 403,
    }
    api.lists.append((403, forbidden))  # RBAC not there yet: retry after retry_seconds
    api.lists.append((200, listing("1000", configmap(name, "990", {"a.yaml": policy("northside", "1")}))))
    api.watches.append(
        (200, [event("MODIFIED", configmap(name, "1001", {"a.yaml": policy("northside", "2")}))])
    )
    api.watches.append((200, [GONE]))
    api.lists.append((200, listing("1300", configmap(name, "1250", {"a.yaml": policy("northside", "3")}))))
    reloads = Reloads()
    watcher = make_watcher(api, reloads, retry_seconds=0.05)
    watcher.start()
    try:
        wait_until(lambda: len(reloads.registries) == 3)
        wait_until(lambda: len(api.requests) == 6)  # ...and the last watch is open, from the new listing
    finally:
        watcher.stop(timeout=0.1)
        api.release.set()
        watcher.stop(timeout=5)
    assert reloads.versions() == [{"northside": "1"}, {"northside": "2"}, {"northside": "3"}]
    assert watcher.lists == 2, "two successful listings (the 403 one failed)"
    assert [q.get("watch", ["list"])[0] for _, q in api.requests] == [
        "list",
        "list",
        "true",
        "true",
        "list",
        "true",
    ]
    assert api.requests[-1][1]["resourceVersion"] == ["1300"]


def test_policy_documents_take_only_yaml_keys() -> None:
    docs = policy_documents({"b": {"z.yaml": "1", "notes.txt": "x"}, "a": {"p.yml": "2"}})
    assert docs == {"a/p.yml": "2", "b/z.yaml": "1"}


def test_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTGUARD_POLICY_DECISION_WATCH_CONFIGMAPS", raising=False)
    assert ConfigMapWatchSettings().watch_configmaps is False
    assert start_configmap_watcher(Reloads()) is None


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_WATCH_CONFIGMAPS", "true")
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_CONFIGMAP_LABEL_SELECTOR", "team=comms")
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_CONFIGMAP_NAMESPACE", "clinical")
    settings = ConfigMapWatchSettings()
    assert (settings.watch_configmaps, settings.configmap_label_selector, settings.configmap_namespace) == (
        True,
        "team=comms",
        "clinical",
    )


def test_enabled_watcher_starts_and_delivers_policies(
    api: RecordedApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What policy-decision's service.py does with the setting on (API client injected: no cluster here)."""
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_WATCH_CONFIGMAPS", "true")
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_CONFIGMAP_NAMESPACE", NAMESPACE)
    api.lists.append((200, listing("1000", configmap("p", "990", {"a.yaml": policy("northside", "1")}))))
    reloads = Reloads()
    watcher = start_configmap_watcher(reloads, core_api=api.core_api())
    assert watcher is not None
    try:
        wait_until(lambda: len(reloads.registries) == 1)
    finally:
        api.release.set()
        watcher.stop()
    assert watcher.namespace == NAMESPACE and watcher.label_selector == SELECTOR


def test_namespace_defaults_to_the_service_account_file(tmp_path: Path) -> None:
    (tmp_path / "namespace").write_text("clinical-prod\n")
    assert pod_namespace(tmp_path / "namespace") == "clinical-prod"
