"""Shared pytest fixtures.

Sandbox fixtures (owned by the sandbox package): `sandbox` is a fresh Apollo.io sandbox per test
(300 tasks, seed 7, in a thread of this process); `make_sandbox(**overrides)` starts more with
other settings and stops them all at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from sandbox import Sandbox, running_sandbox

SANDBOX_DEFAULTS: dict[str, Any] = {"tasks": 300, "seed": 7}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(**SANDBOX_DEFAULTS) as sb:
        yield sb


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    with ExitStack() as stack:

        def make(**overrides: Any) -> Sandbox:
            return stack.enter_context(running_sandbox(**{**SANDBOX_DEFAULTS, **overrides}))

        yield make


# --- other fixtures below ---


# --- saleshandy sandbox fixtures ---
# `saleshandy_sandbox` is a fresh Saleshandy sandbox per test (300 tasks, seed 7, in a thread of
# this process); `make_saleshandy_sandbox(**overrides)` starts more with other settings and stops
# them all at teardown.
import httpx  # noqa: E402  (imports kept in this block, for merges)

from sandbox.saleshandy import SaleshandySandbox  # noqa: E402

SALESHANDY_DEFAULTS: dict[str, Any] = {"tasks": 300, "seed": 7}


@pytest.fixture
def saleshandy_sandbox() -> Iterator[SaleshandySandbox]:
    with running_sandbox(vendor="saleshandy", **SALESHANDY_DEFAULTS) as sb:
        assert isinstance(sb, SaleshandySandbox)
        yield sb


@pytest.fixture
def make_saleshandy_sandbox() -> Iterator[Callable[..., SaleshandySandbox]]:
    with ExitStack() as stack:

        def make(**overrides: Any) -> SaleshandySandbox:
            sb = stack.enter_context(
                running_sandbox(vendor="saleshandy", **{**SALESHANDY_DEFAULTS, **overrides})
            )
            assert isinstance(sb, SaleshandySandbox)
            return sb

        yield make


@pytest.fixture
def saleshandy_client() -> Iterator[Callable[..., httpx.Client]]:
    """`make(sb, key=None, **kwargs)`: an HTTP client of sandbox `sb` that sends the key the way
    working Saleshandy clients do (`x-api-key`, nothing else); `key=""` sends no key."""
    clients: list[httpx.Client] = []

    def make(sb: SaleshandySandbox, key: str | None = None, **kwargs: Any) -> httpx.Client:
        sent = sb.api_key if key is None else key
        headers = {**({"x-api-key": sent} if sent else {}), **kwargs.pop("headers", {})}
        client = httpx.Client(
            base_url=sb.base_url, headers=headers, timeout=30.0, verify=False, **kwargs
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
