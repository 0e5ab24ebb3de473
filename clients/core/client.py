"""The HTTP client core shared by every source and sink: auth header, timeouts, bounded retries
with backoff, the rate-limit governor, and the one status-to-error mapping.

Vendor facts come from a `VendorProfile` the vendor module supplies. Facts relied on (from the
vendors' API documentation, as the vendor modules cite it):
- The key travels only in a header (the auth object's, `sales_tasks.clients.core.auth`); never in a URL or
  body.
- 429 comes with `retry-after` seconds or an HTTP date (sometimes absent): honoured up to
  `max_rate_limit_wait`, in total over one request's 429s; a 429 with `retry-after` spends no
  attempt (only a 429 without one backs off as a retry). A 429 the profile reads as an hourly or daily quota ends the call at
  once with `QuotaExhaustedError` saying when it resets, unless the vendor dated the reset within
  `max_rate_limit_wait` (then that one wait, no backoff loop); so does a wait longer than allowed.
- A 429 means the vendor did not act on the call, so even a create may be resent after it. Any
  other failure after a create was sent (5xx, dropped connection, timeout, unreadable answer)
  leaves its outcome unknown: the client raises `OutcomeUnknownError` and never resends it itself.
- A base URL that is not http(s) is refused when the client is made. A refused connection is
  retried briefly (`max_connect_attempts`) while this client has never reached the vendor; after
  that every call fails at once with `UnreachableError`: a closed port costs seconds, not minutes.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

import sales_tasks.clients.core.waiting as waiting
from sales_tasks.clients.core.auth import ApiAuth
from sales_tasks.clients.core.connection import checked_base_url, connect_reason, release_body
from sales_tasks.clients.core.errors import (
    ConnectFailedError,
    FatalApiError,
    InvalidResponseError,
    OutcomeUnknownError,
    QuotaExhaustedError,
    RateLimitedError,
    RetriableApiError,
    RetriesExhaustedError,
    TransportError,
    UnreachableError,
    VendorApiError,
    error_for_response,
    quota_message,
    redact,
)
from sales_tasks.clients.core.governor import HeldTooLong, RateLimitGovernor
from sales_tasks.clients.core.profile import VendorProfile

PRODUCT = "sales-tasks"


@functools.cache
def product_version() -> str:
    """The installed distribution's version, found by its `sales-tasks` command (whatever the
    distribution is called); "0" when it is not installed (a bare checkout)."""
    import importlib.metadata

    for script in importlib.metadata.entry_points(group="console_scripts", name=PRODUCT):
        dist = getattr(script, "dist", None)
        if dist is not None:
            return str(dist.version)
    return "0"


_TLS_LOCK = threading.Lock()
_TLS: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def tls_context() -> ssl.SSLContext:
    """The TLS settings httpx makes for its default `verify=True` (certifi's bundle, or the
    `SSL_CERT_FILE` / `SSL_CERT_DIR` the environment names), made once per process and per those
    two variables. httpx would load the bundle again for every client: ~20 ms of CPU each, and a
    run makes one to three clients. An `SSLContext` is safe to share between connections and
    threads; it is only read once made."""
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _TLS_LOCK:
        context = _TLS.get(key)
        if context is None:
            context = _TLS[key] = httpx.create_ssl_context()
        return context


def vendor_key(name: str) -> str:
    """`acme` from a vendor name such as `Acme` or `Acme.io` (for logger names)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower().split(".")[0]).strip("_") or "vendor"


def user_agent(vendor: str) -> str:
    """`sales-tasks/<version> (<vendor>)`: every vendor sees our product, its version and that
    the call is meant for it."""
    return f"{PRODUCT}/{product_version()} ({vendor})"


def vendor_logger(vendor: str, part: str) -> logging.Logger:
    """The logger of one vendor's `part` (`http`, `source`): `<vendor>_tasks.<part>`, the same
    prefix as the vendor's config section, so its lines say whose they are."""
    return logging.getLogger(f"{vendor_key(vendor)}_tasks.{part}")


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
    # Tries of a refused connection before the vendor counts as unreachable, while this client
    # has never reached it (a wrong port or host); once it has, a refusal is a blip and gets the
    # full `max_attempts`.
    max_connect_attempts: int = 3
    connect_backoff_max: float = 1.0
    # 429s with `retry-after` cost no attempt; this many in a row for one request still end it
    # (a vendor answering `retry-after: 0` forever must not hold a run).
    max_paced_waits: int = 100

    def backoff(self, attempt: int, rng: random.Random) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return delay * (0.5 + rng.random() / 2)

    def connect_backoff(self, attempt: int, rng: random.Random) -> float:
        return min(self.connect_backoff_max, self.backoff(attempt, rng))


