"""The Saleshandy sandbox's seeded data (deterministic, realistic in shape), its test hooks, its
command line, and how it is started by vendor name."""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest

from sales_tasks.sandbox.registry import emulator, running_sandbox
from sales_tasks.sandbox.saleshandy import SaleshandySandbox

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = "2026-03-04"  # a Wednesday


def read_all(sb: SaleshandySandbox) -> list[dict]:
    """Every task of `sb` over HTTP, paging to the first empty page."""
    out: list[dict] = []
    with httpx.Client(verify=False, base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as api:
        page = 1
        while rows := api.get("/v1/tasks", params={"page": page, "pageSize": 100}).json()[
            "payload"
        ]:
            out.extend(rows)
            page += 1
    return out


@pytest.fixture(scope="module")
def big() -> list[dict]:
    """4,000 seeded tasks on a pinned day, read over HTTP once for the shape tests."""
    with running_sandbox(vendor="saleshandy", tasks=4000, seed=5, anchor_date=ANCHOR) as sb:
        assert isinstance(sb, SaleshandySandbox)
        return read_all(sb)


def weekday(text: str) -> int:
    return date.fromisoformat(text[:10]).weekday()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(
    make_saleshandy_sandbox,
) -> None:
    a, b, c = (make_saleshandy_sandbox(anchor_date=ANCHOR, seed=s) for s in (3, 3, 4))
    ta, tb, tc = (read_all(sb) for sb in (a, b, c))
    assert ta == tb and len(ta) == 300
    assert not {t["taskId"] for t in ta} & {t["taskId"] for t in tc}
    assert a.prospects(1000) == b.prospects(1000) != c.prospects(1000)


def test_a_pinned_anchor_is_the_sandboxs_today(make_saleshandy_sandbox):
    sb = make_saleshandy_sandbox(anchor_date=ANCHOR)
    assert sb.stats()["today"] == ANCHOR
    for task in read_all(sb):
        if task["status"] in ("upcoming", "dueToday", "overdue"):
            expected = (
                "overdue" if task["dueDate"] < ANCHOR
                else "dueToday" if task["dueDate"] == ANCHOR else "upcoming"
            )  # fmt: skip
            assert task["status"] == expected
        else:
            assert task["dueDate"] < ANCHOR


def test_one_assignee_carries_far_more_work(big) -> None:
    load = Counter(t["assignee"]["id"] for t in big).most_common()
    assert load[0][1] > 2 * load[1][1]
    assert load[0][1] / len(big) > 0.35


def test_few_tasks_fall_due_or_get_done_on_weekends(big) -> None:
    due_weekend = sum(weekday(t["dueDate"]) >= 5 for t in big) / len(big)
    assert due_weekend < 0.06  # a uniform spread would give 2/7 = 0.29
    done = [t["completedAt"] or t["skippedAt"] for t in big if t["completedAt"] or t["skippedAt"]]
    assert len(done) > 1500
    assert sum(weekday(d) >= 5 for d in done) / len(done) < 0.08


def test_an_overdue_backlog_weighs_on_the_busiest_assignee(big) -> None:
    overdue = [t for t in big if t["status"] == "overdue"]
    past = [t for t in big if t["dueDate"] < ANCHOR]
    assert 0.08 < len(overdue) / len(past) < 0.4
    heavy = Counter(t["assignee"]["id"] for t in big).most_common(1)[0][0]

    def late_share(mine: bool) -> float:
        group = [t for t in past if (t["assignee"]["id"] == heavy) == mine]
        return sum(t["status"] == "overdue" for t in group) / len(group)

    assert late_share(True) > 2 * late_share(False)


def test_task_types_differ_in_completion_time_and_skip_rate(big) -> None:
    def hours_to_done(code: str) -> float:
        waits = [
            (datetime.fromisoformat(t["completedAt"].replace("Z", "+00:00")).timestamp()
             - datetime.fromisoformat(t["dueDate"] + "T00:00:00+00:00").timestamp()) / 3600
            for t in big
            if t["taskType"] == code and t["completedAt"]
        ]  # fmt: skip
        return statistics.median(waits)

    def skip_rate(codes: set[str]) -> float:
        done = [
            t for t in big if t["taskType"] in codes and t["status"] in ("completed", "skipped")
        ]
        return sum(t["status"] == "skipped" for t in done) / len(done)

    assert hours_to_done("5") < hours_to_done("13")  # view a profile vs a follow-up call
    assert skip_rate({"4", "18"}) > 2 * skip_rate({"5", "12"})
    assert {t["taskCategory"] for t in big} == {"linkedin", "call", "whatsapp", "custom"}
    calls_done = [t for t in big if t["taskCategory"] == "call" and t["status"] == "completed"]
    assert all(t["callOutcome"] for t in calls_done)


def test_hooks_add_patch_delete_and_reset(saleshandy_sandbox, saleshandy_client) -> None:
    sb = saleshandy_sandbox
    api = saleshandy_client(sb)
    pid = sb.prospects(1)[0]["id"]
    who = sb.assignees()[2]["id"]
    added = sb.add_task(pid, taskType="16", priority="1", dueDate="2031-01-02", assigneeId=who)
    assert (added["status"], added["assignee"]["id"], added["taskType"]) == ("upcoming", who, "16")
    assert sum(api.get("/v1/tasks/counts").json()["payload"].values()) == 301  # no lag
    done = sb.patch_task(added["id"], state="completed", prospectOutcome="interested")
    assert done["status"] == "completed" and done["completedAt"] is not None
    served = api.get(f"/v1/tasks/{added['id']}").json()["payload"]["task"]
    assert served == {"taskId": done["id"], **{k: v for k, v in done.items() if k != "id"}}
    assert sb.created() == []  # made in the "app", not through the API
    sb.delete_task(added["id"])
    assert api.get(f"/v1/tasks/{added['id']}").status_code == 404
    seed_task = api.get("/v1/tasks", params={"pageSize": 1}).json()["payload"][0]
    sb.delete_task(seed_task["taskId"])
    assert sum(api.get("/v1/tasks/counts").json()["payload"].values()) == 299
    assert sb.stats()["deleted_tasks"] == 2
    made = sb.add_prospect("New.Person@Example.com", "New", "Person")
    assert api.get("/v1/prospects", params={"search": "new.person@"}).json()["payload"] == [made]
    sb.reset()
    assert sb.requests() == [] and sb.stats()["deleted_tasks"] == 0
    assert sum(api.get("/v1/tasks/counts").json()["payload"].values()) == 300
    assert api.get("/v1/prospects", params={"search": "new.person@"}).json()["payload"] == []


def test_hooks_refuse_bad_input_in_one_line(saleshandy_sandbox) -> None:
    sb = saleshandy_sandbox
    with pytest.raises(RuntimeError, match="prospect 'nope' not found"):
        sb.add_task("nope")
    first = sb.add_task(sb.prospects(1)[0]["id"])
    with pytest.raises(RuntimeError, match="cannot patch colour"):
        sb.patch_task(first["id"], colour="red")
    with pytest.raises(RuntimeError, match="state must be one of open, completed, skipped"):
        sb.patch_task(first["id"], state="done")
    with pytest.raises(RuntimeError, match="404"):
        sb.task("NoSuchTask")
    assert sb.task(first["id"]) == first


def test_config_flags_become_the_config() -> None:
    vendor = emulator("saleshandy")
    parser = argparse.ArgumentParser()
    vendor.add_arguments(parser)
    ns = parser.parse_args(
        ["--tasks", "20", "--create-status", "200", "--max-prospect-ids", "50",
         "--results-order", "shuffled", "--invalid-key", "401", "--bearer", "accept",
         "--list-payload", "object", "--rate-limit", "20", "--rate-window", "10",
         "--index-lag", "2.5", "--failure-reason", "--no-retry-after", "--drop-after-create-rate",
         "0.5", "--anchor-date", ANCHOR]
    )  # fmt: skip
    cfg = vendor.config_from_args(ns)
    assert (cfg.tasks, cfg.create_status, cfg.max_prospect_ids, cfg.results_order) == (
        20, 200, 50, "shuffled"
    )  # fmt: skip
    assert (cfg.invalid_key, cfg.bearer, cfg.list_payload) == ("401", "accept", "object")
    assert (cfg.rate_limit, cfg.rate_window_seconds, cfg.index_lag_seconds) == (20, 10.0, 2.5)
    assert cfg.failure_reason is True and cfg.retry_after_header is False
    assert cfg.faults.drop_after_create_rate == 0.5 and cfg.anchor_date == ANCHOR
    with pytest.raises(ValueError, match="create_status must be one of 200 | 201"):
        vendor.config_from_args(parser.parse_args(["--create-status", "202"]))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"results_order": "random"}, "results_order must be one of request | shuffled"),
        ({"timezone": "Mars/Base"}, "timezone 'Mars/Base' is not an IANA time zone"),
        ({"too_many_prospects_status": 500}, "too_many_prospects_status must be a 4xx"),
        ({"nonsense": 1}, "unknown config field(s): nonsense"),
    ],
)
def test_a_bad_config_is_refused_in_one_line(change, says) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        running_sandbox(vendor="saleshandy", **change).__enter__()


