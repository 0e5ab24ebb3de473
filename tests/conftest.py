"""Shared pytest fixtures and the test layers.

Layers: every test gets one of the markers `unit`, `contract`, `e2e` from its file
(`tests/layers.py` holds the one table); a test or module carrying one of them keeps its own.
A `unit` test may not open a TCP connection or bind a port: it fails saying so.

Sandboxes: one factory, `sandbox_factory(vendor, **overrides)`, starts an emulator (in a thread of
this process, or a child process with `subprocess=True`) with the vendor's test defaults
(`SANDBOX_DEFAULTS`, else the emulator's own) and stops every one it started at teardown. Every
emulator found in `sandbox/<vendor>/` gets thin aliases of it, `<vendor>_sandbox` and
`make_<vendor>_sandbox(**overrides)`; `sandbox` / `make_sandbox` are the default vendor's
(`sales_tasks.sandbox.registry.DEFAULT_VENDOR`, Apollo.io: 300 tasks, seed 7).

Vendor folders: `vendor_folders({"sources/acme/spec.py": "...", ...})` writes files under a
tmp dir and adds its `clients/`, `sources/`, `destinations/`, `sandbox/` to those packages' search
path, so discovery finds the new vendor as if its folders were in the repository (undone, and
discovery forgotten, at teardown).

HTTP clients of a sandbox (closed at teardown): `saleshandy_client(sb, key=None, **kwargs)`
(the key in `x-api-key`; `key=""` sends none), `reply_client(sb, **headers)` (default: the key the
way the sandbox was started to accept it); Apollo's `client_for` lives in tests/sandbox/conftest.py.
"""

from __future__ import annotations

import importlib
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from sales_tasks.sandbox import Sandbox, running_sandbox
from sales_tasks.sandbox.core.handle import SandboxHandle
from sales_tasks.sandbox.registry import DEFAULT_VENDOR, emulators
from sales_tasks.sandbox.reply import ReplySandbox
from sales_tasks.sandbox.saleshandy import SaleshandySandbox
from tests.layers import LAYER_NAMES, layer_of

# --- layers ---


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in LAYER_NAMES):
            continue
        try:
            rel = item.path.relative_to(config.rootpath).as_posix()
        except ValueError:
            continue
        item.add_marker(layer_of(rel))


_REAL = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "bind": socket.socket.bind,
}


@pytest.fixture(autouse=True)
def _unit_tests_stay_off_the_network(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("unit") is None:
        return
    for name, real in _REAL.items():

        def guarded(sock: socket.socket, address: Any, *args: Any, _real: Any = real) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                raise RuntimeError(
                    f"a unit test used the network ({address!r}): mark it `contract` or `e2e`,"
                    " or place its file in tests/layers.py"
                )
            return _real(sock, address, *args)

        monkeypatch.setattr(socket.socket, name, guarded)


# --- vendor folders added by a test ---

VENDOR_ROOTS = ("clients", "sources", "destinations", "sandbox")


@pytest.fixture
def vendor_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Mapping[str, str]], Path]]:
    """`add({relative path: text})`: the files written under a fresh root whose top-level
    folders join the packages' `__path__`; returns the root."""
    from sales_tasks.clients.core.discovery import folder_of, qualified
    from sales_tasks.pipelines.vendors import forget

    root = tmp_path_factory.mktemp("vendor")
    added: list[str] = []

    def add(files: Mapping[str, str]) -> Path:
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            added.append(relative.split("/")[1] if "/" in relative else "")
        for top in VENDOR_ROOTS:
            folder = str(root / top)
            package = importlib.import_module(qualified(top))
            if (root / top).is_dir() and folder not in package.__path__:
                monkeypatch.setattr(package, "__path__", [*package.__path__, folder])
        importlib.invalidate_caches()
        forget()
        return root

    yield add
    for name in [m for m in sys.modules if folder_of(m).split(".")[0] in VENDOR_ROOTS]:
        parts = folder_of(name).split(".")
        if len(parts) > 1 and parts[1] in set(added):
            del sys.modules[name]
    monkeypatch.undo()
    forget()


# --- sandboxes: one factory, per-vendor aliases ---