def reading_retry(policy: RetryPolicy) -> RetryPolicy:
    """`policy` for a read the run waits on, one after another (a lost create's search): the
    first retry after a 5xx comes sooner (0.05-0.1 s instead of 0.25-0.5 s) and the delays
    still double, over more attempts (at least 8: up to about 13 s in all, as long as the
    client's 6 at its own base), so an outage still backs off while one failed read among
    dozens no longer costs the run half a second or more each time."""
    return dataclasses.replace(policy, backoff_base=0.1, max_attempts=max(policy.max_attempts, 8))


def page_retry(policy: RetryPolicy) -> RetryPolicy:
    """`reading_retry` for the pages of a lost create's search (several read at once, or one
    after another): the first wait after a 5xx 10-20 ms instead of 50-100 ms, still doubling,
    over at least 11 attempts (10-20 s of waits in all, as long as `reading_retry`'s 8). A step
    of pages read at once waits for its slowest: with 1 read in 10 answered 5xx, nearly every
    step of 16 pages met one, and its first wait was most of the step's time."""
    return dataclasses.replace(
        reading_retry(policy), backoff_base=0.02, max_attempts=max(policy.max_attempts, 11)
    )


# Failures where the request never reached the vendor: safe to resend even a create.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ApiClient:
    """A vendor API client: one connection pool, one governor, one retry policy.

    Args:
        base_url: e.g. `https://api.example.com` (paths passed to `request_json` start with `/`).
        api_key: the key, sent the way the profile's `auth` says (ignored when `auth` is given).
        auth: how to authenticate (`sales_tasks.clients.core.auth`), instead of `api_key` and the profile's.
        profile: the vendor's facts (name, auth scheme, hints, rate-limit headers, 429 reading).
        vendor: overrides the profile's name.
        timeout: seconds for connect, read, write and pool waits.
        max_connections: size of the connection pool (and so the useful concurrency).
        sleep: how backoffs wait (default: `sales_tasks.clients.core.waiting.current()`, the wall clock
            unless a test put the clients on another; rate-limit holds follow it too).
        transport: an httpx transport to use instead of the network (tests: MockTransport).

    Raises:
        FatalApiError: no key configured.
        UnreachableError: `base_url` is not an http(s) URL.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        auth: ApiAuth | None = None,
        profile: VendorProfile | None = None,
        vendor: str | None = None,
        timeout: float = 30.0,
        max_connections: int = 8,
        retry: RetryPolicy | None = None,
        stats: RequestStats | None = None,
        sleep: Callable[[float], None] | None = None,
        seed: int | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        prof = profile or VendorProfile()
        self.profile = prof
        self.vendor = vendor or prof.name
        self.auth = auth if auth is not None else prof.auth(api_key)
        api_key = self.auth.secret()
        if not api_key:
            raise FatalApiError(f"no {self.vendor} API key configured: {prof.key_hint}")
        self.base_url = checked_base_url(base_url, self.vendor, prof.base_url_example, api_key)
        self.retry = retry or RetryPolicy()
        self.stats = stats or RequestStats()
        waits = waiting.current()
        injected = waits is not waiting.WALL
        self.governor = RateLimitGovernor(
            prof.rate_limit_headers,
            limits=prof.documented_limits,
            monotonic=waits.monotonic,
            wait=waits.sleep if injected else None,
        )
        self._api_key = api_key
        self._log = vendor_logger(self.vendor, "http")
        self._sleep = sleep if sleep is not None else waits.sleep
        self._rng = random.Random(seed)
        # Until a response arrives, a refused connection more likely means a wrong URL than a blip.
        self._reached = False
        self._unreachable: UnreachableError | None = None
        # Endpoints whose hourly/daily quota is spent with no reset in reach: later calls (other
        # workers, other pages) fail at once instead of each spending a 429 to learn it.
        self._spent: dict[str, QuotaExhaustedError] = {}
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            headers={
                **self.auth.headers(),
                "user-agent": user_agent(self.vendor),
                "accept": "application/json",
                "cache-control": "no-cache",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
            verify=tls_context(),
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
        errors_retry: RetryPolicy | None = None,
        decode: Callable[[bytes], Any] | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON body (None for a 204), retrying what is
        safe to retry.

        Args:
            idempotent: False for creates. Then only failures that prove the vendor did not act
                (429, connection refused) are retried; anything else raises OutcomeUnknownError.
            endpoint: the rate-limit bucket (defaults to the path).
            errors_retry: the attempts and backoff after a 5xx or timeout, instead of the
                client's (e.g. `reading_retry` for a read the run waits on); 429s and refused
                connections keep the client's.
            decode: reads a successful body instead of `orjson.loads` (what it returns is
                returned; `orjson.JSONDecodeError` from it is an `InvalidResponseError` as
                usual), e.g. to answer a body already seen without decoding it again.

        Raises:
            FatalApiError: 401/403/4xx, or retries exhausted.
            QuotaExhaustedError: an hourly or daily quota is spent (or the wait is too long).
            UnreachableError: no connection can be made to the vendor.
            OutcomeUnknownError: a non-idempotent call whose effect cannot be known.
        """
        endpoint = endpoint or path
        if self._unreachable is not None:
            raise self._unreachable
        self._raise_if_spent(endpoint)
        last: VendorApiError | None = None
        connect_failures = 0
        # A 429 that says how long to wait is the vendor pacing us, not a failure: it costs no
        # attempt, only time, and all such waits of one request together stay within
        # `max_rate_limit_wait` (the governor holds the endpoint meanwhile, for every worker).
        paced = 0.0
        attempt, tries = 0, 0
        on_errors = errors_retry or self.retry
        while attempt < on_errors.max_attempts:
            attempt += 1
            tries += 1
            if tries > 1:
                self.stats.add(retries=1)
            self._check_held(endpoint)
            try:
                return self._attempt(method, path, params, json, idempotent, endpoint, decode)
            except QuotaExhaustedError as exc:
                self.stats.add(rate_limited=1)
                # An hourly or daily quota is spent: no backoff loop. Only a reset the vendor
                # dated within the wait we accept is waited for (the governor holds until then).
                if endpoint in self._spent:
                    raise
                last = exc
            except RateLimitedError as exc:
                last = exc
                self.stats.add(rate_limited=1)
                wait = exc.retry_after
                if wait is not None and wait > self.retry.max_rate_limit_wait:
                    raise self._too_long(endpoint, wait, exc) from None
                if wait is not None:
                    paced += wait
                    if paced > self.retry.max_rate_limit_wait:
                        raise self._too_long(endpoint, paced, exc) from None
                    if tries - attempt < self.retry.max_paced_waits:
                        attempt -= 1
                else:
                    # The governor already blocks the endpoint for a retry-after; without one, back off.
                    self._sleep(self.retry.backoff(attempt, self._rng))
            except ConnectFailedError as exc:
                last = exc
                connect_failures += 1
                if not self._reached and connect_failures >= self.retry.max_connect_attempts:
                    self._unreachable = UnreachableError(
                        f"{exc} after {connect_failures} tries: check the base URL and"
                        " that the service is up",
                        endpoint=endpoint,
                    )
                    raise self._unreachable from None
                delay = (
                    self.retry.backoff(attempt, self._rng)
                    if self._reached
                    else self.retry.connect_backoff(attempt, self._rng)
                )
                # Before the vendor was ever reached these tries are routine, not news: -v shows them.
                level = logging.WARNING if self._reached else logging.INFO
                self._log.log(level, "%s (attempt %d, retrying in %.1fs)", exc, attempt, delay)
                self._sleep(delay)
            except RetriableApiError as exc:
                last = exc
                if not idempotent and not isinstance(exc, ConnectFailedError):
                    raise OutcomeUnknownError(
                        f"{self.vendor} {endpoint}: {exc}; the call may or may not have been"
                        " carried out",
                        status=exc.status,
                        endpoint=endpoint,
                    ) from None
                delay = on_errors.backoff(attempt, self._rng)
                self._log.warning("%s (attempt %d, retrying in %.1fs)", exc, attempt, delay)
                self._sleep(delay)
        raise RetriesExhaustedError(
            f"{self.vendor} {endpoint} still failing after {on_errors.max_attempts} attempts:"
            f" {last}",
            status=last.status if last else None,
            endpoint=endpoint,
            response=last.response if last else None,
        )

    def _raise_if_spent(self, endpoint: str) -> None:
        spent = self._spent.get(endpoint)
        if spent is not None and (spent.resets_at is None or spent.resets_at > time.time()):
            raise spent

    def _check_held(self, endpoint: str) -> None:
        """Fail at once when the governor holds `endpoint` longer than a wait we accept."""
        held = self.governor.blocked_for(endpoint)
        if held > self.retry.max_rate_limit_wait:
            raise self._too_long(endpoint, held, None)

    def _too_long(
        self, endpoint: str, wait: float, cause: RateLimitedError | None
    ) -> QuotaExhaustedError:
        now = time.time()
        resets = self.governor.resets_at(endpoint) or now + wait
        text = (
            f"asked to wait {wait:.0f}s, more than max_rate_limit_wait="
            f"{self.retry.max_rate_limit_wait:.0f}s"
        )
        return QuotaExhaustedError(
            quota_message(self.vendor, endpoint, window=None, resets_at=resets, text=text, now=now),
            resets_at=resets,
            endpoint=endpoint,
            response=cause.response if cause else None,
        )

    def _attempt(
        self,
        method: str,
        path: str,
        params: Any,
        json: Any,
        idempotent: bool,
        endpoint: str,
        decode: Callable[[bytes], Any] | None = None,
    ) -> Any:
        try:
            # A worker that waited here while another learnt the budget is spent until a far
            # reset ends its call now, as `_check_held` would have before it queued.
            self.governor.acquire(endpoint, max_hold=self.retry.max_rate_limit_wait)
        except HeldTooLong as held:
            raise self._too_long(endpoint, held.seconds, None) from None
        headers: Mapping[str, str] | None = None
        retry_after: float | None = None
        try:
            # Another worker may have learnt, while this one waited, that the quota is spent.
            self._raise_if_spent(endpoint)
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
                    f"cannot reach {self.vendor} at {self.base_url} ({connect_reason(exc)})",
                    endpoint=endpoint,
                ) from None
            except httpx.UnsupportedProtocol:
                raise UnreachableError(
                    f"{self.vendor} base URL {self.base_url} is not an http(s) URL: use one"
                    f" like {self.profile.base_url_example}",
                    endpoint=endpoint,
                ) from None
            except httpx.HTTPError as exc:
                self.stats.add(transport_errors=1)
                raise TransportError(
                    f"{self.vendor} {endpoint}: connection failed mid-request ({type(exc).__name__})",
                    endpoint=endpoint,
                ) from None
            self._reached = True
            error = error_for_response(
                response,
                endpoint=endpoint,
                vendor=self.vendor,
                secret=self._api_key,
                profile=self.profile,
            )
            if isinstance(error, RateLimitedError):
                retry_after = error.retry_after
            elif isinstance(error, QuotaExhaustedError):
                left = None if error.resets_at is None else error.resets_at - time.time()
                if left is None or left > self.retry.max_rate_limit_wait:
                    # Recorded before the governor lets the next waiting worker send.
                    self._spent[endpoint] = error
                else:
                    retry_after = max(0.0, left)
            if error is not None:
                if error.status and error.status >= 500:
                    self.stats.add(server_errors=1)
                raise error
            headers = response.headers
            release_body(response)
            if response.status_code == 204:
                return None  # No Content (e.g. a delete): nothing to decode
            try:
                return (decode or orjson.loads)(response.content)
            except orjson.JSONDecodeError:
                raise InvalidResponseError(
                    f"{self.vendor} {endpoint} answered {response.status_code} with a body that"
                    f" is not valid JSON ({len(response.content)} bytes)",
                    status=response.status_code,
                    endpoint=endpoint,
                    response=response,
                ) from None
        finally:
            self.governor.release(endpoint, headers, retry_after=retry_after)

    def safe_message(self, exc: BaseException) -> str:
        """An exception's text with the key scrubbed, for logs and summaries."""
        return redact(str(exc), self._api_key)
