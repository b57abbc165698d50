"""``postguard serve``: every deployed service name maps to a module with ``run(argv) -> int``."""

from __future__ import annotations

import argparse
import importlib
import inspect

import pytest
from postguard import serve

pytestmark = pytest.mark.unit


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="postguard")
    serve.register(parser.add_subparsers(dest="command"))
    return parser


def test_serve_accepts_the_five_services() -> None:
    assert sorted(serve.SERVICE_MODULES) == [
        "advice-classification",
        "all-in-one",
        "identifier-detection",
        "image-screening",
        "ingest",
        "policy-decision",
        "review-console",
    ]
    args = _parser().parse_args(["serve", "policy-decision"])
    assert args.service == "policy-decision" and callable(args.handler)


def test_serve_rejects_unknown_service(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve", "billing"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(serve.SERVICE_MODULES))
def test_each_service_module_has_run(name: str) -> None:
    run = importlib.import_module(serve.SERVICE_MODULES[name]).run
    assert list(inspect.signature(run).parameters) == ["argv"]
