"""Prints which blocks of the README and the docs ran and which did not (and why) at the end of
the session."""

from __future__ import annotations

from typing import Any

from tests.readme.runner import REPORT


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    lines = config.stash.get(REPORT, None)
    if lines:
        terminalreporter.write_sep("-", "README and docs blocks")
        for line in lines:
            terminalreporter.write_line(line)
