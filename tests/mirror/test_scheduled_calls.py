"""The sandbox's `/_sandbox/on_request` hook: a call made when the k-th matching request of a
client's run arrives, before that request is answered (how the drills change a vendor mid-scan)."""

from __future__ import annotations

import httpx

from sales_tasks.sandbox import running_sandbox


def test_a_scheduled_call_runs_before_the_matching_request_and_only_once() -> None:
    with running_sandbox(vendor="saleshandy", tasks=30, seed=2) as sb:
        http = httpx.Client(verify=False, base_url=sb.base_url, headers={"x-api-key": sb.api_key})

        def listed() -> set[str]:
            page = http.get("/v1/tasks", params={"pageSize": 100}).json()["payload"]
            return {t.get("taskId", t.get("id")) for t in page}  # taskId: the documented key

        ids = sorted(listed())
        pending = sb.on_request(
            [
                {"path": "/v1/tasks", "method": "GET", "after": 1,
                 "do": {"method": "DELETE", "path": f"/_sandbox/tasks/{ids[0]}"}},
                {"path": "/v1/tasks/*", "after": 0,
                 "do": {"method": "DELETE", "path": f"/_sandbox/tasks/{ids[1]}"}},
            ]
        )  # fmt: skip
        assert len(pending) == 2
        assert ids[0] in listed()  # the first match only counts
        assert ids[0] not in listed()  # the second: the delete came first
        assert ids[0] not in listed() and len(listed()) == 29  # spent: nothing more
        assert http.get("/v1/tasks/counts").status_code == 200  # the prefix entry fires
        assert ids[1] not in listed()
        assert sb.on_request([]) == []
        sb.on_request([{"path": "/v1/tasks", "do": {"method": "GET", "path": "/_sandbox/health"}}])
        sb.clear_on_request()
        assert sb.on_request([]) == []
        http.close()
