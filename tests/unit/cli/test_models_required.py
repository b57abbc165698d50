"""`postguard screen` / `eval` when models cannot be loaded: exit 2 naming the path, unless rules only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from postguard.cli import main

pytestmark = pytest.mark.unit

TEXT = "My patient John Smith, 92, from Springfield was admitted 3/4 with chest pain."
GOLD = Path(__file__).resolve().parents[3] / "data" / "gold" / "posts.jsonl"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTGUARD_USE_MODELS", raising=False)
    monkeypatch.delenv("POSTGUARD_MODELS_DIR", raising=False)


def garbage_models(tmp_path: Path) -> Path:
    root = tmp_path / "garbage-models"
    for name in ("ner", "textcat"):
        (root / name).mkdir(parents=True)
        (root / name / "meta.json").write_bytes(b"\x00\xff not json")
        (root / name / "config.cfg").write_text("[nlp\nlang = ", encoding="utf-8")
    return root


def screen(tmp_path: Path, *options: str) -> int:
    out = tmp_path / "out.jsonl"
    return main(["screen", "--text", TEXT, "--output", str(out), *options])


def test_missing_models_dir_exits_2_naming_the_path_and_the_way_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-models"
    assert screen(tmp_path, "--models-dir", str(missing)) == 2
    err = capsys.readouterr().err
    assert err.startswith("postguard: error: models unavailable: ")
    assert f"NER model at {missing / 'ner'}: directory not found" in err
    assert "--models-dir" in err and "POSTGUARD_MODELS_DIR" in err
    assert "--no-models" in err and "POSTGUARD_USE_MODELS=false" in err
    assert not (tmp_path / "out.jsonl").exists()  # nothing was screened, not even with the rules


def test_models_dir_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "env-models"
    monkeypatch.setenv("POSTGUARD_MODELS_DIR", str(missing))
    assert screen(tmp_path) == 2
    assert str(missing / "ner") in capsys.readouterr().err


def test_option_wins_over_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTGUARD_MODELS_DIR", str(tmp_path / "from-env"))
    assert screen(tmp_path, "--models-dir", str(tmp_path / "from-option")) == 2
    err = capsys.readouterr().err
    assert "from-option" in err and "from-env" not in err


def test_corrupt_models_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = garbage_models(tmp_path)
    assert screen(tmp_path, "--models-dir", str(root)) == 2
    err = capsys.readouterr().err
    assert f"NER model at {root / 'ner'}: meta.json is unreadable" in err
    assert "not json" not in err


@pytest.mark.parametrize(
    ("options", "env"),
    [(["--no-models"], {}), ([], {"POSTGUARD_USE_MODELS": "false"}), ([], {"POSTGUARD_USE_MODELS": "0"})],
    ids=["--no-models", "env-false", "env-0"],
)
def test_rules_only_when_the_operator_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], env: dict[str, str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert screen(tmp_path, "--models-dir", str(tmp_path / "no-such-models"), *options) == 0
    [record] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert record["verdict"] in ("BLOCK", "REVIEW")
    assert all(not f["detector"].startswith("model:") for f in record["findings"])


def test_bad_use_models_value_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTGUARD_USE_MODELS", "perhaps")
    assert screen(tmp_path, "--models-dir", str(tmp_path / "x")) == 2
    assert "POSTGUARD_USE_MODELS must be true or false" in capsys.readouterr().err


def test_eval_exits_2_too_and_reports_rules_only_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(GOLD.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    missing = tmp_path / "no-such-models"
    assert main(["eval", str(gold), "--models-dir", str(missing)]) == 2
    captured = capsys.readouterr()
    assert str(missing / "ner") in captured.err and captured.out == ""
    monkeypatch.setenv("POSTGUARD_USE_MODELS", "false")
    assert main(["eval", str(gold), "--models-dir", str(missing)]) == 0
    assert "(models: off)" in capsys.readouterr().out


def test_the_process_exit_status_is_2(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-models"
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGUARD_")}
    proc = subprocess.run(
        [sys.executable, "-m", "postguard.cli", "screen", "--text", TEXT, "--models-dir", str(missing)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert str(missing / "ner") in proc.stderr
    assert proc.stdout == ""
