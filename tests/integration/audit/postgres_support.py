"""A throwaway PostgreSQL cluster on loopback for tests: initdb, pg_ctl start/stop as the postgres user."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from postguard.devtools.ports import free_port

SERVICE_USER = "postgres"


def find_bin_dir() -> Path:
    """The directory holding initdb/pg_ctl: Debian's /usr/lib/postgresql/<major>/bin (newest) or the PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise RuntimeError("PostgreSQL is not installed: run `make postgres` (Debian package postgresql)")


class PostgresCluster:
    """One cluster in a private temp dir, listening only on 127.0.0.1:<port>, trust auth for loopback only."""

    def __init__(self, database: str = "audit") -> None:
        self.bin_dir = find_bin_dir()
        self.database = database
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="postguard-pg-"))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.log_file = self.root / "server.log"
        self._as_root = os.geteuid() == 0

    @property
    def dsn(self) -> str:
        """libpq URL of the test database."""
        return f"postgresql://{SERVICE_USER}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_root:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr}\n{log[-2000:]}")

    def init(self) -> None:
        """initdb with trust auth and loopback-only listening; then create the database."""
        self.socket_dir.mkdir()
        if self._as_root:
            shutil.chown(self.root, SERVICE_USER)
            shutil.chown(self.socket_dir, SERVICE_USER)
        self._run(
            "initdb", "-D", str(self.data_dir), "-U", SERVICE_USER, "--auth=trust", "--no-sync",
            "--encoding=UTF8", "--locale=C",
        )  # fmt: skip
        (self.data_dir / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        self.start()
        host = ("-h", str(self.socket_dir), "-p", str(self.port), "-U", SERVICE_USER)
        self._run("createdb", *host, self.database)

    def start(self) -> None:
        """pg_ctl -w start (waits until the server accepts connections)."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60", "start")

    def stop(self) -> None:
        """pg_ctl -m fast stop."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop then start on the same port: open client connections are cut."""
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop (if running) and delete every file of the cluster."""
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        try:
            self.init()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
