"""Each vendor's run speaks as itself: the User-Agent a vendor receives names it, the warnings of
its source and HTTP client come from its own logger (`<vendor>_tasks.*`), and a rate-limit wait
names the vendor whose limit it is. Before, every vendor got `apollo-tasks/0.1`, Saleshandy's
warnings came from `apollo_tasks.source`, and the generic progress line guessed the vendor from
its title. (No vendor spec says what a User-Agent must be; this is our side's identity.)"""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient
from sales_tasks.clients.core.client import product_version
from sales_tasks.clients.reply.profile import REPLY_PROFILE
from sales_tasks.clients.saleshandy.profile import SALESHANDY_PROFILE
from sales_tasks.pipelines.progress import ProgressSample, ProgressView, format_line
from sales_tasks.pipelines.vendors import source_specs
from sales_tasks.sources.apollo.report import ScanReport
from sales_tasks.sources.reply.report import ReplyScanReport
from sales_tasks.sources.saleshandy.report import SaleshandyScanReport

pytestmark = pytest.mark.unit

PROFILES = {"apollo": APOLLO_PROFILE, "saleshandy": SALESHANDY_PROFILE, "reply": REPLY_PROFILE}


def _client(vendor: str, answers: list[int], seen: list[httpx.Request]) -> ApiClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(answers.pop(0) if answers else 200, json={})

    return ApiClient(
        "https://api.example.com",
        "k-secret-1",
        profile=PROFILES[vendor],
        transport=httpx.MockTransport(handle),
        sleep=lambda _s: None,
    )


@pytest.mark.parametrize("vendor", sorted(PROFILES))
def test_the_user_agent_names_the_product_its_version_and_the_vendor(vendor: str) -> None:
    seen: list[httpx.Request] = []
    with _client(vendor, [], seen) as client:
        client.request_json("GET", "/v1/anything")
    agent = seen[0].headers["user-agent"]
    assert agent == f"sales-tasks/{product_version()} ({PROFILES[vendor].name})"
    assert re.fullmatch(r"sales-tasks/\d[\w.+-]* \(\w+\)", agent), agent
    assert "apollo" not in agent.lower() or vendor == "apollo"


@pytest.mark.parametrize("vendor", sorted(PROFILES))
def test_a_retry_warning_comes_from_the_vendors_own_logger(
    vendor: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    seen: list[httpx.Request] = []
    with _client(vendor, [503], seen) as client:
        client.request_json("GET", "/v1/anything")
    assert len(seen) == 2  # the 503, then the retry that succeeded
    names = {r.name for r in caplog.records if "retrying" in r.getMessage()}
    assert names == {f"{vendor}_tasks.http"}


@pytest.mark.parametrize(
    ("report", "vendor"),
    [(ScanReport, "apollo"), (SaleshandyScanReport, "saleshandy"), (ReplyScanReport, "reply")],
)
def test_a_source_warning_comes_from_the_vendors_own_logger(
    report: type, vendor: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    report().warn("3 tasks could not be read")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        (f"{vendor}_tasks.source", "3 tasks could not be read")
    ]


@pytest.mark.parametrize("vendor", ["apollo", "saleshandy", "reply"])
def test_a_pacing_wait_names_the_vendor_the_spec_names(vendor: str) -> None:
    """The extract's display is built with the spec's `short` name (`execute_extract`)."""
    short = source_specs()[vendor].short
    view = ProgressView(ProgressSample(10, None, "pages 1"), 5.0, 2.0, None, None, pacing_left=12.0)
    line = format_line(f"{vendor} extract", "tasks", view, vendor=short)
    assert line.endswith(f"waiting on {short}'s rate limit: next request in 12s")
    others = {s.short for s in source_specs().values()} - {short}
    assert not any(f"{other}'s" in line for other in others)
