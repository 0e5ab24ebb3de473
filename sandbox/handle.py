"""`running_sandbox()` and the `Sandbox` handle tests and benchmarks use.

The handle talks to the `/_sandbox/` hooks over HTTP, so it works the same whether the server
runs in a thread of this process or in a child process (`subprocess=True`, which benchmarks
need so that the server does not share the GIL with the client).
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
from typing import TYPE_CHECKING, Any

from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer

if TYPE_CHECKING:
    import httpx

READY_PREFIX = "SANDBOX READY base_url="
START_TIMEOUT_S = 180.0


class Sandbox:
    """A running sandbox: where it is, its keys, and thin wrappers over the test hooks."""

    def __init__(self, base_url: str, config: SandboxConfig) -> None:
        self.base_url = base_url
        self.master_key = config.master_keys[0]
        self.plain_key = config.plain_keys[0] if config.plain_keys else ""
        self.initial_config = config
        import httpx  # here, so `python -m sandbox` does not pay for importing it

        # Plain HTTP to 127.0.0.1: skipping TLS setup (certifi loading) saves ~0.1 s per handle.
        self._http: httpx.Client = httpx.Client(
            base_url=base_url, timeout=60.0, verify=False, trust_env=False
        )

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v1"

    def close(self) -> None:
        self._http.close()

    def _hook(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self._http.request(method, f"/_sandbox/{path}", **kwargs)
        if resp.status_code >= 400:
            raise RuntimeError(
                f"sandbox hook {method} {path} failed: {resp.status_code} {resp.text}"
            )
        return resp.json()

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """The request log, oldest first; only entries for `path` when given."""
        return self._hook("GET", "requests", params={"path": path} if path else None)

    def clear_requests(self) -> None:
        self._hook("DELETE", "requests")

    def created(self) -> list[dict[str, Any]]:
        """Tasks created via the API, in creation order."""
        return self._hook("GET", "created")

    def reset(self) -> None:
        self._hook("POST", "reset")

    def config(self) -> dict[str, Any]:
        return self._hook("GET", "config")

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change the config live (nested dicts such as `faults` are merged); returns it."""
        return self._hook("PATCH", "config", json=changes)

    def script_faults(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._hook("POST", "faults/script", json=entries)

    def task(self, task_id: str) -> dict[str, Any]:
        return self._hook("GET", f"tasks/{task_id}")

    def delete_task(self, task_id: str) -> None:
        self._hook("DELETE", f"tasks/{task_id}")

    def patch_task(self, task_id: str, **fields: Any) -> dict[str, Any]:
        return self._hook("PATCH", f"tasks/{task_id}", json=fields)

    def stats(self) -> dict[str, Any]:
        return self._hook("GET", "stats")

    def users(self) -> list[dict[str, Any]]:
        return self._hook("GET", "users")

    def contacts(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._hook("GET", "contacts", params={"limit": limit})


@contextmanager
def running_sandbox(
    config: SandboxConfig | None = None, *, subprocess: bool = False, **overrides: Any
) -> Iterator[Sandbox]:
    """Start a sandbox on a free 127.0.0.1 port, yield its handle, stop it on exit.

    Args:
        config: the base config (default `SandboxConfig()`).
        subprocess: run `python -m sandbox` in a child process instead of a daemon thread.
        **overrides: config fields to change, e.g. `tasks=1000, faults={"drop_rate": 0.1}`.
    """
    cfg = (
        (config or SandboxConfig()).merged(overrides) if overrides else (config or SandboxConfig())
    )
    cfg.validate()
    if subprocess:
        with _child(cfg) as base_url:
            handle = Sandbox(base_url, cfg)
            try:
                yield handle
            finally:
                handle.close()
        return
    server = SandboxServer(cfg).start()
    handle = Sandbox(server.info.base_url, cfg)
    try:
        yield handle
    finally:
        handle.close()
        server.stop()


@contextmanager
def _child(cfg: SandboxConfig) -> Iterator[str]:
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [
        sys.executable,
        "-m",
        "sandbox",
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
