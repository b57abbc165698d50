"""``postguard screen --workers N``: in-process records, in input order; worker failures fail closed.

The killed-worker tests need no hook in the product: workers are forked from this test process, so a
pipeline patched here kills the worker process itself (SIGKILL) when it meets a chosen post.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from postguard import cli
from postguard.cli import main
from postguard.embedded import parallel
from postguard.embedded.runner import build_pipeline, numbered_lines

pytestmark = [pytest.mark.unit, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = [x for x in (ROOT / "samples" / "posts.jsonl").read_text(encoding="utf-8").splitlines() if x]
# per-batch clock readings (the review deadline of a held post is computed from the decision time)
VOLATILE = re.compile(r'"(timings": \{[^}]*\}|decided_at": "[^"]*"|review_deadline": "[^"]*")')


def posts(count: int, *, poison: str = "") -> list[str]:
    """``count`` lines: the bundled samples under new ids, with bad lines, blank lines and ``poison``."""
    lines = []
    for i in range(count):
        record = json.loads(SAMPLES[i % len(SAMPLES)])
        record["post_id"] = poison if poison and i == count // 2 else f"w-{i:04d}"
        if i % 37 == 5 and record["post_id"] != poison:
            lines.append('{"post_id": "broken", "text": ')  # bad JSON: an error record
        elif i % 53 == 7 and record["post_id"] != poison:
            lines.append("")  # skipped, but it still counts in line numbers
        else:
            lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def screen(tmp_path: Path, lines: list[str], *extra: str) -> tuple[int, bytes]:
    src, out = tmp_path / "in.jsonl", tmp_path / f"out-{len(list(tmp_path.iterdir()))}.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["screen", "--input", str(src), "--output", str(out), "--no-models", *extra])
    return code, out.read_bytes()


def stable(output: bytes) -> bytes:
    """The output without the per-batch timings and decision clock, every other byte kept."""
    return VOLATILE.sub(lambda m: m.group(0).split(":")[0] + ': "-"', output.decode("utf-8")).encode()


class Patched:
    """The real rules pipeline whose ``screen_batch`` misbehaves, in worker processes only, on a post id."""

    def __init__(self, poison: str, action: str) -> None:
        self.inner = build_pipeline(use_models=False)
        self.policies = self.inner.policies
        self.poison, self.action, self.parent = poison, action, os.getpid()

    def screen_batch(self, batch: Sequence[Any]) -> list[Any]:
        if any(p.post_id == self.poison for p in batch) and (
            self.action == "raise" or os.getpid() != self.parent
        ):
            if self.action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.action == "slow":
                time.sleep(1.0)  # the other worker overtakes this batch: replies come out of order
                return self.inner.screen_batch(batch)
            raise RuntimeError("detector exploded")
        return self.inner.screen_batch(batch)


def patch_pipeline(monkeypatch: pytest.MonkeyPatch, poison: str, action: str) -> None:
    monkeypatch.setattr(cli, "_build_pipeline", lambda args: Patched(poison, action))


def test_one_and_two_workers_write_the_same_records_in_input_order(tmp_path: Path) -> None:
    lines = posts(300)
    code1, one = screen(tmp_path, lines, "--workers", "1", "--batch-size", "16")
    code2, two = screen(tmp_path, lines, "--workers", "2", "--batch-size", "16")
    assert code1 == code2 == 1  # the bad JSON lines
    assert stable(one) == stable(two)
    records = [json.loads(x) for x in two.decode().splitlines()]
    assert len(records) == sum(1 for x in lines if x.strip())
    numbers = [n for n, _ in numbered_lines(lines)]
    for number, record in zip(numbers, records, strict=True):
        if "error" in record:
            assert record["line"] == number and record["error"].startswith("not valid JSON")
        else:
            assert record["post_id"] == json.loads(lines[number - 1])["post_id"]


def test_table_format_and_progress_bar_work_with_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = posts(90)
    _, one = screen(tmp_path, lines, "--workers", "1", "--batch-size", "8", "--format", "table")
    capsys.readouterr()
    _, two = screen(tmp_path, lines, "--workers", "2", "--batch-size", "8", "--format", "table", "--progress")
    assert one == two and b"ERROR" in two and b"lines:" in two.splitlines()[-1]
    total = sum(1 for x in lines if x.strip())
    assert f"{total}/{total}" in capsys.readouterr().err  # the bar counted every record written


def test_a_batch_the_pipeline_raises_on_fails_closed_the_same_with_1_or_2_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_pipeline(monkeypatch, "poison", "raise")
    lines = posts(120, poison="poison")
    code1, one = screen(tmp_path, lines, "--workers", "1", "--batch-size", "10")
    code2, two = screen(tmp_path, lines, "--workers", "2", "--batch-size", "10")
    assert code1 == code2 == 1
    assert stable(one) == stable(two)
    failed = [json.loads(x) for x in two.decode().splitlines() if '"screening failed' in x]
    assert len(failed) == 10 and all(r["error"] == "screening failed: RuntimeError" for r in failed)
    assert "poison" in {r.get("post_id") for r in failed}


def test_a_killed_worker_fails_its_batch_closed_and_the_run_ends_with_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    patch_pipeline(monkeypatch, "poison", "kill")
    lines = posts(200, poison="poison")
    code, out = screen(tmp_path, lines, "--workers", "2", "--batch-size", "16")
    assert code == 1
    records = [json.loads(x) for x in out.decode().splitlines()]
    assert [r.get("line") or r["post_id"] for r in records] == [
        n if "error" in r else json.loads(raw)["post_id"]
        for (n, raw), r in zip(numbered_lines(lines), records, strict=True)
    ]
    died = [r for r in records if "worker process died" in r.get("error", "")]
    assert len(died) == 16  # the poison post's batch, and no other
    assert {r["error"] for r in died} == {"screening failed: worker process died (killed by SIGKILL)"}
    assert "poison" in {r["post_id"] for r in died}
    assert sum("verdict" in r for r in records) > 100  # the other batches were screened
    err = capsys.readouterr().err
    assert re.search(r"worker process \d+ killed by SIGKILL while screening lines \d+-\d+", err)
    assert "line(s) could not be screened" in err


def test_workers_that_keep_dying_leave_no_line_without_an_error_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = Patched("", "kill")
    pipeline.screen_batch = lambda batch: os.kill(os.getpid(), signal.SIGKILL)  # type: ignore[method-assign]
    monkeypatch.setattr(cli, "_build_pipeline", lambda args: pipeline)
    lines = posts(150)
    code, out = screen(tmp_path, lines, "--workers", "2", "--batch-size", "8")
    assert code == 1
    records = [json.loads(x) for x in out.decode().splitlines()]
    assert [r["line"] for r in records] == [n for n, _ in numbered_lines(lines)]
    assert all(r["error"].startswith(("screening failed: ", "not valid JSON")) for r in records)
    assert "no worker process left" in records[-1]["error"]
    assert "worker processes keep dying" in capsys.readouterr().err


def test_input_of_one_batch_is_screened_without_starting_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork(self: Any) -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr(parallel._Pool, "fork", no_fork)
    code, out = screen(tmp_path, posts(5), "--workers", "4")
    assert code == 0 and len(out.splitlines()) == 5


def test_reading_ahead_is_bounded_by_the_window() -> None:
    pulled = 0

    def lines() -> Any:
        nonlocal pulled
        for number, raw in numbered_lines(posts(400)):
            pulled += 1
            yield number, raw

    pipeline = build_pipeline(use_models=False)
    outcomes = parallel.screen_parallel(lines(), pipeline, workers=2, batch_size=10, window=3)
    first = next(outcomes)
    assert first.line == 1
    assert pulled <= 4 * 10  # the window's 3 chunks, plus the one a worker may be handed next
    assert sum(1 for _ in outcomes) + 1 == sum(1 for _ in numbered_lines(posts(400)))


def test_a_slow_batch_is_overtaken_and_output_stays_in_order() -> None:
    lines = posts(100, poison="slow")
    first_of_slow = next(n for n, raw in numbered_lines(lines) if '"slow"' in raw)
    skip = [(n, raw) for n, raw in numbered_lines(lines) if n >= first_of_slow - 3]  # slow post in chunk 0
    outcomes = list(
        parallel.screen_parallel(skip, Patched("slow", "slow"), workers=2, batch_size=5, window=3)
    )
    assert [o.line for o in outcomes] == [n for n, _ in skip]
    assert all(o.ok or o.error.startswith("not valid JSON") for o in outcomes)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "0"], "--workers must be at least 1"),
        (["--workers", "-3"], "--workers must be at least 1"),
        (["--workers", "two"], "invalid int value"),
        (["--workers", "2", "--via", "grpc://127.0.0.1:1"], "--workers only applies to embedded"),
    ],
)
def test_bad_worker_counts_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["screen", "--no-models", "--text", "hello", *argv]) == 2
    assert message in capsys.readouterr().err


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_stops_the_workers_and_exits_130(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(posts(20_000)) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "postguard.cli", "screen", "--input", str(src), "--no-models"]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--batch-size", "8", "--output", str(tmp_path / "out.jsonl")],
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a test run started in the background (`cmd &`, CI runners) inherits an
        # ignored SIGINT, and the CLI rightly keeps an inherited ignore
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while len(children := _children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(children) == 2, "the two workers started"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "postguard: interrupted" in err
    assert "Traceback" not in err
    for child in children:
        assert not Path(f"/proc/{child}").exists(), "workers are stopped and reaped"
