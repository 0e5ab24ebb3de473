"""The generic fault machinery on the Saleshandy sandbox, seen from a client: drops (before the
work and after a create did its work), 5xx, 429 bursts, truncated and non-JSON bodies, latency,
scripts; the test hooks are never faulted."""

from __future__ import annotations

import json
import time

import httpx
import pytest

CREATE = "/v1/tasks/create"
TASKS = "/v1/tasks"
BROKEN = (httpx.RemoteProtocolError, httpx.ReadError)


def body(sb, n: int = 3) -> dict:
    return {"prospectIds": [p["id"] for p in sb.prospects(n)], "taskType": "13"}


def test_drop_after_create_makes_the_tasks_but_answers_nothing(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    sb = make_saleshandy_sandbox(faults={"drop_after_create_rate": 1.0})
    api = saleshandy_client(sb)
    with pytest.raises(BROKEN):
        api.post(CREATE, json=body(sb))
    made = sb.created()
    assert len(made) == 3  # the work happened: a blind resend would duplicate it
    assert sb.requests(CREATE)[-1]["fault"] == "drop_after_create"
    # Only creates are dropped after the work; reads answer.
    assert api.get(TASKS).status_code == 200
    # The tasks can be found again by id and (no lag) in the list.
    assert all(api.get(f"{TASKS}/{t['id']}").status_code == 200 for t in made)


def test_drop_before_the_work_creates_nothing(make_saleshandy_sandbox, saleshandy_client):
    sb = make_saleshandy_sandbox(faults={"drop_rate": 1.0})
    with pytest.raises(BROKEN):
        saleshandy_client(sb).post(CREATE, json=body(sb))
    assert sb.created() == []
    assert sb.requests(CREATE)[-1]["fault"] == "drop"


def test_5xx_are_json_or_html_and_do_no_work(make_saleshandy_sandbox, saleshandy_client):
    sb = make_saleshandy_sandbox(faults={"error_rate": 1.0, "fault_seed": 3})
    api = saleshandy_client(sb)
    seen = set()
    for _ in range(30):
        resp = api.post(CREATE, json=body(sb, 1))
        assert resp.status_code in (500, 502, 503)
        seen.add((resp.status_code, resp.headers["content-type"].split(";")[0]))
    assert {s for s, _ in seen} == {500, 502, 503}
    assert {c for _, c in seen} == {"application/json", "text/html"}
    assert sb.created() == []


def test_429_bursts_carry_retry_after(make_saleshandy_sandbox, saleshandy_client) -> None:
    sb = make_saleshandy_sandbox(faults={"burst_429_every": 3, "burst_429_len": 2})
    api = saleshandy_client(sb)
    answers = [api.get(TASKS, params={"pageSize": 1}) for _ in range(10)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429] * 2
    assert answers[3].headers["retry-after"] == "1"
    assert answers[3].json() == {"message": "Too many requests, please try again later."}


def test_truncated_and_non_json_bodies(make_saleshandy_sandbox, saleshandy_client) -> None:
    cut = saleshandy_client(make_saleshandy_sandbox(faults={"truncate_rate": 1.0}))
    with pytest.raises(BROKEN):
        cut.get(TASKS, params={"pageSize": 50})
    mangled = saleshandy_client(make_saleshandy_sandbox(faults={"invalid_json_rate": 1.0}))
    resp = mangled.get(TASKS)
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        resp.json()


def test_latency(make_saleshandy_sandbox, saleshandy_client) -> None:
    api = saleshandy_client(make_saleshandy_sandbox(faults={"latency_ms": 150}))
    start = time.perf_counter()
    api.get("/v1/tasks/counts")
    assert time.perf_counter() - start >= 0.15


def test_a_fault_script_hits_the_nth_create_only(saleshandy_sandbox, saleshandy_client):
    sb = saleshandy_sandbox
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "after": 1}])
    api = saleshandy_client(sb)
    assert api.post(CREATE, json=body(sb, 1)).status_code == 201
    with pytest.raises(BROKEN):
        api.post(CREATE, json=body(sb, 1))
    assert api.post(CREATE, json=body(sb, 1)).status_code == 201
    assert len(sb.created()) == 3


def test_hooks_are_never_faulted(make_saleshandy_sandbox) -> None:
    sb = make_saleshandy_sandbox(faults={"drop_rate": 1.0, "error_rate": 1.0})
    assert sb.stats()["seed_tasks"] == 300
    assert len(sb.prospects(5)) == 5
