"""Shared pytest fixtures.

Sandbox fixtures (owned by the sandbox package): `sandbox` is a fresh Apollo.io sandbox per test
(300 tasks, seed 7, in a thread of this process); `make_sandbox(**overrides)` starts more with
other settings and stops them all at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from sandbox import Sandbox, running_sandbox
from sandbox.reply import ReplySandbox

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


# --- reply sandbox fixtures ---
# `reply_sandbox`: a fresh Reply.io sandbox per test (300 tasks, seed 13, in a thread of this
# process); `make_reply_sandbox(**overrides)` starts more with other settings (e.g.
# `auth_scheme="x-api-key"`, `window_scale=0.01`) and stops them all at teardown.
REPLY_SANDBOX_DEFAULTS: dict[str, Any] = {"tasks": 300, "seed": 13}


@pytest.fixture
def reply_sandbox() -> Iterator[ReplySandbox]:
    with running_sandbox(vendor="reply", **REPLY_SANDBOX_DEFAULTS) as sb:
        assert isinstance(sb, ReplySandbox)
        yield sb


@pytest.fixture
def make_reply_sandbox() -> Iterator[Callable[..., ReplySandbox]]:
    with ExitStack() as stack:

        def make(**overrides: Any) -> ReplySandbox:
            sb = stack.enter_context(
                running_sandbox(vendor="reply", **{**REPLY_SANDBOX_DEFAULTS, **overrides})
            )
            assert isinstance(sb, ReplySandbox)
            return sb

        yield make


@pytest.fixture
def reply_client() -> Iterator[Callable[..., httpx.Client]]:
    """`reply_client(sb, **headers)`: an HTTP client of Reply sandbox `sb`, sending `headers`
    (default: its API key the way it was started to accept)."""
    clients: list[httpx.Client] = []

    def make(sb: ReplySandbox, **headers: str) -> httpx.Client:
        client = httpx.Client(
            base_url=sb.base_url,
            headers=headers or sb.auth_headers(),
            timeout=30.0,
            verify=False,  # plain HTTP to 127.0.0.1; loading CA certificates costs ~0.1 s
            trust_env=False,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
