"""Run an emulator: in a background thread, or in the foreground for the CLI.

`SandboxServer(app, port, host).start()` serves an app built in the caller's thread (so dataset
errors surface there) on its own asyncio loop in a daemon thread. `serve_forever()` is what the
CLI's `sandbox` command and `python -m sales_tasks.sandbox` end in.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sales_tasks.sandbox.core.app import EmulatorApp
from sales_tasks.sandbox.core.http import HttpServer

log = logging.getLogger(__name__)

READY_PREFIX = "SANDBOX READY base_url="


@dataclass(frozen=True)
class SandboxInfo:
    """What a person needs to talk to a running sandbox."""

    base_url: str
    # What the emulator says about itself to a person (keys, where its hooks are).
    description: str

    def banner(self) -> str:
        """The one line `python -m sales_tasks.sandbox` prints (parsed by the subprocess mode)."""
        return f"{READY_PREFIX}{self.base_url}"

    def describe(self) -> str:
        """A few lines for a person starting the sandbox from the CLI."""
        return self.description


def is_loopback(host: str) -> bool:
    """Whether `host` reaches only this machine (`localhost`, 127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to any interface


def exposure_warning(host: str) -> str | None:
    """The warning for a sandbox listening beyond loopback, or None on loopback."""
    if is_loopback(host):
        return None
    return (
        f"the sandbox listens on {host}, beyond this machine: its /_sandbox/ admin hooks (reset,"
        " config, faults, request log) take no key, so anyone who can reach the port can use"
        " them; listen on 127.0.0.1 unless that is what you want"
    )


class SandboxServer:
    """One emulator app served on host:port (port 0 picks a free port); a host beyond loopback
    is logged as a warning (`exposure_warning`)."""

    def __init__(self, app: EmulatorApp[Any], port: int = 0, host: str = "127.0.0.1") -> None:
        warning = exposure_warning(host)
        if warning is not None:
            log.warning("%s", warning)
        self.host = host
        self.app = app
        self._http = HttpServer(self.app.handle, host, port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def info(self) -> SandboxInfo:
        base_url = f"http://{self.host}:{self.port}"
        return SandboxInfo(base_url, self.app.describe(base_url))

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

        self._thread = threading.Thread(target=run, name=f"{self.app.vendor}-sandbox", daemon=True)
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
    make_app: Callable[[], EmulatorApp[Any]],
    port: int,
    host: str = "127.0.0.1",
    on_ready: Callable[[SandboxInfo], None] | None = None,
) -> None:
    """Serve the app `make_app` builds until interrupted (Ctrl-C). `on_ready` gets the base URL and keys once listening,
    so the caller decides how to show them (library code does not print), e.g.
    `on_ready=lambda info: print(info.describe(), flush=True)`; without it they are logged."""

    async def main() -> None:
        server = SandboxServer(make_app(), port, host)
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
