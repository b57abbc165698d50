"""Policy hot reload on Kubernetes: watch labelled ConfigMaps, swap in validated policies without a restart.

The watcher lists the ConfigMaps matching a label selector in one namespace, then follows a watch from the
list's resourceVersion. Every change rebuilds the full policy set from all matching ConfigMaps (each
``*.yaml`` / ``*.yml`` key is one policy document, named ``<configmap>/<key>``) and validates it with
``PolicyRegistry.from_documents`` before handing it to the callback. A set that does not validate is refused:
the callback is not called (the old policies stay in force),
``postguard_policy_reloads_total{result="rejected"}`` is counted and a warning is logged with the ConfigMap
names and the validation error. A watch that ends is
resumed from the last resourceVersion; ``410 Gone`` (history expired) makes it re-list.

Off by default: only when ``POSTGUARD_POLICY_DECISION_WATCH_CONFIGMAPS=true`` (the Helm chart sets it together
with a read-only Role when ``policies.watch.enabled``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from postguard.core.metrics import POLICY_RELOADS
from postguard.domain.policy import PolicyRegistry
from postguard.domain.policy.registry import PolicyError

log = logging.getLogger(__name__)

SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
HTTP_GONE = 410
POLICY_SUFFIXES = (".yaml", ".yml")

ReloadCallback = Callable[[PolicyRegistry], None]


class ConfigMapWatchSettings(BaseSettings):
    """Hot-reload settings of policy-decision (prefix ``POSTGUARD_POLICY_DECISION_``)."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_POLICY_DECISION_", extra="ignore")

    watch_configmaps: bool = Field(
        False, description="Watch labelled ConfigMaps through the Kubernetes API and hot-reload policies."
    )
    configmap_label_selector: str = Field(
        "postguard.io/policies=true",
        min_length=1,
        description="Label selector of the ConfigMaps that hold policy YAML (one policy per *.yaml key).",
    )
    configmap_namespace: str = Field(
        "", description="Namespace to watch; empty = the pod's own namespace (service-account file)."
    )
    watch_timeout_seconds: int = Field(
        300, ge=10, le=3600, description="Server-side timeout of one watch request (then it is resumed)."
    )
    retry_seconds: float = Field(
        5.0, gt=0, le=300, description="Pause before re-listing after an API error (server down, 403...)."
    )


