"""What the shared HTTP core needs to know about one vendor, supplied by that vendor's module.

The core stays vendor-neutral: names, auth header, hints in error messages, rate-limit header
names, the auth scheme and the reading of a 429's text are all values of a `VendorProfile`. A vendor module builds
one (in its own package under `clients/`) and passes it to `ApiClient`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sales_tasks.clients.core.auth import ApiAuth, ApiKeyHeaderAuth
from sales_tasks.clients.core.headers import RateLimitHeaders

if TYPE_CHECKING:
    import httpx


def _key_in_x_api_key(api_key: str) -> ApiAuth:
    return ApiKeyHeaderAuth(name="x-api-key", api_key=api_key)


def _no_quota_window(text: str) -> str | None:
    return None


def _only_401(response: httpx.Response) -> bool:
    return False


@dataclass(frozen=True)
class VendorProfile:
    """A vendor's HTTP facts, as the core uses them.

    Attributes:
        name: the vendor's name in messages.
        auth: makes the vendor's auth object (`sales_tasks.clients.core.auth`) from a configured key.
        key_hint: what to do when no key is configured.
        auth_hint: what to do on a 401.
        permission_hint: what to do on a 403.
        base_url_example: a well-formed base URL, shown when the configured one is not.
        rate_limit_headers: names of the budget-left and reset headers.
        quota_window: reads a 429's text; returns the window ("hour", "day") whose quota is spent
            when waiting seconds cannot help, or None for a short, retriable limit.
        documented_limits: `(requests, window seconds)` the vendor documents, paced on our side
            when it sends no budget headers (empty: rely on headers and 429s alone).
        auth_failure: reads a non-401 error answer; True when it is the vendor's way of saying
            the key is wrong (e.g. a 400 whose code means "invalid token"), so it maps to the
            auth error.
    """

    name: str = "the API"
    auth: Callable[[str], ApiAuth] = _key_in_x_api_key
    key_hint: str = "configure the API key"
    auth_hint: str = "check that the key is right and sent the way the vendor expects"
    permission_hint: str = "the key lacks access to this endpoint"
    base_url_example: str = "https://api.example.com"
    rate_limit_headers: RateLimitHeaders = field(default_factory=RateLimitHeaders)
    quota_window: Callable[[str], str | None] = _no_quota_window
    documented_limits: tuple[tuple[int, float], ...] = ()
    auth_failure: Callable[[httpx.Response], bool] = _only_401
