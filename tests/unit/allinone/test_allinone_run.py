"""``postguard serve all-in-one`` as a process: loud startup errors with the fix, a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from postguard.allinone.server import AllInOneConfigError, build_authorizer, session_secret, users_path
from postguard.allinone.settings import AllInOneSettings
from postguard.console.users import Role, User, write_users
from postguard.devtools.ports import free_port
from postguard.ingest.auth import token_sha256

ROOT = Path(__file__).resolve().parents[3]
POSTGUARD = [sys.executable, "-c", "import sys; from postguard.cli import main; sys.exit(main())"]


def env_for(data: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("POSTGUARD_ALLINONE_", "POSTGUARD_CONSOLE_"))
    }
    env.update(POSTGUARD_ALLINONE_DATA_DIR=str(data), POSTGUARD_ALLINONE_BIND_ADDRESS="127.0.0.1", **extra)
    return env


def complete_config(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    user = User(
        "admin", PasswordHasher().hash("correct horse battery"), frozenset({"demo-hospital"}), Role.ADMIN
    )
    write_users(data / "users.yaml", [user])
    digest = token_sha256("t" * 32)
    (data / "tokens.yaml").write_text(
        f"clients:\n  - {{name: c, institutions: [demo-hospital], token_sha256: [{digest}]}}\n"
    )
    (data / "session-secret").write_text("k" * 48)


# --- the checks, in-process ----------------------------------------------------------------------


def test_an_empty_session_secret_is_refused_with_the_fix(tmp_path: Path) -> None:
    settings = AllInOneSettings(data_dir=tmp_path)
    with pytest.raises(AllInOneConfigError) as err:
        session_secret(settings)
    assert "session secret is empty" in str(err.value)
    assert "secrets.token_urlsafe(48)" in str(err.value) and str(tmp_path / "session-secret") in str(
        err.value
    )
    (tmp_path / "session-secret").write_text("short\n")
    with pytest.raises(AllInOneConfigError, match="too short \\(5 characters, at least 32\\)"):
        session_secret(settings)
    (tmp_path / "session-secret").write_text("x" * 40 + "\n")
    assert session_secret(settings) == "x" * 40
    env_secret = AllInOneSettings(data_dir=tmp_path, session_secret="y" * 33)
    assert session_secret(env_secret) == "y" * 33  # the setting wins over the file
    (tmp_path / "session-secret").unlink()
    assert session_secret(settings, "z" * 32) == "z" * 32  # POSTGUARD_CONSOLE_SECRET_KEY as the last resort
    assert session_secret(settings, dev_insecure=True) is None  # the console makes a random one


def test_a_missing_users_file_names_the_command_that_creates_it(tmp_path: Path) -> None:
    with pytest.raises(AllInOneConfigError) as err:
        users_path(AllInOneSettings(data_dir=tmp_path))
    assert f"postguard console add-user --users {tmp_path / 'users.yaml'}" in str(err.value)


def test_a_missing_tokens_file_names_the_command_that_mints_one(tmp_path: Path) -> None:
    with pytest.raises(AllInOneConfigError) as err:
        build_authorizer(AllInOneSettings(data_dir=tmp_path))
    assert "python -m postguard.ingest.auth" in str(err.value) and "tokens.yaml" in str(err.value)
    assert build_authorizer(AllInOneSettings(data_dir=tmp_path, auth_mode="none")).mode.value == "none"


# --- the process ---------------------------------------------------------------------------------


def run_once(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POSTGUARD, "serve", "all-in-one"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_process_exits_2_with_the_fix_when_the_users_file_is_missing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    complete_config(data)
    (data / "users.yaml").unlink()
    result = run_once(env_for(data))
    assert result.returncode == 2
    assert "cannot start: no reviewer accounts file" in result.stderr
    assert "postguard console add-user" in result.stderr


def test_the_process_exits_2_when_the_session_secret_is_empty(tmp_path: Path) -> None:
    data = tmp_path / "data"
    complete_config(data)
    (data / "session-secret").write_text("\n")
    result = run_once(env_for(data))
    assert result.returncode == 2 and "session secret is empty" in result.stderr


def test_sigterm_stops_the_server_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    complete_config(data)
    http_port, grpc_port, metrics_port = free_port(), free_port(), free_port()
    env = env_for(
        data,
        POSTGUARD_ALLINONE_HTTP_PORT=str(http_port),
        POSTGUARD_ALLINONE_GRPC_PORT=str(grpc_port),
        POSTGUARD_ALLINONE_METRICS_PORT=str(metrics_port),
        POSTGUARD_ALLINONE_USE_MODELS="false",
    )
    proc = subprocess.Popen(
        [*POSTGUARD, "serve", "all-in-one"], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        assert "# HELP postguard_review_deadline_missed_total" in metrics
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        stderr = proc.stderr.read() if proc.stderr else ""
        assert "all-in-one stopped" in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (data / "audit.sqlite").exists() and (data / "review.sqlite").exists()