def policy_documents(configmaps: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Policy YAML texts keyed ``<configmap>/<key>`` from ConfigMap name -> data; other keys are ignored."""
    return {
        f"{name}/{key}": text
        for name, data in sorted(configmaps.items())
        for key, text in sorted((data or {}).items())
        if key.endswith(POLICY_SUFFIXES)
    }


class PolicyConfigMapWatcher:
    """Keeps a callback supplied with the validated policies found in labelled ConfigMaps."""

    def __init__(
        self,
        core_api: Any,
        namespace: str,
        label_selector: str,
        on_reload: ReloadCallback,
        *,
        timeout_seconds: int = 300,
        retry_seconds: float = 5.0,
    ) -> None:
        self._api = core_api
        self.namespace = namespace
        self.label_selector = label_selector
        self._on_reload = on_reload
        self._timeout_seconds = timeout_seconds
        self._retry_seconds = retry_seconds
        self._configmaps: dict[str, dict[str, str]] = {}
        self._last_documents: dict[str, str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watch: Any = None
        self.resource_version: str | None = None
        self.lists = 0
        """Successful listings of the ConfigMaps: the first, then one per 410 Gone or recovered API error."""
        # Both series exist from the start: `increase(...{result="rejected"}[15m])` sees the first rejection.
        POLICY_RELOADS.labels(result="ok")
        POLICY_RELOADS.labels(result="rejected")

    # -- one step at a time (what the tests drive) ----------------------------------------------------------

    def sync(self) -> str:
        """List the matching ConfigMaps, apply them, and return the list's resourceVersion."""
        listing = self._api.list_namespaced_config_map(self.namespace, label_selector=self.label_selector)
        self.lists += 1
        self._configmaps = {cm.metadata.name: dict(cm.data or {}) for cm in listing.items}
        self.resource_version = listing.metadata.resource_version
        self._apply()
        return self.resource_version

    def watch_once(self) -> bool:
        """Follow one watch request from ``resource_version``; False when the caller must re-list (410)."""
        from kubernetes import watch
        from kubernetes.client.exceptions import ApiException

        self._watch = watch.Watch()
        try:
            for event in self._watch.stream(
                self._api.list_namespaced_config_map,
                self.namespace,
                label_selector=self.label_selector,
                resource_version=self.resource_version,
                timeout_seconds=self._timeout_seconds,
                allow_watch_bookmarks=True,
            ):
                self._handle(event)
                if self._stop.is_set():
                    break
        except ApiException as exc:
            if exc.status == HTTP_GONE:
                log.info("policy watch expired (410 Gone): re-listing ConfigMaps", extra=self._where())
                self.resource_version = None
                return False
            raise
        finally:
            self._watch = None
        return True

    def _handle(self, event: Mapping[str, Any]) -> None:
        kind = event["type"]
        if kind == "BOOKMARK":
            self.resource_version = event["raw_object"]["metadata"]["resourceVersion"]
            return
        configmap = event["object"]
        name = configmap.metadata.name
        self.resource_version = configmap.metadata.resource_version
        if kind == "DELETED":
            self._configmaps.pop(name, None)
        elif kind in ("ADDED", "MODIFIED"):
            self._configmaps[name] = dict(configmap.data or {})
        else:
            return
        self._apply()

    def _apply(self) -> None:
        documents = policy_documents(self._configmaps)
        if documents == self._last_documents:
            return  # a re-list or an unrelated change: nothing to reload (and nothing to count twice)
        self._last_documents = documents
        sources = sorted(self._configmaps)
        if not documents:
            log.warning(
                "no policy ConfigMaps match the selector: keeping the current policies",
                extra={**self._where(), "configmaps": sources},
            )
            return
        try:
            registry = PolicyRegistry.from_documents(documents)
        except PolicyError as exc:
            POLICY_RELOADS.labels(result="rejected").inc()
            log.warning(
                "policy reload rejected: keeping the current policies",
                extra={**self._where(), "configmaps": sources, "error": str(exc)},
            )
            return
        self._on_reload(registry)
        POLICY_RELOADS.labels(result="ok").inc()
        log.info(
            "policies reloaded",
            extra={
                **self._where(),
                "configmaps": sources,
                "policies": [f"{p.policy_id}@{p.version}" for p in registry.policies],
                "institutions": len(registry.institutions),
            },
        )

    def _where(self) -> dict[str, str]:
        return {"namespace": self.namespace, "selector": self.label_selector}

    # -- the loop -------------------------------------------------------------------------------------------

    def run(self) -> None:
        """List, then watch until ``stop()``; re-lists after 410 Gone and retries after API errors."""
        while not self._stop.is_set():
            try:
                if self.resource_version is None:
                    self.sync()
                if not self.watch_once():
                    continue
            except Exception as exc:  # the API server away, 403, a broken connection: retry, never die
                if self._stop.is_set():
                    break
                log.warning(
                    "policy watch failed: retrying",
                    extra={
                        **self._where(),
                        "error": type(exc).__name__,
                        "retry_seconds": self._retry_seconds,
                    },
                )
                self.resource_version = None
                self._stop.wait(self._retry_seconds)

    def start(self) -> threading.Thread:
        """Run the watch loop in a daemon thread."""
        self._thread = threading.Thread(target=self.run, name="policy-configmap-watch", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the loop (an open watch ends at its next event or timeout) and wait for the thread."""
        self._stop.set()
        current = self._watch
        if current is not None:
            current.stop()
        if self._thread is not None:
            self._thread.join(timeout)


def pod_namespace(path: Path = SERVICE_ACCOUNT_NAMESPACE) -> str:
    """The pod's namespace from its service-account mount."""
    return path.read_text(encoding="utf-8").strip()


def start_configmap_watcher(
    on_reload: ReloadCallback,
    settings: ConfigMapWatchSettings | None = None,
    core_api: Any | None = None,
) -> PolicyConfigMapWatcher | None:
    """Start watching when ``watch_configmaps`` is on; None when it is off.

    ``core_api`` defaults to a ``CoreV1Api`` with the pod's in-cluster credentials (service-account token).
    """
    settings = settings or ConfigMapWatchSettings()
    if not settings.watch_configmaps:
        return None
    if core_api is None:
        from kubernetes import client, config

        config.load_incluster_config()
        core_api = client.CoreV1Api()
    namespace = settings.configmap_namespace or pod_namespace()
    watcher = PolicyConfigMapWatcher(
        core_api,
        namespace,
        settings.configmap_label_selector,
        on_reload,
        timeout_seconds=settings.watch_timeout_seconds,
        retry_seconds=settings.retry_seconds,
    )
    watcher.start()
    log.info("watching policy ConfigMaps", extra={"namespace": namespace, "selector": watcher.label_selector})
    return watcher
