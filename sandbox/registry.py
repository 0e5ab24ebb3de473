"""The emulators the sandbox can run, by vendor name, and how to start one.

`running_sandbox(vendor="apollo", ...)` (tests, benchmarks), `serve_forever(...)` (the CLI) and
`python -m sandbox --vendor apollo` all look the vendor up here. A new vendor's emulator is one
more entry in `EMULATORS`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Literal, overload

from sandbox import apollo, saleshandy
from sandbox.apollo import Sandbox, SandboxConfig
from sandbox.core import runner, server
from sandbox.core.emulator import Emulator
from sandbox.core.handle import SandboxHandle
from sandbox.core.server import SandboxInfo

EMULATORS: dict[str, Emulator[Any, Any]] = {
    "apollo": apollo.EMULATOR,
    "saleshandy": saleshandy.EMULATOR,
}
DEFAULT_VENDOR = "apollo"


def emulator(vendor: str) -> Emulator[Any, Any]:
    """The emulator of `vendor`.

    Raises:
        ValueError: no emulator is registered under that name.
    """
    try:
        return EMULATORS[vendor]
    except KeyError:
        known = ", ".join(sorted(EMULATORS))
        raise ValueError(
            f"no sandbox emulator for vendor {vendor!r}; choose one of: {known}"
        ) from None


@overload
def running_sandbox(
    config: SandboxConfig | None = None,
    *,
    vendor: Literal["apollo"] = "apollo",
    subprocess: bool = False,
    **overrides: Any,
) -> AbstractContextManager[Sandbox]: ...


@overload
def running_sandbox(
    config: Any = None, *, vendor: str, subprocess: bool = False, **overrides: Any
) -> AbstractContextManager[SandboxHandle]: ...


def running_sandbox(
    config: Any = None,
    *,
    vendor: str = DEFAULT_VENDOR,
    subprocess: bool = False,
    **overrides: Any,
) -> AbstractContextManager[SandboxHandle]:
    """Start a sandbox on a free 127.0.0.1 port, yield its handle, stop it on exit.

    Args:
        config: the base config (default: the vendor's, e.g. `SandboxConfig()`).
        vendor: which emulator to run (a key of `EMULATORS`).
        subprocess: run `python -m sandbox` in a child process instead of a daemon thread.
        **overrides: config fields to change, e.g. `tasks=1000, faults={"drop_rate": 0.1}`.

    Raises:
        ValueError: `vendor` has no emulator.
    """
    return runner.running(emulator(vendor), config, subprocess=subprocess, **overrides)


def serve_forever(
    config: Any,
    port: int,
    host: str = "127.0.0.1",
    on_ready: Callable[[SandboxInfo], None] | None = None,
    vendor: str = DEFAULT_VENDOR,
) -> None:
    """Serve `vendor`'s emulator with `config` until interrupted (Ctrl-C). `on_ready` gets the
    base URL and what to say about it once listening, so the caller decides how to show it
    (library code does not print), e.g. `on_ready=lambda info: print(info.describe())`;
    without it they are logged."""
    make_app = emulator(vendor).app
    server.serve_forever(lambda: make_app(config), port, host, on_ready)