# Each vendor's test defaults; a vendor not named here gets its emulator's own.
SANDBOX_DEFAULTS: dict[str, dict[str, Any]] = {
    "apollo": {"tasks": 300, "seed": 7},
    "saleshandy": {"tasks": 300, "seed": 7},
    "reply": {"tasks": 300, "seed": 13},
}
# Kept for tests that read them by these names.
SALESHANDY_DEFAULTS = SANDBOX_DEFAULTS["saleshandy"]
REPLY_SANDBOX_DEFAULTS = SANDBOX_DEFAULTS["reply"]


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Any]]:
    """`start(vendor, **overrides)`: a running sandbox of `vendor` with its test defaults and
    `overrides` (config fields, or `subprocess=True`); all are stopped at teardown."""
    with ExitStack() as stack:

        def start(vendor: str, **overrides: Any) -> SandboxHandle:
            settings = {**SANDBOX_DEFAULTS.get(vendor, {}), **overrides}
            return stack.enter_context(running_sandbox(vendor=vendor, **settings))

        yield start


def _vendor_fixtures(vendor: str) -> tuple[Any, Any]:
    """`<vendor>_sandbox` and `make_<vendor>_sandbox` for one discovered emulator."""

    @pytest.fixture(name=f"{vendor}_sandbox")
    def one(sandbox_factory: Callable[..., SandboxHandle]) -> SandboxHandle:
        return sandbox_factory(vendor)

    @pytest.fixture(name=f"make_{vendor}_sandbox")
    def make(sandbox_factory: Callable[..., SandboxHandle]) -> Callable[..., SandboxHandle]:
        return partial(sandbox_factory, vendor)

    return one, make


# Every emulator found in `sandbox/<vendor>/` gets its two fixtures; nothing lists the vendors.
for _vendor in emulators():
    globals()[f"_{_vendor}_sandbox"], globals()[f"_make_{_vendor}_sandbox"] = _vendor_fixtures(
        _vendor
    )


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """The default vendor's sandbox (`sales_tasks.sandbox.registry.DEFAULT_VENDOR`), by its older name."""
    return sandbox_factory(DEFAULT_VENDOR)


@pytest.fixture
def make_sandbox(sandbox_factory: Callable[..., Sandbox]) -> Callable[..., Sandbox]:
    return partial(sandbox_factory, DEFAULT_VENDOR)


@pytest.fixture
def http_client_factory() -> Iterator[Callable[..., httpx.Client]]:
    """`make(sb, headers, **kwargs)`: an HTTP client of sandbox `sb` sending `headers`; all are
    closed at teardown. Plain HTTP to 127.0.0.1: no certificate loading (~0.1 s per client), no
    proxy from the environment."""
    with ExitStack() as stack:

        def make(sb: SandboxHandle, headers: dict[str, str], **kwargs: Any) -> httpx.Client:
            kwargs.setdefault("timeout", 30.0)
            kwargs.setdefault("trust_env", False)
            client = httpx.Client(base_url=sb.base_url, headers=headers, verify=False, **kwargs)
            return stack.enter_context(client)

        yield make


@pytest.fixture
def saleshandy_client(
    http_client_factory: Callable[..., httpx.Client],
) -> Callable[..., httpx.Client]:
    """`make(sb, key=None, **kwargs)`: an HTTP client of sandbox `sb` that sends the key the way
    working Saleshandy clients do (`x-api-key`, nothing else); `key=""` sends no key."""

    def make(sb: SaleshandySandbox, key: str | None = None, **kwargs: Any) -> httpx.Client:
        sent = sb.api_key if key is None else key
        headers = {**({"x-api-key": sent} if sent else {}), **kwargs.pop("headers", {})}
        return http_client_factory(sb, headers, **kwargs)

    return make


@pytest.fixture
def reply_client(http_client_factory: Callable[..., httpx.Client]) -> Callable[..., httpx.Client]:
    """`reply_client(sb, **headers)`: an HTTP client of Reply sandbox `sb`, sending `headers`
    (default: its API key the way it was started to accept)."""

    def make(sb: ReplySandbox, **headers: str) -> httpx.Client:
        return http_client_factory(sb, headers or sb.auth_headers())

    return make
