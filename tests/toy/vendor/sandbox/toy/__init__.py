"""The Toy emulator: the API described in `clients/toy` (read independently: nothing imported
from it), seeded deterministically, with the shared fault and hook machinery.

Its lifecycle endpoints (`PATCH /v1/tasks/{id}`, `POST /v1/tasks/{id}/complete|cancel`, `GET
/v1/tasks?ids=`) change only open tasks: a closed task answers 422 (`task already done`, `task
already cancelled`, or `task is done: only open tasks change`), an unknown id 404."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sales_tasks.sandbox.core.app import EmulatorApp, Route
from sales_tasks.sandbox.core.cli_args import config_cli
from sales_tasks.sandbox.core.config import ConfigDicts, FaultConfig
from sales_tasks.sandbox.core.emulator import Emulator
from sales_tasks.sandbox.core.handle import SandboxHandle
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.core.params import parse_query
from sales_tasks.sandbox.core.ratelimit import Verdict

KEY = "toy-key-1"


@dataclass
class ToyConfig(ConfigDicts):
    tasks: int = 40
    seed: int = 1
    anchor_date: str | None = None  # accepted for the demo; the toy's dates are fixed
    faults: FaultConfig = field(default_factory=lambda: FaultConfig(fault_paths=["/v1/"]))
    request_log_cap: int = 10_000
    DATASET_FIELDS: ClassVar[tuple[str, ...]] = ("tasks", "seed")

    def validate(self) -> None:
        if self.tasks < 0:
            raise ValueError("tasks must be >= 0")
        self.faults.validate()


def _json(status: int, body: Any) -> Response:
    return Response(status, json.dumps(body).encode())


class App(EmulatorApp[ToyConfig]):
    vendor = "toy"

    def __init__(self, cfg: ToyConfig) -> None:
        super().__init__(cfg)
        rng = random.Random(cfg.seed)
        self.tasks: list[dict[str, Any]] = [
            {
                "id": f"t{n:05d}",
                "contact_id": f"c{rng.randrange(1, 1 + max(1, cfg.tasks // 2)):04d}",
                "owner_id": f"u{rng.randrange(1, 4)}",
                "type": rng.choice(("call", "email", "todo")),
                "status": "done" if n % 3 else "open",
                "due_at": f"2026-01-{1 + n % 28:02d}T09:00:00Z",
                "note": None,
            }
            for n in range(1, cfg.tasks + 1)
        ]

    def route(self, req: Request) -> Route | Response:
        parts = req.path.split("/")  # "", "v1", "tasks", id, action
        if req.path.startswith("/v1/tasks/") and len(parts) in (4, 5):
            action = parts[4] if len(parts) == 5 else ""
            if (req.method, action) == ("PATCH", "") or (
                req.method == "POST" and action in ("complete", "cancel")
            ):
                route = Route(action or "update", create=True)
                route.task_id = parts[3]  # type: ignore[attr-defined]
                return route
            return _json(405 if action in ("", "complete", "cancel") else 404, {"error": "no"})
        if req.path != "/v1/tasks":
            return _json(404, {"error": "not found"})
        if req.method == "GET":
            return Route("list")
        if req.method == "POST":
            return Route("create", create=True)
        return _json(405, {"error": "method not allowed"})

    def authorize(self, req: Request, route: Route) -> Response | None:
        if req.headers.get("x-api-key") != KEY:
            return _json(401, {"error": "invalid api key"})
        return None

    def rate_limit(self, route: Route) -> Verdict:
        return Verdict(True, [])

    def change(self, route: Route, req: Request) -> Response:
        """A lifecycle call on one task (see the module docstring)."""
        task_id = route.task_id  # type: ignore[attr-defined]
        task = next((t for t in self.tasks if t["id"] == task_id), None)
        if task is None:
            return _json(404, {"error": f"no task {task_id}"})
        closed = {"complete": "done", "cancel": "cancelled"}
        if task["status"] != "open":
            if closed.get(route.name) == task["status"]:
                return _json(422, {"error": f"task already {task['status']}"})
            return _json(422, {"error": f"task is {task['status']}: only open tasks change"})
        if route.name in closed:
            task["status"] = closed[route.name]
        else:
            body = json.loads(req.body or b"{}")
            for name in ("due_at", "note", "owner_id"):
                if name in body:
                    task[name] = body[name]
        return _json(200, {"task": task})

    def call(self, route: Route, req: Request) -> Response:
        if route.name in ("update", "complete", "cancel"):
            return self.change(route, req)
        if route.name == "create":
            body = json.loads(req.body or b"{}")
            task = {
                "id": f"t{len(self.tasks) + 1:05d}",
                "contact_id": str(body["contact_id"]),
                "owner_id": body.get("owner_id"),
                "type": body["type"],
                "status": "open",
                "due_at": body["due_at"],
                "note": body.get("note"),
            }
            self.tasks.append(task)
            return _json(201, {"task": task})
        query = {k: (v[0] if isinstance(v, list) else v) for k, v in parse_query(req.query).items()}
        if "ids" in query:
            wanted = str(query["ids"]).split(",")[:50]
            found = [t for t in self.tasks if t["id"] in wanted]
            return _json(200, {"tasks": found, "total": len(found)})
        if "contact_id" in query:
            found = [t for t in self.tasks if t["contact_id"] == query["contact_id"]]
            return _json(200, {"tasks": found, "total": len(found)})
        page, per_page = int(query.get("page", 1)), min(50, int(query.get("per_page", 50)))
        start = (page - 1) * per_page
        return _json(200, {"tasks": self.tasks[start : start + per_page], "total": len(self.tasks)})

    def vendor_hook(self, req: Request, path: str, query: dict[str, Any]) -> Response | None:
        """`DELETE /_sandbox/tasks/{id}`: the task is gone, as if a user deleted it."""
        prefix = "/_sandbox/tasks/"
        if req.method == "DELETE" and path.startswith(prefix):
            task_id = path[len(prefix) :]
            kept = [t for t in self.tasks if t["id"] != task_id]
            if len(kept) == len(self.tasks):
                return _json(404, {"error": f"no task {task_id}"})
            self.tasks = kept
            return _json(200, {"deleted": task_id})
        return None

    def describe(self, base_url: str) -> str:
        return f"Toy sandbox at {base_url} ({len(self.tasks)} tasks), key {KEY}"


class ToySandbox(SandboxHandle):
    api_key = KEY


add_arguments, config_from_args = config_cli(
    {
        "--tasks": ("tasks", int, "seed tasks (40)"),
        "--seed": ("seed", int, "dataset seed (1)"),
    },
    {},
    ToyConfig.from_dict,
    "ToyConfig",
)

EMULATOR: Emulator[ToyConfig, ToySandbox] = Emulator(
    vendor="toy",
    default_config=ToyConfig,
    app=App,
    handle=ToySandbox,
    add_arguments=add_arguments,
    config_from_args=config_from_args,
)
