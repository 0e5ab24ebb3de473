"""The Reply sandbox's seed data: deterministic, sized by config, consistent with Reply's
rules, and shaped like a real team's work (issue 14: per-type completion times and cancel
rates, skewed owners, weekday rhythm, an overdue backlog); contacts found by email."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sales_tasks.sandbox import running_sandbox
from sales_tasks.sandbox.reply import ReplySandbox

ANCHOR = "2026-06-01T00:00:00Z"


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def listed(api: httpx.Client) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        page = api.get("/v3/tasks", params={"top": 1000, "skip": len(rows)}).json()
        rows += page["items"]
        if not page["hasMore"]:
            return rows


def all_tasks(sb: ReplySandbox) -> list[dict[str, Any]]:
    """Every task's detail (enums as codes): lists answer summaries, so the seed is read whole
    through the hook."""
    return sb.tasks()


@pytest.fixture(scope="module")
def big() -> Iterator[ReplySandbox]:
    with running_sandbox(
        vendor="reply",
        tasks=4000,
        anchor_date=ANCHOR,
        rate_limits={"minute": 10**6, "hour": 10**7},
    ) as sb:
        assert isinstance(sb, ReplySandbox)
        yield sb


@pytest.fixture(scope="module")
def tasks(big: ReplySandbox) -> list[dict[str, Any]]:
    return all_tasks(big)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    one = all_tasks(make_reply_sandbox(tasks=200, anchor_date=ANCHOR))
    again = all_tasks(make_reply_sandbox(tasks=200, anchor_date=ANCHOR))
    other = all_tasks(make_reply_sandbox(tasks=200, anchor_date=ANCHOR, seed=14))
    assert one == again
    first = make_reply_sandbox(tasks=200, anchor_date=ANCHOR)
    assert listed(reply_client(first)) == listed(reply_client(first))
    assert [t["template"] for t in one] != [t["template"] for t in other]


def test_sizes_follow_the_config(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(tasks=90, contacts=40, users=3)
    stats = sb.stats()
    assert (stats["seed_tasks"], stats["contacts"], stats["users"]) == (90, 40, 3)
    assert len(sb.contacts(1000)) == 40
    tasks = listed(reply_client(sb))
    assert {t["assignedUserId"] for t in tasks} <= {u["id"] for u in sb.users()}


def test_dates_are_relative_to_today_unless_pinned(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    tasks: list[dict[str, Any]],
) -> None:
    anchor = ts(ANCHOR)
    created = [ts(t["createdAt"]) for t in tasks]
    assert max(created) < anchor and (anchor - min(created)).days <= 120
    # Unpinned, the anchor is today 00:00 UTC: the same data as pinned there, whatever the
    # weekday (on a Monday the newest task may be Friday's: the weekends are quiet).
    midnight = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
    unpinned = all_tasks(make_reply_sandbox(tasks=100))
    pinned = all_tasks(make_reply_sandbox(tasks=100, anchor_date=midnight))
    if datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z") == midnight:  # not across midnight
        assert [t["createdAt"] for t in unpinned] == [t["createdAt"] for t in pinned]
    assert max(ts(t["createdAt"]) for t in unpinned) < ts(midnight) + timedelta(days=1)


def test_every_task_keeps_reply_s_rules(tasks: list[dict[str, Any]], big: ReplySandbox) -> None:
    contacts = {c["id"]: c for c in big.contacts(5000)}
    assert len(tasks) == 4000 and len({t["id"] for t in tasks}) == 4000
    assert {t["taskType"] for t in tasks} == {0, 2, 4, 5, 7, 8, 9}
    assert {t["status"] for t in tasks} == {0, 1, 3, 4, 5}
    for t in tasks:
        assert ts(t["dueTo"]) > ts(t["startAt"]) >= ts(t["createdAt"])
        assert (t["linkedInTaskType"] is not None) == (t["taskType"] == 5)
        assert (t["finishedAt"] is not None) == (t["status"] == 1)
        assert (t["sequenceId"] is not None) == (t["creationSource"] == 1)
        if t["status"] == 5:
            assert t["creationSource"] == 1  # only sequence tasks are detached from one
        if t["status"] == 1:
            assert "{{" not in t["template"]["body"]  # a finished task keeps its final content
            assert ts(t["finishedAt"]) >= ts(t["startAt"])
        contact = contacts[t["contactId"]]
        none = {"email": None, "phoneNumber": None, "linkedInUrl": None}
        expected = {
            7: {**none, "email": contact["email"]},
            2: {**none, "phoneNumber": contact["phone"]},
            8: {**none, "phoneNumber": contact["phone"]},
            5: {**none, "linkedInUrl": contact["linkedInUrl"]},
        }.get(t["taskType"])
        assert t["deliveryInfo"] == expected


def test_task_types_differ_in_completion_time_and_cancel_rate(tasks: list[dict[str, Any]]) -> None:
    hours: dict[int, list[float]] = defaultdict(list)
    cancelled: Counter[int] = Counter()
    count: Counter[int] = Counter(t["taskType"] for t in tasks)
    for t in tasks:
        if t["finishedAt"]:
            delta = ts(t["finishedAt"]) - ts(t["createdAt"])
            hours[t["taskType"]].append(delta.total_seconds() / 3600)
        cancelled[t["taskType"]] += t["status"] == 3
    median = {k: statistics.median(v) for k, v in hours.items()}
    assert median[2] * 2 < median[5]  # a call is done far sooner than a LinkedIn step
    assert median[4] < median[7] < median[0]  # meetings, then emails, then to-dos
    rate = {k: cancelled[k] / count[k] for k in count}
    assert rate[5] > 2 * rate[7]  # LinkedIn steps are cancelled far more often than emails


def test_owners_are_skewed_and_the_busiest_finish_less(tasks: list[dict[str, Any]]) -> None:
    load = Counter(t["assignedUserId"] for t in tasks)
    loads = sorted(load.values(), reverse=True)
    assert loads[0] > 3 * statistics.median(loads)
    done = Counter(t["assignedUserId"] for t in tasks if t["status"] == 1)
    busiest, quietest = max(load, key=load.__getitem__), min(load, key=load.__getitem__)
    assert done[busiest] / load[busiest] < done[quietest] / load[quietest]


def test_work_follows_the_week_and_leaves_an_overdue_backlog(tasks: list[dict[str, Any]]) -> None:
    weekday = Counter(ts(t["createdAt"]).weekday() for t in tasks)
    assert (weekday[5] + weekday[6]) / len(tasks) < 0.08
    assert min(weekday[d] for d in range(5)) > 4 * max(weekday[5], weekday[6])
    hours = Counter(ts(t["createdAt"]).hour for t in tasks)
    assert sum(hours[h] for h in range(8, 19)) / len(tasks) > 0.9
    anchor = ts(ANCHOR)
    open_tasks = [t for t in tasks if t["status"] == 0]
    overdue = [t for t in open_tasks if ts(t["dueTo"]) < anchor]
    assert 0.05 < len(overdue) / len(tasks) < 0.5
    # A backlog, but not all of the open work: a sizeable share of it is still ahead.
    assert 0.5 < len(overdue) / len(open_tasks) < 0.8


@pytest.mark.parametrize(("match", "found"), [("insensitive", 2), ("exact", 1)])
def test_one_email_on_two_contacts_differing_in_case(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    match: str,
    found: int,
) -> None:
    sb = make_reply_sandbox(tasks=30, contact_email_match=match)
    contacts = sb.contacts(1000)
    lowered = Counter(c["email"].lower() for c in contacts)
    twins = [c for c in contacts if lowered[c["email"].lower()] == 2]
    assert len(twins) == 2 and twins[0]["email"] != twins[1]["email"]
    assert len({c["email"] for c in contacts}) == len(contacts)
    api = reply_client(sb)
    page = api.get("/v3/contacts", params={"email": twins[1]["email"]}).json()
    assert len(page["items"]) == found and page["hasMore"] is False
    assert twins[1] in page["items"]
    assert api.get(f"/v3/contacts/{twins[0]['id']}").json() == twins[0]
    missing = api.get("/v3/contacts/999")
    assert (missing.status_code, missing.json()["code"]) == (404, "contact.notFound")
    assert api.get("/v3/contacts", params={"email": "nobody@nowhere.test"}).json() == {
        "items": [],
        "hasMore": False,
    }
