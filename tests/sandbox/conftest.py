"""Fixtures of the Apollo sandbox contract tests: HTTP clients that speak to a sandbox like a
vendor client would (the key in `x-api-key`, nothing else). Thin aliases of the one family in
`tests/conftest.py` (`http_client_factory`, `sandbox`)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from sales_tasks.sandbox import Sandbox


@pytest.fixture
def client_for(http_client_factory: Callable[..., httpx.Client]) -> Callable[..., httpx.Client]:
    """`make(sb, key=None, **kwargs)`: a client sending `key` (default: the master key)."""

    def make(sb: Sandbox, key: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"x-api-key": key if key is not None else sb.master_key}
        return http_client_factory(sb, headers, **kwargs)

    return make


@pytest.fixture
def api(sandbox: Sandbox, client_for: Callable[..., httpx.Client]) -> httpx.Client:
    """A master-key client of the default `sandbox`."""
    return client_for(sandbox)
