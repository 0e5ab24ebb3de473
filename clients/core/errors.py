"""One exception tree for every vendor API we talk to, grouped by what the caller should do.

    VendorApiError                  base: every error raised by the HTTP core
    ├── FatalApiError               stop; retrying cannot help (fix the key, the plan, the request)
    │   ├── AuthenticationError     401 (or the vendor's own way, e.g. a 400 "invalid token"): missing,
    │   │                           unknown or wrongly-sent key
    │   ├── PermissionDeniedError   403: the key lacks access to the endpoint (plan, scope, key kind)
    │   ├── BadRequestError         400/404/422 and other 4xx: the vendor rejected the request
    │   ├── QuotaExhaustedError     429 for an hourly/daily quota, or a wait past the allowed one:
    │   │                           nothing works before the window resets (`resets_at`)
    │   ├── UnreachableError        no connection could be made (closed port, unknown host,
    │   │                           a base URL that is not http(s)): fix the URL or the network
    │   └── RetriesExhaustedError   a retriable failure kept happening past the retry budget
    ├── RetriableApiError           transient; safe to retry an idempotent request after a wait
    │   ├── RateLimitedError        429 (carries retry-after seconds when the vendor sent it)
    │   ├── ServerError             5xx
    │   ├── TransportError          read/write failure, timeout, dropped connection
    │   │   └── ConnectFailedError  never connected: the request provably did not reach the vendor
    │   └── InvalidResponseError    2xx with a body that is not the JSON we expect (truncated...)
    └── OutcomeUnknownError         a non-idempotent call (a create) was sent and we cannot know
                                    whether the vendor acted on it: reconcile before resending

Every error built from a response carries it (`.response`, like httpx's `HTTPStatusError`).
Vendor text is read from JSON `error`/`message`, from problem+json (`title`, `detail`, `code`,
`errors[]`) or from a plain-text body, and kept in the message.

Messages are one line a person can act on. They never contain the API key: the key only travels
in a header, and `redact` scrubs it from any vendor text we quote.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from sales_tasks.clients.core.headers import parse_retry_after, reset_at
from sales_tasks.clients.core.profile import VendorProfile


class VendorApiError(Exception):
    """Base of every error raised by the HTTP core; `response` is the answer it came from."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        endpoint: str = "",
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint
        self.response = response


class FatalApiError(VendorApiError):
    """Retrying cannot help: the key, the plan or the request must change."""


class AuthenticationError(FatalApiError):
    pass


class PermissionDeniedError(FatalApiError):
    pass


