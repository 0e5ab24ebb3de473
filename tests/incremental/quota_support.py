"""Helpers of the quota tests: the refusal behind whatever wraps it."""

from __future__ import annotations

import pytest

from sales_tasks.sources.core.quota import QuotaExceededError


def refusal(caught: pytest.ExceptionInfo[BaseException]) -> str:
    """The `QuotaExceededError` message a run raised (dlt wraps it in its step errors)."""
    exc: BaseException | None = caught.value
    while exc is not None and not isinstance(exc, QuotaExceededError):
        exc = exc.__cause__ or exc.__context__
    assert exc is not None, caught.value
    return str(exc)