def test_the_config_changes_live_but_not_the_dataset(saleshandy_sandbox, saleshandy_client):
    sb = saleshandy_sandbox
    sb.configure(create_status=200, faults={"latency_ms": 1})
    pid = sb.prospects(1)[0]["id"]
    resp = saleshandy_client(sb).post(
        "/v1/tasks/create", json={"prospectIds": [pid], "taskType": "2"}
    )
    assert resp.status_code == 200
    with pytest.raises(RuntimeError, match="tasks shape the dataset"):
        sb.configure(tasks=10)


def test_python_m_sandbox_serves_saleshandy_in_a_child_process() -> None:
    with running_sandbox(vendor="saleshandy", subprocess=True, tasks=30, create_status=200) as sb:
        assert isinstance(sb, SaleshandySandbox)
        resp = httpx.get(f"{sb.base_url}/v1/tasks/counts", headers={"x-api-key": sb.api_key})
        assert sum(resp.json()["payload"].values()) == 30
        assert sb.config()["create_status"] == 200


def test_sales_tasks_sandbox_saleshandy_serves_on_the_given_port(tmp_path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/sales-tasks"), "sandbox", "saleshandy", "--port", str(port),
         "--tasks", "40", "--create-status", "200"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first == f"Saleshandy sandbox listening on http://127.0.0.1:{port}\n"
        deadline = time.time() + 30
        while True:
            try:
                resp = httpx.get(
                    f"http://127.0.0.1:{port}/v1/tasks/counts",
                    headers={"x-api-key": "sandbox-saleshandy-key"},
                )
                break
            except httpx.ConnectError:
                assert time.time() < deadline
                time.sleep(0.1)
        assert sum(resp.json()["payload"].values()) == 40
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert sys.executable
