"""A tiny Saleshandy written by the tests from the documented facts alone, independent of the
sandbox and of the client: spec-shaped bodies for the client's parsers (`httpx.MockTransport`)
and, served on 127.0.0.1, for whole extract runs.

Facts it follows (`shared/api-docs/VENDOR-SPECS.md` section 2; restated, not read at test time):
- every answer is `{"message": ..., "payload": ...}`; a task's id is `taskId` (fact 9);
- `GET /v1/tasks` takes `page`, `pageSize` (<= 100), `sortBy`, `sortOrder`; no totals;
- `GET /v1/tasks/{taskId}` of a missing task is 404 "The requested task could not be found";
- `1001: Invalid token` comes as HTTP 400.
What no source says is a knob here: the list's item key and envelope, the prospect embedded or
by id, the single-task envelope, and items the tests break on purpose (`items`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sales_tasks.clients.core import ApiClient, RetryPolicy
from sales_tasks.clients.saleshandy.profile import SALESHANDY_PROFILE

KEY = "spec-vendor-key"
NOT_FOUND = "The requested task could not be found"
STATUSES = ("upcoming", "dueToday", "overdue", "completed", "skipped")


def spec_task(n: int, *, status: str = "completed", created: str = "2026-01-05T10:00:00.000Z"):
    """A task as the tests imagine Saleshandy lists it (only `taskId` is documented)."""
    return {
        "taskId": f"T{n:09d}",
        "taskType": "13",
        "priority": "3",
        "status": status,
        "dueDate": f"2026-02-{1 + n % 28:02d}",
        "taskNote": f"note {n}",
        "prospect": {"id": f"P{n % 7:09d}", "email": f"p{n % 7}@example.com"},
        "createdAt": created,
    }


@dataclass
class SpecVendor:
    """The state of one fake account and how it answers.

    `items` are the list's entries as sent (tests may put broken ones in); `alive` the ids
    `GET /v1/tasks/{taskId}` still finds (default: those of `items`); `counts` overrides the
    counts answer (default: one per status over `items`).
    """

    items: list[Any] = field(default_factory=list)
    key: str = "taskId"
    prospect: str = "embedded"  # or "prospectId"
    envelope: str = "array"  # or "object" (payload.tasks)
    one_task: str = "task"  # payload.task (as snooze answers) or "bare"
    alive: dict[str, dict[str, Any]] | None = None
    counts: dict[str, int] | None = None
    calls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def _shown(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        shown = dict(item)
        if self.key != "taskId" and "taskId" in shown:
            shown[self.key] = shown.pop("taskId")
        if self.prospect == "prospectId" and isinstance(shown.get("prospect"), dict):
            shown["prospectId"] = shown.pop("prospect")["id"]
        return shown

    def answer(self, method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        self.calls.append((method, path, query))
        if method != "GET":
            return 404, {"message": f"Cannot {method} {path}"}
        if path == "/v1/tasks/counts":
            counts = self.counts or {
                s: sum(1 for i in self.items if isinstance(i, dict) and i.get("status") == s)
                for s in STATUSES
            }
            return 200, {"message": "ok", "payload": counts}
        if path == "/v1/tasks/assignee/list":
            return 200, {"message": "ok", "payload": []}
        if path == "/v1/tasks":
            page, size = int(query.get("page", 1)), int(query.get("pageSize", 25))
            rows = [self._shown(i) for i in self.items[(page - 1) * size : page * size]]
            payload = rows if self.envelope == "array" else {"tasks": rows}
            return 200, {"message": "Tasks fetched successfully", "payload": payload}
        if path.startswith("/v1/tasks/"):
            task_id = path.rsplit("/", 1)[1]
            alive = self.alive if self.alive is not None else {
                i["taskId"]: i for i in self.items if isinstance(i, dict) and "taskId" in i
            }  # fmt: skip
            if task_id not in alive:
                return 404, {"message": NOT_FOUND}
            task = self._shown(alive[task_id])
            return 200, {"message": "ok", "payload": {"task": task} if self.one_task == "task"
                         else task}  # fmt: skip
        return 404, {"message": f"Cannot GET {path}"}

    def requested(self, path: str) -> list[dict[str, str]]:
        return [q for m, p, q in self.calls if p == path]

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            if request.headers.get("x-api-key") != KEY:
                return httpx.Response(400, json={"message": "Invalid token", "code": 1001})
            query = {k: v for k, v in request.url.params.items()}
            status, body = self.answer(request.method, request.url.path, query)
            return httpx.Response(status, json=body)

        return httpx.MockTransport(handle)

    def client(self, key: str = KEY) -> ApiClient:
        """Saleshandy's client over this account in process, one try per request."""
        return ApiClient(
            "http://spec.test",
            key,
            profile=SALESHANDY_PROFILE,
            transport=self.transport(),
            retry=RetryPolicy(max_attempts=1),
            sleep=lambda _: None,
        )

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve this account on 127.0.0.1 (for whole extract runs); yields the base URL."""
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                if self.headers.get("x-api-key") != KEY:
                    status, body = 400, {"message": "Invalid token", "code": 1001}
                else:
                    status, body = vendor.answer("GET", url.path, query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