class BadRequestError(FatalApiError):
    """The vendor refused the request (4xx); `vendor_message` is its own text."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        endpoint: str = "",
        vendor_message: str = "",
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint, response=response)
        self.vendor_message = vendor_message


class QuotaExhaustedError(FatalApiError):
    """The quota of a window (`window`: "hour", "day", or None if unsaid) is spent until
    `resets_at` (epoch seconds, None when the vendor did not say): retrying sooner only fails."""

    def __init__(
        self,
        message: str,
        *,
        window: str | None = None,
        resets_at: float | None = None,
        status: int | None = 429,
        endpoint: str = "",
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint, response=response)
        self.window = window
        self.resets_at = resets_at


class UnreachableError(FatalApiError):
    """No connection to the vendor could be made, or its base URL cannot be used at all."""


class RetriesExhaustedError(FatalApiError):
    pass


class RetriableApiError(VendorApiError):
    """Transient; an idempotent request may be retried after a wait."""


class RateLimitedError(RetriableApiError):
    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        endpoint: str = "",
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint, response=response)
        self.retry_after = retry_after


class ServerError(RetriableApiError):
    pass


class TransportError(RetriableApiError):
    pass


class ConnectFailedError(TransportError):
    """The connection was never made: the vendor cannot have acted on the request."""


class InvalidResponseError(RetriableApiError):
    pass


class OutcomeUnknownError(VendorApiError):
    """A create was sent but no answer came back: the vendor may or may not have acted on it."""


class ActionableError(Exception):
    """Not a vendor error, but its message already tells a person what to do (a busy ledger,
    a bad warehouse URL...): shown as it is, without a traceback hint."""


# Below this length a key is masked only where it stands alone (not inside a longer word):
# a one-letter key masked as a substring turned `/v1/tasks` into `/v1/tas***s`. At this length
# and above, every occurrence is masked: such a string turns up inside other text only by chance.
SUBSTRING_MASK_MIN = 8
_KEY_CHAR = r"[A-Za-z0-9_\-]"


def redact(text: str, secret: str | None) -> str:
    """Scrub a secret out of any text we are about to show or store.

    A key of `SUBSTRING_MASK_MIN` characters or more is masked wherever it appears; a shorter
    one only as a whole token (between characters that cannot be part of a key), so ordinary
    words and paths stay readable.
    """
    if not secret or secret not in text:
        return text
    if len(secret) >= SUBSTRING_MASK_MIN:
        return text.replace(secret, "***")
    alone = re.compile(f"(?<!{_KEY_CHAR}){re.escape(secret)}(?!{_KEY_CHAR})")
    return alone.sub("***", text)


def _problem_text(body: dict[str, Any]) -> str:
    """problem+json (RFC 9457) and look-alikes: `title: detail (code)` plus each of `errors[]`."""
    parts = [str(body[k]) for k in ("title", "detail") if isinstance(body.get(k), str) and body[k]]
    text = ": ".join(dict.fromkeys(parts))
    code = body.get("code") or body.get("error_code")
    if isinstance(code, str | int) and not isinstance(code, bool) and str(code):
        text = f"{text} ({code})" if text else str(code)
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        items = []
        for item in errors[:5]:
            if isinstance(item, dict):
                where = item.get("field") or item.get("name") or item.get("pointer") or ""
                what = item.get("message") or item.get("detail") or item.get("title") or ""
                items.append(f"{where}: {what}" if where and what else str(what or where or item))
            else:
                items.append(str(item))
        text = f"{text}; {'; '.join(items)}" if text else "; ".join(items)
    return text


def _vendor_text(response: httpx.Response, limit: int = 300) -> str:
    """The vendor's own error text: JSON `error`/`message`, problem+json, else the plain body."""
    plain = " ".join(response.text.split())
    try:
        body = response.json()
    except ValueError:
        return plain[:limit]
    if isinstance(body, dict):
        for key in ("error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                code = body.get("error_code") or body.get("code")
                named = isinstance(code, str | int) and not isinstance(code, bool) and str(code)
                suffix = f" ({code})" if named else ""
                return (value + suffix)[:limit]
        problem = _problem_text(body)
        if problem:
            return problem[:limit]
    return plain[:limit]


def _requested_at(response: httpx.Response, secret: str | None) -> str:
    """` at <url>` (no query: it may carry tokens), or "" for a response without its request."""
    try:
        url = response.request.url
    except RuntimeError:
        return ""
    return f" at {redact(str(url.copy_with(query=None, fragment=None)), secret)}"


def _clock(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def quota_message(
    vendor: str,
    endpoint: str,
    *,
    window: str | None,
    resets_at: float | None,
    text: str = "",
    now: float | None = None,
) -> str:
    """One line for a spent quota: which, until when, what to do."""
    which = {"hour": "hourly", "day": "daily", "minute": "per-minute"}.get(window or "", "")
    head = f"{vendor} {which + ' ' if which else ''}quota for {endpoint} is spent"
    if resets_at is not None:
        left = max(0.0, resets_at - (time.time() if now is None else now))
        when = f"it resets at {_clock(resets_at)} (in {left / 60:.0f} min)"
    elif window in ("hour", "day"):
        when = f"it resets when the current {window} window ends (within one {window})"
    else:
        when = "it resets when the vendor's window ends"
    said = f" ({text})" if text else ""
    return f"{head}{said}; {when}: run again then, or raise the plan's limit"


def error_for_response(
    response: httpx.Response,
    *,
    endpoint: str,
    vendor: str | None = None,
    secret: str | None = None,
    profile: VendorProfile | None = None,
    now: float | None = None,
) -> VendorApiError | None:
    """Map one HTTP response to the error a caller should handle, or None when it succeeded.

    This is the only place that turns status codes into exception types. `profile` supplies the
    vendor's hints and how to read a 429 (an hourly or daily quota is `QuotaExhaustedError`).
    """
    status = response.status_code
    if 200 <= status < 300:
        return None
    prof = profile or VendorProfile()
    name = vendor or prof.name
    text = redact(_vendor_text(response), secret)
    common: dict[str, Any] = {"status": status, "endpoint": endpoint, "response": response}
    if status == 401 or prof.auth_failure(response):
        said = f" ({text})" if text else ""
        return AuthenticationError(
            f"{name} rejected the API key ({status}) on {endpoint}{said}: {prof.auth_hint}",
            **common,
        )
    if status == 403:
        detail = f" ({text})" if text else ""
        return PermissionDeniedError(
            f"{name} refused {endpoint} (403){detail}: {prof.permission_hint}", **common
        )
    if status == 429:
        current = time.time() if now is None else now
        retry_after = parse_retry_after(response.headers.get("retry-after"), current)
        window = prof.quota_window(text)
        if window is not None:
            resets = (
                current + retry_after
                if retry_after is not None
                else reset_at(response.headers, prof.rate_limit_headers, current)
            )
            return QuotaExhaustedError(
                quota_message(
                    name, endpoint, window=window, resets_at=resets, text=text, now=current
                ),
                window=window,
                resets_at=resets,
                **common,
            )
        return RateLimitedError(
            f"{name} rate limit reached on {endpoint}: {text or 'no reason given'}",
            retry_after=retry_after,
            **common,
        )
    if status >= 500:
        said = f" ({text[:120]})" if text and not text.lstrip().startswith("<") else ""
        return ServerError(f"{name} server error {status} on {endpoint}{said}", **common)
    if status == 404:
        said = f" ({text})" if text else ""
        return BadRequestError(
            f"{name} answered 404 Not Found for {endpoint}{said}{_requested_at(response, secret)}:"
            " if every request fails this way, check the base URL (a wrong host or path answers"
            " 404 for every endpoint)",
            vendor_message=text,
            **common,
        )
    return BadRequestError(
        f"{name} refused the request to {endpoint} ({status}): {text}",
        vendor_message=text,
        **common,
    )
