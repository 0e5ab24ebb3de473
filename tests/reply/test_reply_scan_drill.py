"""A randomized drill of Reply's completeness proof (issue 20): deletions and creations injected
at random points of a scan (either pass, any page), over real HTTP to the sandbox, with both list
orders. After every scan: no task Reply still lists is missing from the mirror, and a scan that
calls itself complete leaves the mirror equal to Reply.

The mirror is modelled as the extract applies it: the rows loaded before, plus every task the
scan loaded, minus (only after a complete scan) every row the scan did not see."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sales_tasks.clients.core import ApiClient
from sales_tasks.clients.reply.profile import REPLY_PROFILE, reply_auth
from sales_tasks.sandbox import running_sandbox
from sales_tasks.sandbox.reply import ReplySandbox
from sales_tasks.sources.reply.report import ReplyScanReport
from sales_tasks.sources.reply.scan import TaskBatch, TaskScan
from tests.profiles import examples

TOP = 20
EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["list", "recheck"]),
        st.integers(1, 6),  # after this page
        st.sampled_from(["delete", "create"]),
        st.integers(0, 10**6),  # which task (modulo the live ones)
    ),
    max_size=4,
)


@pytest.fixture(scope="module", params=["id", "newest"])
def drill_sandbox(request: pytest.FixtureRequest) -> Iterator[ReplySandbox]:
    with running_sandbox(
        vendor="reply",
        tasks=100,
        list_order=request.param,
        rate_limits={"minute": 10**6, "hour": 10**7},
    ) as sb:
        assert isinstance(sb, ReplySandbox)
        yield sb


def _live(sb: ReplySandbox) -> list[int]:
    with httpx.Client(verify=False, base_url=sb.base_url, headers=sb.auth_headers()) as http:
        return [t["id"] for t in http.get("/v3/tasks", params={"top": 1000}).json()["items"]]


def _create(sb: ReplySandbox) -> None:
    sb.add_task(
        taskType="toDo",
        startAt="2026-03-02T09:00:00Z",
        dueTo="2026-03-03T09:00:00Z",
        template={"body": "drill"},
    )


@settings(
    max_examples=examples(quick=12, deep=100),  # each example a scan over HTTP
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(before=st.lists(st.integers(0, 99), max_size=5), events=EVENTS)
def test_no_live_task_is_lost_and_complete_means_equal(
    drill_sandbox: ReplySandbox, before: list[int], events: list[tuple[str, int, str, int]]
) -> None:
    sb = drill_sandbox
    sb.reset()
    mirror = set(_live(sb))  # a previous complete run loaded everything
    order = _live(sb)
    for index in sorted(set(before)):  # deleted between the runs
        sb.delete_task(order[index])

    fired: list[tuple[str, int]] = []

    def on_page(which: str, number: int) -> None:
        for when, page, action, pick in events:
            if (when, page) == (which, number):
                fired.append((which, number))
                live = _live(sb)
                if action == "create":
                    _create(sb)
                elif live:
                    sb.delete_task(live[pick % len(live)])

    report = ReplyScanReport()
    loaded: set[int] = set()
    unpaced = dataclasses.replace(REPLY_PROFILE, documented_limits=((10**6, 60.0),))
    with ApiClient(sb.base_url, auth=reply_auth(sb.api_key), profile=unpaced) as client:
        for item in TaskScan(
            client,
            report,
            top=TOP,
            max_pages=50,
            known_ids=lambda: sorted(mirror),
            verify_limit=1000,
            on_page=on_page,
        ):
            if isinstance(item, TaskBatch):
                loaded |= set(item.tasks.column("id").to_pylist())
    before_ids = mirror
    mirror = loaded if report.complete else mirror | loaded
    now = set(_live(sb))
    assert before_ids & now <= mirror, (report.warnings, (before_ids & now) - mirror)
    # A change after the proof's last list read is after the scan: nothing can see it.
    late = ("recheck", report.recheck_pages) in fired
    event(f"complete={report.complete}, changes during the scan={bool(fired)}")
    if report.complete and not late:
        assert mirror == now, report.warnings
