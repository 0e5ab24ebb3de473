"""Shared pytest fixtures.

Sandbox fixtures (owned by the sandbox package): `sandbox` is a fresh Apollo.io sandbox per test
(300 tasks, seed 7, in a thread of this process); `make_sandbox(**overrides)` starts more with
other settings and stops them all at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from sandbox import Sandbox, running_sandbox

SANDBOX_DEFAULTS: dict[str, Any] = {"tasks": 300, "seed": 7}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(**SANDBOX_DEFAULTS) as sb:
        yield sb


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    with ExitStack() as stack:

        def make(**overrides: Any) -> Sandbox:
            return stack.enter_context(running_sandbox(**{**SANDBOX_DEFAULTS, **overrides}))

        yield make


# --- other fixtures below ---
