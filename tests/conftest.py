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
from sandbox.reply import ReplySandbox

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


# --- reply sandbox fixtures ---
# `reply_sandbox`: a fresh Reply.io sandbox per test (300 tasks, seed 13, in a thread of this
# process); `make_reply_sandbox(**overrides)` starts more with other settings (e.g.
# `auth_scheme="x-api-key"`, `window_scale=0.01`) and stops them all at teardown.
REPLY_SANDBOX_DEFAULTS: dict[str, Any] = {"tasks": 300, "seed": 13}


@pytest.fixture
def reply_sandbox() -> Iterator[ReplySandbox]:
    with running_sandbox(vendor="reply", **REPLY_SANDBOX_DEFAULTS) as sb:
        assert isinstance(sb, ReplySandbox)
        yield sb


@pytest.fixture
def make_reply_sandbox() -> Iterator[Callable[..., ReplySandbox]]:
    with ExitStack() as stack:

        def make(**overrides: Any) -> ReplySandbox:
            sb = stack.enter_context(
                running_sandbox(vendor="reply", **{**REPLY_SANDBOX_DEFAULTS, **overrides})
            )
            assert isinstance(sb, ReplySandbox)
            return sb

        yield make
