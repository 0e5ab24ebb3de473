"""A throwaway PostgreSQL server for the test session: Debian's binaries, a temporary data
directory, 127.0.0.1 on a free port, trust auth. No Docker, no mock.

PostgreSQL refuses to run as root, so when the tests run as root (CI here does) the server runs as
the `postgres` system user that Debian's package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_bindir() -> Path | None:
    """The directory holding initdb/pg_ctl, newest major version first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """Start with `start()`, stop with `stop()`; `url(db)` gives a SQLAlchemy/psycopg2 URL."""

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found: run `bash .ci/ensure-postgres`"
                " (installs Debian's postgresql package)"
            )
        self.bindir = bindir
        self.port = _free_port()
        # As root, the server's user must reach its folder: TMPDIR may lie in a private one
        # (e.g. inside pytest's tmp_path in tests/infra/test_isolation.py), /tmp never is.
        self.root = Path(
            tempfile.mkdtemp(prefix="apollo-tasks-pg-", dir="/tmp" if os.geteuid() == 0 else None)
        )
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self.user = "postgres"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root but no `postgres` system user exists") from exc
            self._as_user = ["runuser", "-u", "postgres", "--"]
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.sockdir.mkdir()
        if self._as_user:
            pw = pwd.getpwnam("postgres")
            os.chown(self.sockdir, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self._as_user, *args],
            check=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.root,
        )

    def start(self) -> PostgresServer:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not start; see {self.root / 'server.log'}")

    def create_database(self, name: str) -> str:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return self.url(name)

    def url(self, dbname: str = "postgres") -> str:
        # The server trusts loopback connections; dlt insists on a password field all the same.
        return f"postgresql://{self.user}:trust@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"
            )
        shutil.rmtree(self.root, ignore_errors=True)
