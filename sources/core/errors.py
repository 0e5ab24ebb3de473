"""One exception tree for every vendor API we talk to, grouped by what the caller should do.

    VendorApiError                  base: every error raised by the HTTP core
    ├── FatalApiError               stop; retrying cannot help (fix the key, the plan, the request)
    │   ├── AuthenticationError     401: missing, unknown or wrongly-sent key
    │   ├── PermissionDeniedError   403: key lacks access (Apollo: not a master key, API_INACCESSIBLE)
    │   ├── BadRequestError         400/404/422 and other 4xx: the vendor rejected the request
    │   └── RetriesExhaustedError   a retriable failure kept happening past the retry budget
    ├── RetriableApiError           transient; safe to retry an idempotent request after a wait
    │   ├── RateLimitedError        429 (carries retry-after seconds when the vendor sent it)
    │   ├── ServerError             5xx
    │   ├── TransportError          read/write failure, timeout, dropped connection
    │   │   └── ConnectFailedError  never connected: the request provably did not reach the vendor
    │   └── InvalidResponseError    2xx with a body that is not the JSON we expect (truncated...)
    └── OutcomeUnknownError         a non-idempotent call (a create) was sent and we cannot know
                                    whether the vendor acted on it: reconcile before resending

Messages are one line a person can act on. They never contain the API key: the key only travels
in a header, and `redact` scrubs it from any vendor text we quote.
"""

from __future__ import annotations

import httpx


class VendorApiError(Exception):
    """Base of every error raised by the HTTP core."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint


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
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint)
        self.vendor_message = vendor_message


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
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint)
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


def redact(text: str, secret: str | None) -> str:
    """Scrub a secret out of any text we are about to show or store."""
    if secret and secret in text:
        return text.replace(secret, "***")
    return text


def _vendor_text(response: httpx.Response, limit: int = 300) -> str:
    """The vendor's own error text: JSON `error`/`message`/`detail`, else the plain body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:limit]
    if isinstance(body, dict):
        for key in ("error", "message", "detail", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:limit]
    return response.text.strip()[:limit]


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def error_for_response(
    response: httpx.Response, *, endpoint: str, vendor: str = "Apollo", secret: str | None = None
) -> VendorApiError | None:
    """Map one HTTP response to the error a caller should handle, or None when it succeeded.

    This is the only place that turns status codes into exception types.
    """
    status = response.status_code
    if 200 <= status < 300:
        return None
    text = redact(_vendor_text(response), secret)
    if status == 401:
        return AuthenticationError(
            f"{vendor} rejected the API key (401) on {endpoint}: check that the key is right and"
            " is sent in the x-api-key header",
            status=status,
            endpoint=endpoint,
        )
    if status == 403:
        hint = (
            "this endpoint needs a master API key (Apollo > Settings > Integrations > API keys)"
            if vendor == "Apollo"
            else "the key lacks access to this endpoint"
        )
        detail = f" ({text})" if text else ""
        return PermissionDeniedError(
            f"{vendor} refused {endpoint} (403){detail}: {hint}", status=status, endpoint=endpoint
        )
    if status == 429:
        retry_after = _retry_after(response)
        return RateLimitedError(
            f"{vendor} rate limit reached on {endpoint}: {text}",
            retry_after=retry_after,
            endpoint=endpoint,
        )
    if status >= 500:
        return ServerError(
            f"{vendor} server error {status} on {endpoint}", status=status, endpoint=endpoint
        )
    return BadRequestError(
        f"{vendor} refused the request to {endpoint} ({status}): {text}",
        status=status,
        endpoint=endpoint,
        vendor_message=text,
    )
