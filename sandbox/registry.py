"""The emulators the sandbox can run, by vendor name, and how to start one.

`running_sandbox(vendor="apollo", ...)` (tests, benchmarks), `serve_forever(...)` (the CLI) and
`python -m sales_tasks.sandbox --vendor apollo` all look the vendor up here. The emulators are discovered,
not listed: every package `sandbox/<vendor>/` exposing `EMULATOR` (an `Emulator`) is one, so a new
vendor's emulator is its folder. Apollo is the default vendor of `running_sandbox()` and
`python -m sales_tasks.sandbox` (the alias command's vendor).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from functools import cache
from typing import Any, Literal, overload

from sales_tasks.sandbox.apollo import Sandbox, SandboxConfig
from sales_tasks.sandbox.core import runner, server
from sales_tasks.sandbox.core.emulator import Emulator
from sales_tasks.sandbox.core.handle import SandboxHandle
from sales_tasks.sandbox.core.server import SandboxInfo

DEFAULT_VENDOR = "apollo"


@cache
def emulators() -> dict[str, Emulator[Any, Any]]:
    """Every package `sandbox/<vendor>/` (beside `core`) exposing `EMULATOR`, by vendor name.

    Raises:
        ImportError: a vendor package found on disk cannot be imported (never skipped).
    """
    found: dict[str, Emulator[Any, Any]] = {}
    # The package's search path, read now: a folder added to it later counts too.
    path = importlib.import_module(__name__.rpartition(".")[0]).__path__
    for info in sorted(pkgutil.iter_modules(path), key=lambda i: i.name):
        if not info.ispkg or info.name == "core" or info.name.startswith("_"):
            continue
        value = getattr(
            importlib.import_module(f"sales_tasks.sandbox.{info.name}"), "EMULATOR", None
        )
        if isinstance(value, Emulator):
            found[value.vendor] = value
    return found


class _Emulators(Mapping[str, Emulator[Any, Any]]):
    """`EMULATORS`: the discovered emulators, found when first read."""

    def __getitem__(self, vendor: str) -> Emulator[Any, Any]:
        return emulators()[vendor]

    def __iter__(self) -> Iterator[str]:
        return iter(emulators())

    def __len__(self) -> int:
        return len(emulators())


EMULATORS: Mapping[str, Emulator[Any, Any]] = _Emulators()


def emulator(vendor: str) -> Emulator[Any, Any]:
    """The emulator of `vendor`.

    Raises:
        ValueError: no emulator is registered under that name.
    """
    try:
        return emulators()[vendor]
    except KeyError:
        known = ", ".join(sorted(emulators()))
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
        subprocess: run `python -m sales_tasks.sandbox` in a child process instead of a daemon thread.
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
