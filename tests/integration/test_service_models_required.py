"""A stream service whose required models cannot be loaded is never healthy: it exits 78 naming the path.

The real service processes (``postguard serve ...``, as the chart and ``make up`` run them) against the
real broker; the control run shows the same process on the same broker does become healthy when the
operator explicitly chose rules only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from postguard.devtools.kafka_broker import KafkaBroker
from postguard.devtools.stack import LocalStack, StackError, grpc_healthy

pytestmark = pytest.mark.integration

EXIT_MODELS_UNAVAILABLE = 78


def garbage_models(root: Path) -> Path:
    for name in ("ner", "textcat"):
        (root / name).mkdir(parents=True)
        (root / name / "meta.json").write_bytes(b"\x00\xff this is no model")
        (root / name / "model").write_bytes(b"\x00" * 256)
    return root


@pytest.fixture
def make_stack(kafka_broker: KafkaBroker, tmp_path: Path) -> Iterator:
    started: list[LocalStack] = []

    def make(env: dict[str, str]) -> LocalStack:
        own = f"it-models-{len(started)}-{time.monotonic_ns()}"
        group = {  # a consumer group and data dir of their own: never join the shared stack's groups
            "POSTGUARD_IDENTIFIER_DETECTION_CONSUMER_GROUP": own,
            "POSTGUARD_ADVICE_CLASSIFICATION_CONSUMER_GROUP": own,
        }
        stack = LocalStack(tmp_path / f"run{len(started)}", kafka_broker.bootstrap_servers, env=group | env)
        started.append(stack)
        return stack

    yield make
    for stack in started:
        stack.stop()


def wait_for_exit(stack: LocalStack, name: str, timeout: float = 120.0) -> int:
    """Wait until the service process ends, checking it never answered SERVING in the meantime."""
    proc = stack.processes[name]
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        assert not grpc_healthy(stack.grpc_target(name), timeout=0.5), f"{name} reported healthy"
        assert time.monotonic() < deadline, f"{name} still running after {timeout:.0f}s"
        time.sleep(0.2)
    return proc.returncode


def error_line(stack: LocalStack, name: str) -> dict:
    lines = [json.loads(x) for x in stack.log_path(name).read_text().splitlines() if x.startswith("{")]
    [error] = [x for x in lines if x["level"] == "ERROR"]
    return error


@pytest.mark.parametrize(
    ("service", "kind", "model_dir", "problem"),
    [
        ("identifier-detection", "missing", "ner", "directory not found"),
        ("identifier-detection", "corrupt", "ner", "meta.json is unreadable (UnicodeDecodeError)"),
        ("advice-classification", "missing", "textcat", "directory not found"),
    ],
)
def test_service_without_its_models_exits_78_and_is_never_healthy(
    make_stack, tmp_path: Path, service: str, kind: str, model_dir: str, problem: str
) -> None:
    models = tmp_path / "models-that-are-not-there"
    if kind == "corrupt":
        models = garbage_models(tmp_path / "corrupt-models")
    stack = make_stack({"POSTGUARD_MODELS_DIR": str(models), "POSTGUARD_USE_MODELS": "true"})
    stack.start_service(service)

    with pytest.raises(StackError, match=f"{service} exited with code {EXIT_MODELS_UNAVAILABLE}"):
        stack.wait_healthy([service], timeout=120)  # what `make up` and the stack fixture would see
    assert wait_for_exit(stack, service) == EXIT_MODELS_UNAVAILABLE
    assert not grpc_healthy(stack.grpc_target(service))

    error = error_line(stack, service)
    path = str(models / model_dir)
    assert error["model_path"] == path
    assert error["setting"] == "POSTGUARD_MODELS_DIR"
    assert error["service"] == service
    assert f"model at {path}: {problem}" in error["msg"]
    assert "POSTGUARD_MODELS_DIR" in error["msg"] and "POSTGUARD_USE_MODELS=false" in error["msg"]
    assert "Traceback" not in stack.log_path(service).read_text()  # one clear line, not a stack dump


def test_control_rules_only_by_choice_becomes_healthy(make_stack, tmp_path: Path) -> None:
    stack = make_stack(
        {"POSTGUARD_MODELS_DIR": str(tmp_path / "models-that-are-not-there"), "POSTGUARD_USE_MODELS": "false"}
    )
    stack.start_service("identifier-detection")
    stack.wait_healthy(["identifier-detection"], timeout=120)
    assert grpc_healthy(stack.grpc_target("identifier-detection"))
