"""Helpers for the chart tests: the real helm binary (built by `make helm`), rendering, lookups."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "postguard"
CI_VALUES = sorted((CHART / "ci").glob("*-values.yaml"))
KUBE_VERSION = "1.30.0"


def helm_binary() -> str:
    """The pinned helm from .cache/bin (or $HELM); fails loudly when it was not built."""
    path = os.environ.get("HELM") or str(ROOT / ".cache" / "bin" / "helm")
    assert Path(path).is_file(), f"helm not found at {path}: run `make helm`"
    return path


def run_helm(*args: str) -> subprocess.CompletedProcess[str]:
    """Run helm with ``args``; returns the completed process (never raises)."""
    return subprocess.run([helm_binary(), *args], capture_output=True, text=True, timeout=120)


def render(
    values_file: Path | None = None,
    *sets: str,
    release: str = "pg",
    kube_version: str = KUBE_VERSION,
) -> list[dict[str, Any]]:
    """``helm template`` the chart and return the rendered objects."""
    args = ["template", release, str(CHART), "--namespace", "clinical", "--kube-version", kube_version]
    if values_file is not None:
        args += ["-f", str(values_file)]
    for item in sets:
        args += ["--set", item]
    result = run_helm(*args)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Objects of one kind keyed by their component label (or name when there is none)."""
    out = {}
    for obj in objects:
        if obj["kind"] == kind:
            labels = obj["metadata"].get("labels", {})
            out[labels.get("app.kubernetes.io/component", obj["metadata"]["name"])] = obj
    return out


def env_of(deployment: dict[str, Any]) -> dict[str, Any]:
    """The first container's env as name -> value (or valueFrom)."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
