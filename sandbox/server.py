"""Run the sandbox: in a background thread, or in the foreground for the CLI.

`SandboxServer(config, port, host).start()` builds the dataset in the caller's thread (so errors
surface there), then serves on its own asyncio loop in a daemon thread. `serve_forever()` is what
`apollo-tasks sandbox` and `python -m sandbox` call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.app import App
from sandbox.config import SandboxConfig
from sandbox.http import HttpServer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxInfo:
    """What a person needs to talk to a running sandbox."""

    base_url: str
    master_key: str
    plain_key: str | None

    def banner(self) -> str:
        """The one line `python -m sandbox` prints (parsed by the subprocess mode)."""
        return f"SANDBOX READY base_url={self.base_url}"

    def describe(self) -> str:
        """A few lines for a person starting the sandbox from the CLI."""
        return (
            f"Apollo sandbox listening on {self.base_url}\n"
            f"  base URL (APOLLO_BASE_URL): {self.base_url}\n"
            f"  master key (send as x-api-key): {self.master_key}\n"
            f"  plain key (403 on task endpoints): {self.plain_key}\n"
            f"  test hooks: {self.base_url}/_sandbox/stats"
        )


class SandboxServer:
    """One sandbox on host:port (port 0 picks a free port)."""

    def __init__(self, config: SandboxConfig, port: int = 0, host: str = "127.0.0.1") -> None:
        self.config = config
        self.host = host
        self.app = App(config)
        self._http = HttpServer(self.app.handle, host, port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def info(self) -> SandboxInfo:
        plain = self.config.plain_keys[0] if self.config.plain_keys else None
        return SandboxInfo(f"http://{self.host}:{self.port}", self.config.master_keys[0], plain)

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns once the port accepts connections."""
        ready = threading.Event()
        self._stopped = asyncio.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._http.start())
            except BaseException as exc:  # surfaced to the starting thread below
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_until_complete(self._wait_stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="apollo-sandbox", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    async def _wait_stop(self) -> None:
        assert self._stopped is not None
        await self._stopped.wait()
        await self._http.close()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._stopped is not None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(self._stopped.set)
        thread.join(10)
        self._loop = self._thread = None


def serve_forever(
    config: SandboxConfig,
    port: int,
    host: str = "127.0.0.1",
    on_ready: Callable[[SandboxInfo], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C). `on_ready` gets the base URL and keys once listening,
    so the caller decides how to show them (library code does not print), e.g.
    `on_ready=lambda info: print(info.describe(), flush=True)`; without it they are logged."""

    async def main() -> None:
        server = SandboxServer(config, port, host)
        await server._http.start()
        if on_ready is not None:
            on_ready(server.info)
        else:
            log.info("%s", server.info.describe())
        try:
            await asyncio.Event().wait()
        finally:
            await server._http.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
