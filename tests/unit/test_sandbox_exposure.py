"""A sandbox asked to listen beyond loopback says that its admin hooks are then exposed."""

from __future__ import annotations

import pytest

from sales_tasks.sandbox.core.server import exposure_warning


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts_need_no_warning(host: str) -> None:
    assert exposure_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "sandbox.internal"])
def test_other_hosts_warn_that_the_admin_hooks_take_no_key(host: str) -> None:
    warning = exposure_warning(host)
    assert warning is not None and host in warning and "/_sandbox/" in warning
    assert "take no key" in warning and "\n" not in warning
