"""``screen_remote`` and ``postguard screen --via grpc://`` through the running stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from postguard.devtools.stack import LocalStack
from postguard.domain.types import Post, Verdict
from postguard.remote import RemoteScreeningError, screen_remote
from stack_support import CLEAN_TEXT, IDENTIFIER_TEXT, new_id

pytestmark = pytest.mark.integration


def _post(text: str, institution: str = "demo-hospital") -> Post:
    return Post(post_id=new_id("it-remote"), institution_id=institution, platform="x", text=text)


def test_screen_remote_keeps_order(stack: LocalStack) -> None:
    posts = [_post(IDENTIFIER_TEXT if i % 3 == 0 else CLEAN_TEXT) for i in range(30)]
    decisions = list(screen_remote(f"grpc://{stack.grpc_target('ingest')}", posts, concurrency=8))
    assert [d.post_id for d in decisions] == [p.post_id for p in posts]
    for post, decision in zip(posts, decisions, strict=True):
        if post.text == IDENTIFIER_TEXT:
            assert decision.verdict in (Verdict.BLOCK, Verdict.REVIEW)


def test_screen_remote_raises_per_post_errors(stack: LocalStack) -> None:
    posts = [_post(CLEAN_TEXT), _post(CLEAN_TEXT, institution="nowhere"), _post(CLEAN_TEXT)]
    results = screen_remote(f"grpc://{stack.grpc_target('ingest')}", posts, concurrency=2)
    assert next(results).post_id == posts[0].post_id
    with pytest.raises(RemoteScreeningError) as info:
        next(results)
    assert info.value.post_id == posts[1].post_id
    assert info.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "unknown institution 'nowhere'" in str(info.value)


def test_cli_screen_via_grpc(stack: LocalStack, tmp_path: Path) -> None:
    base = {"institution_id": "demo-hospital", "platform": "x"}
    rows = [{**base, "post_id": new_id("it-cli"), "text": text} for text in (IDENTIFIER_TEXT, CLEAN_TEXT)]
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = subprocess.run(
        [
            *(sys.executable, "-m", "postguard.cli", "screen"),
            *("--via", f"grpc://{stack.grpc_target('ingest')}", "--input", str(source), "--format", "jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [o["post_id"] for o in out] == [r["post_id"] for r in rows]
    assert out[0]["verdict"] in ("BLOCK", "REVIEW") and out[1]["verdict"] == "ALLOW"
