"""Contract tests of the sandbox's faults, observed from the client side."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

SEARCH = "/api/v1/tasks/search"
TRANSPORT_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError)


def outcome(api: httpx.Client) -> str:
    """What a client sees for one search call, as a short label."""
    try:
        resp = api.post(SEARCH, params={"per_page": 5})
    except TRANSPORT_ERRORS as exc:
        return "broken:" + type(exc).__name__
    try:
        resp.json()
    except json.JSONDecodeError:
        return f"{resp.status_code}:not-json"
    return str(resp.status_code)


def test_drop_before_work(make_sandbox, client_for) -> None:
    sb = make_sandbox(faults={"drop_rate": 1.0})
    api = client_for(sb)
    with pytest.raises(TRANSPORT_ERRORS):
        api.post(SEARCH)
    assert sb.requests(SEARCH)[-1]["fault"] == "drop"


def test_truncated_body_detected(make_sandbox, client_for) -> None:
    api = client_for(make_sandbox(faults={"truncate_rate": 1.0}))
    with pytest.raises(TRANSPORT_ERRORS):
        api.post(SEARCH, params={"per_page": 50})


def test_invalid_json_body(make_sandbox, client_for) -> None:
    api = client_for(make_sandbox(faults={"invalid_json_rate": 1.0}))
    resp = api.post(SEARCH)
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        resp.json()


def test_random_errors_are_5xx_json_or_html(make_sandbox, client_for) -> None:
    api = client_for(make_sandbox(faults={"error_rate": 1.0, "fault_seed": 3}))
    seen = set()
    for _ in range(30):
        resp = api.post(SEARCH)
        assert resp.status_code in (500, 502, 503)
        seen.add((resp.status_code, resp.headers["content-type"].split(";")[0]))
    assert {s for s, _ in seen} == {500, 502, 503}
    assert {c for _, c in seen} == {"application/json", "text/html"}


def test_burst_429(make_sandbox, client_for) -> None:
    api = client_for(make_sandbox(faults={"burst_429_every": 3, "burst_429_len": 2}))
    statuses = [api.post(SEARCH) for _ in range(10)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429] * 2
    assert statuses[3].headers["retry-after"] == "1"
    assert statuses[3].text == "Too many requests to api/v1/tasks/search; retry shortly."


def test_latency_does_not_block_other_connections(make_sandbox, client_for) -> None:
    sb = make_sandbox(faults={"latency_ms": 400})
    slow_done: list[float] = []

    def slow() -> None:
        client_for(sb).post(SEARCH)
        slow_done.append(time.perf_counter())

    thread = threading.Thread(target=slow)
    start = time.perf_counter()
    thread.start()
    time.sleep(0.05)
    sb.stats()  # hooks are never delayed; answers while the slow call sleeps
    hook_done = time.perf_counter()
    thread.join()
    assert hook_done - start < 0.3 < slow_done[0] - start


def test_faults_reproducible_from_seed(make_sandbox, client_for) -> None:
    faults = {"error_rate": 0.3, "invalid_json_rate": 0.3, "drop_rate": 0.2, "fault_seed": 11}
    runs = []
    for _ in range(2):
        api = client_for(make_sandbox(faults=faults))
        runs.append([outcome(api) for _ in range(25)])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) >= 3  # a mix, not all the same
    other = client_for(make_sandbox(faults={**faults, "fault_seed": 12}))
    assert [outcome(other) for _ in range(25)] != runs[0]


def test_fault_paths_scope(make_sandbox, client_for) -> None:
    sb = make_sandbox(faults={"error_rate": 1.0, "fault_paths": ["/api/v1/contacts/"]})
    api = client_for(sb)
    assert api.post(SEARCH).status_code == 200
    assert api.post("/api/v1/contacts/search").status_code in (500, 502, 503)
    assert sb.stats()["tasks"] == 300  # hooks never faulted


def test_script_after_and_count(sandbox, api: httpx.Client) -> None:
    sandbox.script_faults(
        [
            {"path": SEARCH, "fault": "error_503", "count": 2, "after": 1},
            {"path": "/api/v1/contacts/*", "fault": "rate_429"},
        ]
    )
    assert [api.post(SEARCH).status_code for _ in range(4)] == [200, 503, 503, 200]
    assert api.post("/api/v1/contacts/search").status_code == 429
    assert api.post("/api/v1/contacts/search").status_code == 200


@pytest.mark.parametrize(
    ("fault", "expect"),
    [
        ("error_500", "500"),
        ("error_502", "502:not-json"),
        ("drop", "broken"),
        ("truncate", "broken"),
        ("invalid_json", "200:not-json"),
        ("rate_429", "429"),
    ],
)
def test_each_script_fault(sandbox, api: httpx.Client, fault, expect) -> None:
    sandbox.script_faults([{"path": SEARCH, "fault": fault}])
    assert outcome(api).startswith(expect)
    assert outcome(api) == "200"


def test_script_delay(sandbox, api: httpx.Client) -> None:
    sandbox.script_faults([{"path": SEARCH, "fault": "delay:300"}])
    start = time.perf_counter()
    assert api.post(SEARCH).status_code == 200
    assert time.perf_counter() - start >= 0.3


def test_bad_script_rejected(sandbox) -> None:
    with pytest.raises(RuntimeError, match="unknown fault"):
        sandbox.script_faults([{"path": SEARCH, "fault": "explode"}])


def test_configure_faults_live_and_reset(sandbox, api: httpx.Client) -> None:
    sandbox.configure(faults={"error_rate": 1.0})
    assert api.post(SEARCH).status_code >= 500
    sandbox.configure(faults={"error_rate": 0.0})
    assert api.post(SEARCH).status_code == 200
    sandbox.script_faults([{"path": SEARCH, "fault": "error_500"}])
    sandbox.reset()  # drops the script too
    assert api.post(SEARCH).status_code == 200
