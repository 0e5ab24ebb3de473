"""Runs the blocks of the README and the docs (see `blocks.py`) the way a person at a shell in a
fresh checkout would.

The working folder is shaped like a checkout: `Makefile`, `pyproject.toml` and `uv.lock` link to
the repository, `.dlt/` is a copy, and `.venv/` links to the environment running the tests (with
its own, fresh sync stamp, so `make` never re-syncs the real one). HOME, dlt's data folder and
TMPDIR are inside the test's tmp folder. Every outside host is unreachable: HTTP(S)_PROXY point
at a closed local port and only 127.0.0.1 is exempt, so a block that would call the real API
fails here instead of leaving the machine.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.readme.blocks import Block, fill_placeholders, split_server, sql_statements

REPORT = pytest.StashKey[list[str]]()
BLOCK_TIMEOUT_S = 300
SERVER_READY_S = 60
PASS_THROUGH = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
CLOSED_PORT_PROXY = "http://127.0.0.1:9"


@dataclass
class Outcome:
    block: Block
    seconds: float
    stdout: str = ""
    stderr: str = ""
    banner: str = ""


class BlockFailed(AssertionError):
    pass


# What legitimately differs between two runs of one command, each with its placeholder.
VARIABLE = (
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"\bpid \d+"), "pid <pid>"),
    (re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{12,}(?![0-9A-Za-z])"), "<hex>"),
    (re.compile(r"\b\d+(\.\d+)?\s?(ms|s)\b"), "<duration>"),
)


def output_lines(text: str) -> list[str]:
    """`text` as the lines a reader compares: blank lines and trailing spaces dropped, times,
    local ports, pids, hex ids and durations replaced by placeholders (`VARIABLE`)."""
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        line = line.rstrip()
        for pattern, placeholder in VARIABLE:
            line = pattern.sub(placeholder, line)
        lines.append(line)
    return lines


def make_workspace(repo: Path, tmp: Path) -> Path:
    workspace = tmp / "checkout"
    venv = workspace / ".venv"
    venv.mkdir(parents=True)
    for entry in Path(sys.prefix).iterdir():
        if entry.name != ".synced":
            (venv / entry.name).symlink_to(entry)
    for name in ("Makefile", "pyproject.toml", "uv.lock"):
        (workspace / name).symlink_to(repo / name)
    shutil.copytree(
        repo / ".dlt", workspace / ".dlt", ignore=shutil.ignore_patterns("secrets.toml")
    )
    (venv / ".synced").touch()  # after the links: `make` sees an environment synced to the lock
    return workspace


def base_env(tmp: Path, extra: dict[str, str]) -> dict[str, str]:
    """A person's shell: their PATH without an activated venv, nothing of ours configured."""
    home = tmp / "home"
    (home / ".dlt").mkdir(parents=True, exist_ok=True)
    (tmp / "tmp").mkdir(exist_ok=True)
    path = os.pathsep.join(
        p
        for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if not (Path(p) / "activate").exists()
    )
    env = {name: os.environ[name] for name in PASS_THROUGH if name in os.environ}
    env.update(
        PATH=path,
        HOME=str(home),
        DLT_DATA_DIR=str(home / ".dlt"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TMPDIR=str(tmp / "tmp"),
        RUNTIME__DLTHUB_TELEMETRY="false",
        HTTP_PROXY=CLOSED_PORT_PROXY,
        HTTPS_PROXY=CLOSED_PORT_PROXY,
        ALL_PROXY=CLOSED_PORT_PROXY,
        NO_PROXY="127.0.0.1,localhost",
    )
    env.update({k.lower(): v for k, v in env.items() if k.endswith("_PROXY")})
    env.update(extra)
    return env


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _failure(block: Block, why: str, stdout: str = "", stderr: str = "") -> BlockFailed:
    shown = "\n".join(f"    {line}" for line in block.text.rstrip().splitlines())
    return BlockFailed(
        f"{block.where} failed: {why}\n{shown}\n"
        f"--- stdout (end) ---\n{_tail(stdout)}\n--- stderr (end) ---\n{_tail(stderr)}\n"
        f"Fix {block.source} or the code; a block that cannot run offline gets"
        " <!-- not-run: reason --> (tests/readme/blocks.py)."
    )


class Runner:
    def __init__(
        self, workspace: Path, tmp: Path, env: dict[str, str], placeholders: dict[str, str]
    ) -> None:
        self.workspace = workspace
        self.tmp = tmp
        self.env = env
        self.placeholders = placeholders

    def new_terminal(self, env: dict[str, str]) -> None:
        """The next blocks run in a fresh shell environment (a new doc file): what earlier
        blocks exported is gone; the files they made stay."""
        self.env = dict(env)

    def run(self, block: Block) -> Outcome:
        started = time.monotonic()
        kind = block.kind
        if kind == "shell" and "serves" in block.markers:
            outcome = self._serve(block)
        elif kind == "shell":
            outcome = self._shell(block, block.text)
        elif kind == "python":
            outcome = self._python(block)
        elif kind == "sql":
            outcome = self._sql(block)
        elif kind == "output-of":
            outcome = self._output_of(block)
        else:
            raise AssertionError(f"{block.where}: {kind} blocks are not run")
        outcome.seconds = time.monotonic() - started
        return outcome

    def _shell(self, block: Block, text: str) -> Outcome:
        script = fill_placeholders(text, self.placeholders, block.where)
        env_out = self.tmp / f"env-after-{block.slug}"
        wrapped = f"{script}\nenv -0 > '{env_out}'\n"
        proc = self._exec(block, ["bash", "-euo", "pipefail", "-c", wrapped])
        # What the block exported stays set for the blocks after it, as in one terminal.
        carried = {}
        for item in env_out.read_bytes().decode().split("\0"):
            name, sep, value = item.partition("=")
            if sep and name not in ("PWD", "OLDPWD", "SHLVL", "_"):
                carried[name] = value
        self.env = carried
        return Outcome(block, 0.0, proc.stdout, proc.stderr)

    def _output_of(self, block: Block) -> Outcome:
        command = fill_placeholders(block.markers["output-of"], self.placeholders, block.where)
        proc = self._exec(block, ["bash", "-c", command], check=False)
        sample = output_lines(block.text)
        printed = output_lines(proc.stdout + proc.stderr)
        if printed != sample:
            diff = "\n".join(
                difflib.unified_diff(
                    sample, printed, f"{block.source} sample", "printed", lineterm=""
                )
            )
            raise _failure(
                block,
                f"`{command}` does not print the sample line for line"
                f" (variable parts normalised):\n{diff}",
                proc.stdout,
                proc.stderr,
            )
        return Outcome(block, 0.0, proc.stdout, proc.stderr)

    def _python(self, block: Block) -> Outcome:
        script = self.tmp / f"{block.slug}.py"
        script.write_text(block.text, encoding="utf-8")
        proc = self._exec(block, [str(self.workspace / ".venv" / "bin" / "python"), str(script)])
        return Outcome(block, 0.0, proc.stdout, proc.stderr)

    def _exec(
        self, block: Block, argv: list[str], check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        try:
            proc = subprocess.run(
                argv,
                cwd=self.workspace,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=BLOCK_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise _failure(
                block, f"still running after {BLOCK_TIMEOUT_S}s", str(exc.stdout), str(exc.stderr)
            ) from None
        if check and proc.returncode != 0:
            raise _failure(block, f"exit {proc.returncode}", proc.stdout, proc.stderr)
        return proc

    def _sql(self, block: Block) -> Outcome:
        files = []
        for path in sorted(self.workspace.glob("*.duckdb")):
            with duckdb.connect(str(path), read_only=True) as con:
                schemas = {
                    r[0] for r in con.sql("SELECT schema_name FROM duckdb_schemas()").fetchall()
                }
            if "apollo" in schemas:
                files.append(path)
        if not files:
            raise _failure(
                block, "no DuckDB file with an `apollo` dataset made by the blocks above"
            )
        lines = []
        for path in files:
            with duckdb.connect(str(path), read_only=True) as con:
                for statement in sql_statements(block.text):
                    try:
                        rows = con.sql(statement).fetchall()
                    except duckdb.Error as exc:
                        raise _failure(block, f"on {path.name}: {exc}") from None
                    lines.append(f"{path.name}: {len(rows)} row(s)")
        return Outcome(block, 0.0, "\n".join(lines))

    def _serve(self, block: Block) -> Outcome:
        port = _free_port()
        text = block.text.replace(block.markers["serves"], str(port))
        server, rest = split_server(fill_placeholders(text, self.placeholders, block.where))
        log_path = self.tmp / f"server-{block.slug}.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                ["bash", "-c", f"exec {server}"],
                cwd=self.workspace,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            banner = self._wait_for_banner(block, proc, log_path, port)
            outcome = self._shell(block, rest)
        finally:
            proc.send_signal(signal.SIGINT)  # Ctrl-C, as the banner says
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        outcome.banner = banner
        return outcome

    def _wait_for_banner(
        self, block: Block, proc: subprocess.Popen[bytes], log_path: Path, port: int
    ) -> str:
        deadline = time.monotonic() + SERVER_READY_S
        while time.monotonic() < deadline:
            text = log_path.read_text()
            if proc.poll() is not None:
                raise _failure(block, f"the server exited ({proc.returncode})", text)
            if f":{port}" in text and _accepts(port):
                return text
            time.sleep(0.2)
        raise _failure(
            block, f"the server did not answer within {SERVER_READY_S}s", log_path.read_text()
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
