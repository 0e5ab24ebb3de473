"""The HTTP client core shared by every source and sink: auth header, timeouts, bounded retries
with backoff, the rate-limit governor, and the one status-to-error mapping.

Facts relied on (see ../shared/api-docs/NOTES.md):
- The key travels only in a header (`x-api-key` for Apollo and Saleshandy); never in a URL or body.
- 429 comes with `retry-after` seconds (sometimes absent): honoured, capped by `max_rate_limit_wait`.
- A 429 means the vendor did not act on the call, so even a create may be resent after it. Any
  other failure after a create was sent (5xx, dropped connection, timeout, unreadable answer)
  leaves its outcome unknown: the client raises `OutcomeUnknownError` and never resends it itself.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from sources.core.errors import (
    ConnectFailedError,
    FatalApiError,
    InvalidResponseError,
    OutcomeUnknownError,
    RateLimitedError,
    RetriableApiError,
    RetriesExhaustedError,
    TransportError,
    VendorApiError,
    error_for_response,
    redact,
)
from sources.core.governor import RateLimitGovernor

logger = logging.getLogger("apollo_tasks.http")

USER_AGENT = "apollo-tasks/0.1 (+dlt)"


@dataclass
class RequestStats:
    """Counters a run summary reports. Thread-safe increments through `add`."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    rate_limit_wait_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: float) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def as_dict(self) -> dict[str, float]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "server_errors": self.server_errors,
            "transport_errors": self.transport_errors,
            "rate_limit_wait_seconds": round(self.rate_limit_wait_seconds, 3),
        }


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: at most `max_attempts` tries per request, exponential backoff with jitter."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    # A 429 asking us to wait longer than this (an exhausted hourly or daily window) ends the run
    # with a clear error instead of a silent hour-long sleep.
    max_rate_limit_wait: float = 900.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return delay * (0.5 + rng.random() / 2)


