"""Turning exceptions into the one line a person reads at the end of a failed command."""

from __future__ import annotations

import os

from sources.core.errors import ActionableError, VendorApiError, redact

_SHOWN_AS_IS = (VendorApiError, ActionableError)

_SECRET_ENV = (
    "APOLLO_API_KEY",
    "SOURCES__APOLLO__API_KEY",
    "DESTINATION__APOLLO_TASKS__API_KEY",
)


def scrub(text: str) -> str:
    """Remove every configured API key from text about to be shown."""
    for name in _SECRET_ENV:
        text = redact(text, os.environ.get(name))
    return text


def one_line_error(exc: BaseException) -> str:
    """A single line: what failed and what to do. Vendor errors already say both."""
    if isinstance(exc, _SHOWN_AS_IS):
        message = str(exc)
    else:
        cause = exc
        # dlt wraps errors raised inside resources and destinations: show the root cause.
        while cause.__cause__ is not None or cause.__context__ is not None:
            nxt = cause.__cause__ or cause.__context__
            assert nxt is not None
            cause = nxt
            if isinstance(cause, _SHOWN_AS_IS):
                break
        message = str(cause) if isinstance(cause, _SHOWN_AS_IS) else f"{type(exc).__name__}: {exc}"
        exc = cause
    first = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    hint = "" if isinstance(exc, _SHOWN_AS_IS) else " (rerun with --traceback for details)"
    return scrub(first) + hint
