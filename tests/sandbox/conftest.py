"""Fixtures of the sandbox contract tests: HTTP clients that speak to a sandbox like a vendor
client would (the key in `x-api-key`, nothing else)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from sandbox import Sandbox


@pytest.fixture
def client_for() -> Iterator[Callable[..., httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(sb: Sandbox, key: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"x-api-key": key if key is not None else sb.master_key}
        # verify=False: plain HTTP anyway, and loading CA certificates costs ~0.1 s per client
        client = httpx.Client(
            base_url=sb.base_url, headers=headers, timeout=30.0, verify=False, **kwargs
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(sandbox: Sandbox, client_for: Callable[..., httpx.Client]) -> httpx.Client:
    """A master-key client of the default `sandbox`."""
    return client_for(sandbox)