# Failures where the request never reached the vendor: safe to resend even a create.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ApiClient:
    """A vendor API client: one connection pool, one governor, one retry policy.

    Args:
        base_url: e.g. `https://api.apollo.io` (paths passed to `request_json` start with `/`).
        api_key: sent only in the `auth_header` header.
        vendor: name used in error messages.
        timeout: seconds for connect, read, write and pool waits.
        max_connections: size of the connection pool (and so the useful concurrency).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        vendor: str = "Apollo",
        auth_header: str = "x-api-key",
        auth_scheme: str = "",
        timeout: float = 30.0,
        max_connections: int = 8,
        retry: RetryPolicy | None = None,
        stats: RequestStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
    ) -> None:
        if not api_key:
            raise FatalApiError(
                f"no {vendor} API key configured: set APOLLO_API_KEY or the dlt secret api_key"
            )
        self.base_url = base_url.rstrip("/")
        self.vendor = vendor
        self.retry = retry or RetryPolicy()
        self.stats = stats or RequestStats()
        self.governor = RateLimitGovernor()
        self._api_key = api_key
        self._sleep = sleep
        self._rng = random.Random(seed)
        header_value = f"{auth_scheme} {api_key}".strip()
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                auth_header: header_value,
                "user-agent": USER_AGENT,
                "accept": "application/json",
                "cache-control": "no-cache",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:  # never show the key
        return f"ApiClient(vendor={self.vendor!r}, base_url={self.base_url!r})"

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        idempotent: bool = True,
        endpoint: str | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON body, retrying what is safe to retry.

        Args:
            idempotent: False for creates. Then only failures that prove the vendor did not act
                (429, connection refused) are retried; anything else raises OutcomeUnknownError.
            endpoint: the rate-limit bucket (defaults to the path).

        Raises:
            FatalApiError: 401/403/4xx, or retries exhausted.
            OutcomeUnknownError: a non-idempotent call whose effect cannot be known.
        """
        endpoint = endpoint or path
        last: VendorApiError | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            if attempt > 1:
                self.stats.add(retries=1)
            try:
                return self._attempt(method, path, params, json, idempotent, endpoint)
            except RateLimitedError as exc:
                last = exc
                self.stats.add(rate_limited=1)
                wait = exc.retry_after
                if wait is not None and wait > self.retry.max_rate_limit_wait:
                    raise RetriesExhaustedError(
                        f"{self.vendor} rate limit on {endpoint} asks to wait {wait:.0f}s, more"
                        f" than max_rate_limit_wait={self.retry.max_rate_limit_wait:.0f}s: the"
                        " hourly or daily quota is spent; run again later or raise the limit",
                        status=429,
                        endpoint=endpoint,
                    ) from None
                if wait is None:
                    # The governor already blocks the endpoint for a retry-after; without one, back off.
                    self._sleep(self.retry.backoff(attempt, self._rng))
            except RetriableApiError as exc:
                last = exc
                if not idempotent and not isinstance(exc, ConnectFailedError):
                    raise OutcomeUnknownError(
                        f"{self.vendor} {endpoint}: {exc}; the call may or may not have been"
                        " carried out",
                        status=exc.status,
                        endpoint=endpoint,
                    ) from None
                delay = self.retry.backoff(attempt, self._rng)
                logger.warning("%s (attempt %d, retrying in %.1fs)", exc, attempt, delay)
                self._sleep(delay)
        raise RetriesExhaustedError(
            f"{self.vendor} {endpoint} still failing after {self.retry.max_attempts} attempts:"
            f" {last}",
            status=last.status if last else None,
            endpoint=endpoint,
        )

    def _attempt(
        self,
        method: str,
        path: str,
        params: Any,
        json: Any,
        idempotent: bool,
        endpoint: str,
    ) -> Any:
        self.governor.acquire(endpoint)
        headers: Mapping[str, str] | None = None
        retry_after: float | None = None
        try:
            self.stats.add(requests=1)
            content = orjson.dumps(json) if json is not None else None
            try:
                response = self._http.request(
                    method,
                    path,
                    params=params,
                    content=content,
                    headers={"content-type": "application/json"} if content is not None else None,
                )
            except _NOT_SENT as exc:
                self.stats.add(transport_errors=1)
                raise ConnectFailedError(
                    f"cannot reach {self.vendor} at {self.base_url} ({type(exc).__name__})",
                    endpoint=endpoint,
                ) from None
            except httpx.HTTPError as exc:
                self.stats.add(transport_errors=1)
                raise TransportError(
                    f"{self.vendor} {endpoint}: connection failed mid-request ({type(exc).__name__})",
                    endpoint=endpoint,
                ) from None
            error = error_for_response(
                response, endpoint=endpoint, vendor=self.vendor, secret=self._api_key
            )
            if isinstance(error, RateLimitedError):
                retry_after = error.retry_after
            if error is not None:
                if error.status and error.status >= 500:
                    self.stats.add(server_errors=1)
                raise error
            headers = response.headers
            _release(response)
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise InvalidResponseError(
                    f"{self.vendor} {endpoint} answered {response.status_code} with a body that"
                    f" is not valid JSON ({len(response.content)} bytes)",
                    status=response.status_code,
                    endpoint=endpoint,
                ) from None
        finally:
            self.governor.release(endpoint, headers, retry_after=retry_after)

    def safe_message(self, exc: BaseException) -> str:
        """An exception's text with the key scrubbed, for logs and summaries."""
        return redact(str(exc), self._api_key)


def _release(response: httpx.Response) -> None:
    """Let a fully read response be freed as soon as the caller drops it.

    httpx binds a response and its stream to each other (`Response` <-> `BoundSyncStream`), a
    reference cycle that only the cyclic collector frees; a long scan that makes GC rare would
    otherwise keep every page's body (hundreds of KB each) alive. The body is already read, so
    the stream is no longer needed.
    """
    response.stream = httpx.ByteStream(b"")
