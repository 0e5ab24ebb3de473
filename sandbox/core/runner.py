"""Start an emulator on a free 127.0.0.1 port and yield its test handle; stop it on exit.

In a daemon thread of this process by default, or in a child process (`subprocess=True`:
`python -m sales_tasks.sandbox --vendor V --port 0 --config-json ...`), which benchmarks need so that the
server does not share the GIL with the client.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess as sp
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sales_tasks.sandbox.core.config import EmulatorConfig
from sales_tasks.sandbox.core.emulator import Emulator
from sales_tasks.sandbox.core.handle import SandboxHandle
from sales_tasks.sandbox.core.server import READY_PREFIX, SandboxServer

C = TypeVar("C", bound=EmulatorConfig)
H = TypeVar("H", bound=SandboxHandle)
START_TIMEOUT_S = 180.0
# The package `python -m` runs in the child (`sales_tasks.sandbox`), and the folder holding the
# import root (the checkout, or site-packages), which the child needs on its path.
SANDBOX_PACKAGE = __name__.rpartition(".core.")[0]
_IMPORT_ROOT = sys.modules[__name__.split(".")[0]]


@contextmanager
def running(
    emulator: Emulator[C, H],
    config: C | None = None,
    *,
    subprocess: bool = False,
    **overrides: Any,
) -> Iterator[H]:
    """Serve `emulator` with `config` (its default when None) changed by `overrides`.

    Args:
        emulator: what to run.
        config: the base config.
        subprocess: run `python -m sales_tasks.sandbox` in a child process instead of a daemon thread.
        **overrides: config fields to change, e.g. `faults={"drop_rate": 0.1}`.
    """
    base = config if config is not None else emulator.default_config()
    cfg = base.merged(overrides) if overrides else base
    cfg.validate()
    if subprocess:
        with _child(emulator.vendor, cfg) as base_url:
            handle = emulator.handle(base_url, cfg)
            try:
                yield handle
            finally:
                handle.close()
        return
    server = SandboxServer(emulator.app(cfg)).start()
    handle = emulator.handle(server.info.base_url, cfg)
    try:
        yield handle
    finally:
        handle.close()
        server.stop()


@contextmanager
def _child(vendor: str, cfg: EmulatorConfig) -> Iterator[str]:
    root = str(Path(str(_IMPORT_ROOT.__file__)).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [
        sys.executable,
        "-m",
        SANDBOX_PACKAGE,
        "--vendor",
        vendor,
        "--port",
        "0",
        "--config-json",
        json.dumps(cfg.to_dict()),
    ]
    proc = sp.Popen(cmd, stdout=sp.PIPE, env=env, text=True)
    try:
        yield _wait_ready(proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except sp.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def _wait_ready(proc: sp.Popen[str]) -> str:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            raise RuntimeError(
                f"sandbox child did not start within {START_TIMEOUT_S:.0f}s"
            ) from None
        if not line:
            raise RuntimeError(f"sandbox child exited early with code {proc.wait()}")
        if line.startswith(READY_PREFIX):
            return line[len(READY_PREFIX) :].strip()
