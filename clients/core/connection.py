"""Connection-level helpers of the client: base URL checking, naming a connect failure, and
releasing a read response early.

Facts relied on: httpx raises `ConnectError` with the OS reason in its text (`[Errno 111]
Connection refused`, `Name or service not known`), and binds a response and its stream in a
reference cycle that only the cyclic collector frees.
"""

from __future__ import annotations

import httpx

from sales_tasks.clients.core.errors import UnreachableError, redact


def checked_base_url(url: str, vendor: str, example: str, secret: str) -> str:
    """The base URL without a trailing slash; refuses anything but an absolute http(s) URL."""
    try:
        parsed = httpx.URL(url)
        ok = parsed.scheme in ("http", "https") and bool(parsed.host)
    except (httpx.InvalidURL, TypeError, ValueError):
        ok = False
    if not ok:
        shown = redact(repr(url), secret)
        raise UnreachableError(
            f"{vendor} base URL {shown} is not an http(s) URL: use one like {example}"
        )
    return url.rstrip("/")


def connect_reason(exc: httpx.TransportError) -> str:
    """`connection refused`, `name not resolved`... from the OS error under httpx's, else its type."""
    text = str(exc).lower()
    for needle, reason in (
        ("refused", "connection refused"),
        ("name or service not known", "host name not found"),
        ("nodename nor servname", "host name not found"),
        ("temporary failure in name resolution", "host name not resolved"),
        ("timed out", "connect timeout"),
        ("unreachable", "network unreachable"),
    ):
        if needle in text:
            return reason
    return type(exc).__name__


def release_body(response: httpx.Response) -> None:
    """Let a fully read response be freed as soon as the caller drops it.

    httpx binds a response and its stream to each other (`Response` <-> `BoundSyncStream`), a
    reference cycle that only the cyclic collector frees; a long scan that makes GC rare would
    otherwise keep every page's body (hundreds of KB each) alive. The body is already read, so
    the stream is no longer needed.
    """
    response.stream = httpx.ByteStream(b"")
