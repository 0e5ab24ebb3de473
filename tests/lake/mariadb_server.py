"""A throwaway MariaDB server for the test session: Debian's binaries (`.ci/ensure-mariadb`), a
temporary data directory, 127.0.0.1 on a free port, no passwords (grant tables skipped). No
Docker, no mock. Like `tests/postgres_server.py` for PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_mariadbd() -> Path | None:
    for candidate in ("/usr/sbin/mariadbd", shutil.which("mariadbd")):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MariaDbServer:
    """Start with `start()`, stop with `stop()`; `url(db)` gives a SQLAlchemy URL (pymysql)."""

    def __init__(self) -> None:
        binary = find_mariadbd()
        install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
        if binary is None or install is None:
            raise RuntimeError(
                "MariaDB server binaries not found: run `bash .ci/ensure-mariadb`"
                " (installs Debian's mariadb-server package)"
            )
        self.binary = binary
        self.install = install
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sales-tasks-mariadb-", dir="/tmp"))
        self.datadir = self.root / "data"
        self.socket = self.root / "mysqld.sock"
        self.process: subprocess.Popen[bytes] | None = None
        # mariadbd refuses to run as root unless told which user to be: the current one.
        self.user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")

    def start(self) -> MariaDbServer:
        subprocess.run(
            [
                self.install,
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--user={self.user}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            check=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.root,
        )
        log = open(self.root / "server.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--socket={self.socket}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--user={self.user}",
                "--skip-grant-tables",
                "--skip-name-resolve",
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-doublewrite=0",
                f"--pid-file={self.root / 'mariadbd.pid'}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self._connect().close()
                return self
            except Exception:  # noqa: BLE001 - not accepting connections yet
                time.sleep(0.2)
        self.stop(keep_log=True)
        raise RuntimeError(f"MariaDB did not start; see {self.root / 'server.log'}")

    def _connect(self, database: str | None = None) -> object:
        import pymysql

        return pymysql.connect(
            host="127.0.0.1", port=self.port, user="root", database=database, connect_timeout=2
        )

    def create_database(self, name: str) -> str:
        conn = self._connect()
        try:
            with conn.cursor() as cur:  # type: ignore[attr-defined]
                cur.execute(f"CREATE DATABASE `{name}`")
        finally:
            conn.close()  # type: ignore[attr-defined]
        return self.url(name)

    def url(self, database: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}"

    def stop(self, keep_log: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not keep_log:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.root)
