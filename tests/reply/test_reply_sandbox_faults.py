"""The common fault machinery on the Reply sandbox, its hooks, and the ways to start it (thread,
child process, `sales-tasks sandbox reply`, `python -m sales_tasks.sandbox --vendor reply`)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sales_tasks.sandbox import running_sandbox
from sales_tasks.sandbox.reply import ReplySandbox
from tests.reply.test_reply_sandbox_contract import a_task

ROOT = Path(__file__).resolve().parents[2]
CONTACT = 3_100_005


def test_a_create_dropped_after_the_work_leaves_the_task_made(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    reply_sandbox.script_faults([{"path": "/v3/tasks", "fault": "drop_after_create"}])
    api = reply_client(reply_sandbox)
    with pytest.raises(httpx.TransportError):
        api.post("/v3/tasks", json=a_task(CONTACT, template={"body": "lost answer"}))
    created = reply_sandbox.created()
    assert [t["template"]["body"] for t in created] == ["lost answer"]
    # The task is there for whoever looks it up, as in Reply.
    found = api.post("/v3/tasks/filter", json={"contactId": CONTACT}).json()["items"]
    assert created[0]["id"] in [t["id"] for t in found]
    assert reply_sandbox.requests("/v3/tasks")[0]["fault"] == "drop_after_create"


def test_drop_after_create_never_hits_reads(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(tasks=10, faults={"drop_after_create_rate": 1.0})
    api = reply_client(sb)
    assert api.get("/v3/tasks").status_code == 200
    assert api.post("/v3/tasks/filter", json={}).status_code == 200
    with pytest.raises(httpx.TransportError):
        api.post("/v3/tasks", json=a_task(CONTACT))
    assert sb.stats()["created_tasks"] == 1


@pytest.mark.parametrize(
    ("fault", "status"), [("error_500", 500), ("error_502", 502), ("error_503", 503)]
)
def test_scripted_5xx_do_no_work(
    reply_sandbox: ReplySandbox,
    reply_client: Callable[..., httpx.Client],
    fault: str,
    status: int,
) -> None:
    reply_sandbox.script_faults([{"path": "/v3/tasks", "fault": fault}])
    api = reply_client(reply_sandbox)
    assert api.post("/v3/tasks", json=a_task(CONTACT)).status_code == status
    assert reply_sandbox.stats()["created_tasks"] == 0
    assert api.post("/v3/tasks", json=a_task(CONTACT)).status_code == 201


def test_truncated_and_invalid_json_answers(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    reply_sandbox.script_faults(
        [
            {"path": "/v3/tasks/filter", "fault": "truncate"},
            {"path": "/v3/tasks/filter", "fault": "invalid_json", "after": 1},
        ]
    )
    api = reply_client(reply_sandbox)
    with pytest.raises(httpx.TransportError):
        api.post("/v3/tasks/filter", json={})
    resp = api.post("/v3/tasks/filter", json={})
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()
    assert api.post("/v3/tasks/filter", json={}).json()["hasMore"] is True


def test_latency_and_drops_before_the_work(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(tasks=10, faults={"latency_ms": 150})
    api = reply_client(sb)
    started = time.perf_counter()
    assert api.get("/v3/tasks").status_code == 200
    assert time.perf_counter() - started >= 0.15
    sb.configure(faults={"latency_ms": 0, "drop_rate": 1.0})
    with pytest.raises(httpx.TransportError):
        api.post("/v3/tasks", json=a_task(CONTACT))
    assert sb.stats()["created_tasks"] == 0
    assert sb.stats()["tasks"] == 10  # hooks are never faulted


def test_random_faults_are_reproducible_from_the_seed(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    def outcomes(sb: ReplySandbox) -> list[str]:
        api = reply_client(sb)
        out = []
        for _ in range(40):
            try:
                out.append(str(api.get("/v3/tasks", params={"top": 1}).status_code))
            except httpx.TransportError:
                out.append("dropped")
        return out

    faults = {"error_rate": 0.3, "drop_rate": 0.1, "fault_seed": 5}
    first = outcomes(make_reply_sandbox(tasks=5, faults=faults))
    assert first == outcomes(make_reply_sandbox(tasks=5, faults=faults))
    assert {"200", "dropped"} <= set(first) and set(first) & {"500", "502", "503"}


def test_hooks_add_change_and_delete_tasks_as_if_done_in_reply(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(reply_sandbox)
    users = reply_sandbox.users()
    added = reply_sandbox.add_task(
        **a_task(CONTACT, taskType="sms"), status="finished", assignedUserId=users[1]["id"]
    )
    assert (added["taskType"], added["status"], added["assignedUserId"]) == (
        "sms",
        "finished",
        users[1]["id"],
    )
    assert added["finishedAt"] is not None
    assert api.get(f"/v3/tasks/{added['id']}").json() == added
    assert reply_sandbox.created() == []  # only API creates count as created

    changed = reply_sandbox.patch_task(added["id"], status=3, dueTo="2026-03-09T00:00:00Z")
    assert (changed["status"], changed["finishedAt"], changed["dueTo"]) == (
        "cancelled",
        None,
        "2026-03-09T00:00:00.000Z",
    )
    assert api.get(f"/v3/tasks/{added['id']}").json() == changed
    seed_id = api.get("/v3/tasks", params={"top": 1}).json()["items"][0]["id"]
    seed_status = api.get(f"/v3/tasks/{seed_id}").json()["status"]
    reply_sandbox.delete_task(seed_id)
    # Deleted as Reply does (RS @1,723,200): cancelled (open) or archived (finished), out of
    # every list; by id it still answers (the `deleted_by_id` switch: or 404).
    gone = api.get(f"/v3/tasks/{seed_id}").json()
    assert gone["status"] == ("archived" if seed_status == "finished" else "cancelled")
    listed = [t["id"] for t in api.get("/v3/tasks", params={"top": 1000}).json()["items"]]
    assert seed_id not in listed and added["id"] in listed
    assert len(listed) == 300
    with pytest.raises(RuntimeError, match="cannot patch"):
        reply_sandbox.patch_task(added["id"], priority="high")
    reply_sandbox.configure(deleted_by_id="404")
    assert api.get(f"/v3/tasks/{seed_id}").status_code == 404
    reply_sandbox.configure(deleted_by_id="status")

    seed_item = api.get("/v3/tasks", params={"top": 2}).json()["items"][1]
    seed_task = api.get(f"/v3/tasks/{seed_item['id']}").json()
    reply_sandbox.patch_task(seed_task["id"], status="archived", template={"body": "edited"})
    assert api.get(f"/v3/tasks/{seed_task['id']}").json()["template"]["body"] == "edited"

    reply_sandbox.reset()
    assert reply_sandbox.requests() == []  # reset empties the request log too
    assert api.get(f"/v3/tasks/{seed_task['id']}").json() == seed_task
    assert reply_sandbox.stats()["tasks"] == 300
    assert api.get(f"/v3/tasks/{seed_id}").status_code == 200
    assert api.get(f"/v3/tasks/{added['id']}").status_code == 404


def test_requests_log_config_and_stats_hooks(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(reply_sandbox)
    api.post("/v3/tasks", json=a_task(CONTACT))
    api.get("/v3/tasks", params={"top": 5})
    log = reply_sandbox.requests()
    assert [(e["method"], e["path"], e["endpoint"], e["status"]) for e in log] == [
        ("POST", "/v3/tasks", "tasks.create", 201),
        ("GET", "/v3/tasks", "tasks.list", 200),
    ]
    assert log[0]["body"]["contactId"] == CONTACT and log[1]["query"] == {"top": "5"}
    assert reply_sandbox.configure(create_status=200)["create_status"] == 200
    assert api.post("/v3/tasks", json=a_task(CONTACT)).status_code == 200
    with pytest.raises(RuntimeError, match="cannot change live"):
        reply_sandbox.configure(tasks=5)
    with pytest.raises(RuntimeError, match="auth_scheme must be one of"):
        reply_sandbox.configure(auth_scheme="cookie")
    stats = reply_sandbox.stats()
    assert (stats["seed_tasks"], stats["created_tasks"], stats["tasks"]) == (300, 2, 302)
    assert stats["requests_served"] == {"tasks.create": 2, "tasks.list": 1}
    reply_sandbox.clear_requests()
    assert reply_sandbox.requests() == []


def test_the_registry_starts_reply_in_a_child_process(
    reply_client: Callable[..., httpx.Client],
) -> None:
    with running_sandbox(vendor="reply", subprocess=True, tasks=25, auth_scheme="x-api-key") as sb:
        assert isinstance(sb, ReplySandbox)
        page = reply_client(sb).get("/v3/tasks", params={"top": 100}).json()
        assert (len(page["items"]), page["hasMore"]) == (25, False)
        assert sb.config()["auth_scheme"] == "x-api-key"


@pytest.mark.parametrize(
    "argv",
    [
        [".venv/bin/sales-tasks", "sandbox", "reply"],
        [sys.executable, "-m", "sales_tasks.sandbox", "--vendor", "reply"],
    ],
)
def test_the_command_line_serves_reply_with_its_flags(argv: list[str]) -> None:
    cmd = [*argv, "--port", "0", "--tasks", "12", "--window-scale", "0.5", "--stale-has-more"]
    if argv[0].startswith(".venv"):
        cmd[0] = str(ROOT / argv[0])
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        base_url = line.rsplit("http://", 1)[1].split()[0]
        base_url = "http://" + base_url
        headers = {"Authorization": "Bearer reply-sandbox-key"}
        page = httpx.get(f"{base_url}/v3/tasks", params={"top": 12}, headers=headers).json()
        assert (len(page["items"]), page["hasMore"]) == (12, True)
        config = httpx.get(f"{base_url}/_sandbox/config").json()
        assert config["window_scale"] == 0.5 and config["stale_has_more"] is True
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    assert proc.returncode == 0
