"""``postguard screen --workers``: with the trained models, 1 and 2 workers write the same records."""

from __future__ import annotations

from pathlib import Path

import pytest
from postguard.cli import main
from test_screen_workers import posts, stable

pytestmark = [pytest.mark.models, pytest.mark.timeout(300)]


def test_with_the_trained_models_one_and_two_workers_write_the_same_records(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(posts(160)) + "\n", encoding="utf-8")
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.jsonl"
        argv = ["screen", "--input", str(src), "--output", str(out), "--workers", workers]
        assert main([*argv, "--batch-size", "32"]) == 1  # the bad JSON lines
        outputs.append(stable(out.read_bytes()))
    assert outputs[0] == outputs[1]
    assert b'"detector": "model:' in outputs[1]  # the models did screen
