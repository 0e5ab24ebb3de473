"""The mirror drill: extracts of two accounts into one warehouse while the vendor changes under
the scan, checked against what the vendor holds.

Vendor-neutral: a `VendorKit` says how to start a vendor's sandbox, run its extract, read what
it serves (plain httpx, no code under test) and make a create, a delete or a status change as if
done in the vendor's app. Changes are injected at chosen points of a scan with the sandbox's
`/_sandbox/on_request` hook: "when the k-th list request arrives, first do this".

Invariants checked after every run (`Drill.run`, `Drill.kill_run`), counted in `Tally`:
- lost: a task in the account's mirror before the run that the vendor still holds after it, but
  that the mirror lacks (never allowed, complete run or not);
- foreign: a row of another account's dataset changed by this run (never allowed);
- mismatch: a run that said complete whose mirror differs from the vendor: another set of ids,
  or another status for a task whose status was not changed during that very scan (a row read
  before its change shows the value it had when read; the next run must show the new one).

A run of account B into account A's dataset must be refused (`DatasetOwnedError`) before B's
vendor is asked anything.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from sales_tasks.pipelines.accounts import DatasetOwnedError
from sales_tasks.sandbox import running_sandbox

ROOT = Path(__file__).resolve().parents[2]
TASKS_SMALL = 45  # a few pages per scan at the page sizes below
PAGE = 10
KINDS = ("create", "delete", "status")


@dataclass(frozen=True)
class VendorKit:
    """What the drill needs of one vendor."""

    vendor: str
    list_path: str  # the request that marks progress through a scan
    list_method: str
    start: Callable[[int], Any]  # seed -> context manager yielding a sandbox handle
    key: Callable[[Any], str]
    serve: Callable[[Any], dict[str, str]]  # id -> status, as the vendor lists it
    extract: Callable[..., Any]  # (sb, **where) -> summary
    create: Callable[[Any, int], dict[str, Any]]  # a scheduled call making a task
    status_body: dict[str, Any]
    cli_args: Callable[[Any], list[str]]  # page-size flags for the CLI
    key_env: str
    status_column: str = "status"  # the mirror's column holding the status as the list names it


def apollo_tasks(sb: Any) -> Iterator[dict[str, Any]]:
    """Every task Apollo's task search serves, page by page (plain httpx)."""
    with httpx.Client(
        verify=False, base_url=sb.base_url, headers={"x-api-key": sb.master_key}
    ) as http:
        page = 1
        while True:
            batch = http.post(
                "/api/v1/tasks/search", params={"page": page, "per_page": 100}
            ).json()["tasks"]
            yield from batch
            if len(batch) < 100:
                return
            page += 1


def _apollo_serve(sb: Any) -> dict[str, str]:
    return {str(t["id"]): str(t.get("status")) for t in apollo_tasks(sb)}


def _saleshandy_serve(sb: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    with httpx.Client(
        verify=False, base_url=sb.base_url, headers={"x-api-key": sb.api_key}
    ) as http:
        page = 1
        while True:
            payload = http.get("/v1/tasks", params={"page": page, "pageSize": 100}).json()
            body = payload["payload"]
            batch = body if isinstance(body, list) else body["tasks"]
            # `taskId`: the key every documented Saleshandy response uses (`id` a sandbox guess)
            out.update({str(t.get("taskId", t.get("id"))): str(t.get("status")) for t in batch})
            if len(batch) < 100:
                return out
            page += 1


def _reply_serve(sb: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    with httpx.Client(verify=False, base_url=sb.base_url, headers=sb.auth_headers()) as http:
        skip = 0
        while True:
            page = http.get("/v3/tasks", params={"top": 100, "skip": skip}).json()
            out.update({str(t["id"]): str(t.get("status")) for t in page["items"]})
            skip += len(page["items"])
            if not page["items"] or not page["hasMore"]:
                return out


def _apollo_create(sb: Any, n: int) -> dict[str, Any]:
    users = sb.users()
    contacts = sb.contacts(20)
    return {
        "method": "POST",
        "path": "/api/v1/tasks",
        "headers": {"x-api-key": sb.master_key},
        "body": {
            "user_id": users[n % len(users)]["id"],
            "contact_id": contacts[n % len(contacts)]["id"],
            "type": "call",
            "status": "scheduled",
            "due_at": "2030-01-01",
            "note": f"drill {n}",
        },
    }


def _saleshandy_create(sb: Any, n: int) -> dict[str, Any]:
    prospects = sb.prospects(20)
    return {
        "method": "POST",
        "path": "/_sandbox/tasks",
        "body": {
            "prospectId": prospects[n % len(prospects)]["id"],
            "taskType": "9",
            "taskNote": f"drill {n}",
        },
    }


def _reply_create(sb: Any, n: int) -> dict[str, Any]:
    contacts = sb.contacts(20)
    return {
        "method": "POST",
        "path": "/_sandbox/tasks",
        "body": {
            "taskType": 2,
            "startAt": "2026-03-02T09:00:00Z",
            "dueTo": "2026-03-03T09:00:00Z",
            "template": {"subject": "Drill", "body": f"drill {n}"},
            "contactId": contacts[n % len(contacts)]["id"],
        },
    }


def _extract_apollo(sb: Any, **where: Any) -> Any:
    from sales_tasks.pipelines.extract import run_extract

    return run_extract(api_key=sb.master_key, base_url=sb.base_url, per_page=PAGE, **where)


def _extract_saleshandy(sb: Any, **where: Any) -> Any:
    from sales_tasks.pipelines.extract import run_extract

    return run_extract(
        "saleshandy", api_key=sb.api_key, base_url=sb.base_url, page_size=PAGE, **where
    )


REPLY_LIMITS = "100000/60,1000000/3600"


def _extract_reply(sb: Any, **where: Any) -> Any:
    from sales_tasks.pipelines.extract import run_extract

    return run_extract(
        "reply",
        api_key=sb.api_key,
        base_url=sb.base_url,
        top=PAGE,
        rate_limits=REPLY_LIMITS,
        **where,
    )


def _start(vendor: str, **extra: Any) -> Callable[[int], Any]:
    def start(seed: int) -> Any:
        return running_sandbox(vendor=vendor, tasks=TASKS_SMALL, seed=seed, **extra)

    return start


KITS: dict[str, VendorKit] = {
    "apollo": VendorKit(
        "apollo",
        "/api/v1/tasks/search",
        "POST",
        _start("apollo"),
        lambda sb: str(sb.master_key),
        _apollo_serve,
        _extract_apollo,
        _apollo_create,
        {"status": "completed"},
        lambda sb: ["--per-page", str(PAGE)],
        "APOLLO_API_KEY",
    ),
    "saleshandy": VendorKit(
        "saleshandy",
        "/v1/tasks",
        "GET",
        _start("saleshandy"),
        lambda sb: str(sb.api_key),
        _saleshandy_serve,
        _extract_saleshandy,
        _saleshandy_create,
        {"state": "completed"},
        lambda sb: ["--page-size", str(PAGE)],
        "SALESHANDY_API_KEY",
    ),
    "reply": VendorKit(
        "reply",
        "/v3/tasks",
        "GET",
        _start(
            "reply",
            rate_limits={"minute": 1_000_000, "hour": 10_000_000},
        ),
        lambda sb: str(sb.api_key),
        _reply_serve,
        _extract_reply,
        _reply_create,
        {"status": 1},
        lambda sb: ["--top", str(PAGE)],
        "REPLY_API_KEY",
        "status_name",  # `status` holds the legacy code; v3 lists name it (VENDOR-SPECS 1.4)
    ),
}


@dataclass(frozen=True)
class Change:
    """One change made in the vendor when the `at`-th list request of a scan arrives."""

    kind: str  # create | delete | status
    at: int
    pick: int  # which served task (modulo), for delete and status


@dataclass
class Tally:
    """What the drill found, over all its runs."""

    runs: int = 0
    complete: int = 0
    refused: int = 0
    killed: int = 0
    lost: int = 0
    foreign: int = 0
    mismatch: int = 0
    notes: list[str] = field(default_factory=list)

    def clean(self) -> bool:
        return not (self.lost or self.foreign or self.mismatch)

    def add(self, other: Tally) -> None:
        for name in ("runs", "complete", "refused", "killed", "lost", "foreign", "mismatch"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes += other.notes


@dataclass
class Warehouse:
    """Where the drill loads: a DuckDB file or a PostgreSQL database (SQLAlchemy URL)."""

    url: str
    where: dict[str, Any]  # run_*_extract arguments
    cli: list[str]  # CLI flags
    env: dict[str, str]

    @classmethod
    def duckdb(cls, folder: Path) -> Warehouse:
        path = folder / "w.duckdb"
        return cls(
            f"duckdb:///{path}", {"duckdb_path": str(path)}, ["--duckdb-path", str(path)], {}
        )

    @classmethod
    def postgres(cls, url: str) -> Warehouse:
        return cls(
            url,
            {"destination": "postgres", "credentials": url},
            ["--destination", "postgres"],
            {"DESTINATION__POSTGRES__CREDENTIALS": url},
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]
        except sa.exc.DBAPIError:  # no such table (yet)
            return []
        finally:
            engine.dispose()

    def mirror(self, dataset: str, status_column: str = "status") -> dict[str, str]:
        return {
            str(i): str(s)
            for i, s in self.query(f"SELECT id, {status_column} FROM {dataset}.tasks")
        }

    def snapshot(self, dataset: str) -> list[str]:
        """Every `tasks` row of `dataset`, as text (to tell whether a run touched it)."""
        rows = self.query(f"SELECT * FROM {dataset}.tasks")
        return sorted(repr(tuple(str(v) for v in r)) for r in rows)


@dataclass
class Account:
    """One vendor account of the drill: its sandbox and the dataset it owns."""

    name: str
    sb: Any
    dataset: str


class Drill:
    """Runs of two accounts of one vendor into one warehouse, checked after each."""

    def __init__(self, kit: VendorKit, warehouse: Warehouse, folder: Path, seed: int) -> None:
        self.kit, self.warehouse, self.folder = kit, warehouse, folder
        self._stack = ExitStack()
        self.accounts = {
            name: Account(name, self._stack.enter_context(kit.start(seed + i)), f"drill_{name}")
            for i, name in enumerate(("a", "b"))
        }
        self.tally = Tally()
        self._made = 0
        self._restated: set[str] = set()  # tasks whose status changes during the current scan

    def close(self) -> None:
        self._stack.close()

    def _schedule(self, account: Account, changes: list[Change]) -> None:
        served = sorted(self.kit.serve(account.sb))
        entries = []
        self._restated = set()
        for change in changes:
            if change.kind == "create":
                self._made += 1
                do = self.kit.create(account.sb, self._made)
            elif not served:
                continue
            else:
                victim = served[change.pick % len(served)]
                if change.kind == "status":
                    self._restated.add(victim)
                do = (
                    {"method": "DELETE", "path": f"/_sandbox/tasks/{victim}"}
                    if change.kind == "delete"
                    else {
                        "method": "PATCH",
                        "path": f"/_sandbox/tasks/{victim}",
                        "body": self.kit.status_body,
                    }
                )
            entries.append(
                {"path": self.kit.list_path, "method": self.kit.list_method, "after": change.at,
                 "do": do}
            )  # fmt: skip
        account.sb.clear_on_request()
        if entries:
            account.sb.on_request(entries)

    def _others(self, dataset: str) -> dict[str, list[str]]:
        return {
            a.dataset: self.warehouse.snapshot(a.dataset)
            for a in self.accounts.values()
            if a.dataset != dataset
        }

    def _check(
        self,
        account: Account,
        dataset: str,
        before: dict[str, str],
        others: dict[str, list[str]],
        complete: bool,
        said: str = "",
    ) -> None:
        account.sb.clear_on_request()
        live = self.kit.serve(account.sb)
        after = self.warehouse.mirror(dataset, self.kit.status_column)
        lost = sorted(set(before) & set(live) - set(after))
        if lost:
            self.tally.lost += len(lost)
            self.tally.notes.append(f"{account.name}: {len(lost)} live task(s) lost: {lost[:5]}")
        for name, rows in others.items():
            now = self.warehouse.snapshot(name)
            if now != rows:
                self.tally.foreign += len(set(rows) ^ set(now))
                self.tally.notes.append(f"{account.name}'s run touched dataset {name}")
        missing, extra, changed = set(live) - set(after), set(after) - set(live), set()
        if complete and after != live:
            changed = {i for i in set(live) & set(after) if live[i] != after[i]} - self._restated
        if complete and (missing or extra or changed):
            self.tally.mismatch += 1
            self.tally.notes.append(
                f"{account.name}: complete run but mirror != vendor: {len(missing)} missing,"
                f" {len(extra)} extra, {len(changed)} with another status{said}"
            )

    def run(self, name: str, changes: list[Change], *, into: str | None = None) -> Any:
        """Extract account `name` (into its own dataset, or `into` another's) while `changes`
        happen in its vendor; check the invariants. Returns the summary, or the refusal."""
        account = self.accounts[name]
        dataset = into or account.dataset
        owner = next(a for a in self.accounts.values() if a.dataset == dataset)
        before = self.warehouse.mirror(dataset, self.kit.status_column)
        others = self._others(account.dataset if owner is account else "")
        self._schedule(account, changes)
        account.sb.clear_requests()
        self.tally.runs += 1
        try:
            summary = self.kit.extract(
                account.sb,
                dataset_name=dataset,
                pipelines_dir=str(self.folder / "pipelines"),
                **self.warehouse.where,
            )
        except DatasetOwnedError as exc:
            account.sb.clear_on_request()
            self.tally.refused += 1
            if owner is account:
                self.tally.notes.append(f"{account.name} refused its own dataset: {exc}")
                self.tally.foreign += 1
            asked = [r for r in account.sb.requests() if r["path"] == self.kit.list_path]
            if asked:
                self.tally.notes.append(f"{account.name} was refused after reading the vendor")
                self.tally.foreign += 1
            self._check(owner, dataset, before, others, complete=False)
            return exc
        if owner is not account:
            self.tally.notes.append(f"{account.name} was let into {owner.name}'s dataset")
            self.tally.foreign += 1
        self.tally.complete += int(bool(summary.complete))
        said = f" (changes {changes}; removed {summary.removed}; warnings {summary.warnings})"
        self._check(account, dataset, before, others, bool(summary.complete), said)
        return summary

    def kill_run(self, name: str, changes: list[Change], kill_at: int) -> int:
        """Extract account `name` in a child process (the CLI) and SIGKILL it once its vendor
        has answered `kill_at` list requests (never, when the scan is shorter); then check the
        invariants and return the exit code (-9 when killed)."""
        account = self.accounts[name]
        before = self.warehouse.mirror(account.dataset, self.kit.status_column)
        others = self._others(account.dataset)
        self._schedule(account, changes)
        account.sb.clear_requests()
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(self.warehouse.env)
        env[self.kit.key_env] = self.kit.key(account.sb)
        args = [str(Path(sys.executable).parent / "sales-tasks"), "extract", self.kit.vendor,
                "--base-url", account.sb.base_url, "--dataset", account.dataset,
                "--pipelines-dir", str(self.folder / "pipelines"),
                *self.warehouse.cli, *self.kit.cli_args(account.sb)]  # fmt: skip
        if self.kit.vendor == "reply":
            env["SOURCES__REPLY__RATE_LIMITS"] = REPLY_LIMITS
        self.tally.runs += 1
        with subprocess.Popen(
            args, cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        ) as proc:
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                listed = [r for r in account.sb.requests() if r["path"] == self.kit.list_path]
                if len(listed) >= kill_at:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.01)
            proc.wait(timeout=120)
            code = proc.returncode
        if code == -signal.SIGKILL:
            self.tally.killed += 1
        elif code != 0:
            self.tally.notes.append(f"{account.name}: extract exited {code}")
        self._check(account, account.dataset, before, others, complete=False)
        return code


@contextmanager
def drill(kit: VendorKit, warehouse: Warehouse, folder: Path, seed: int) -> Iterator[Drill]:
    d = Drill(kit, warehouse, folder, seed)
    try:
        yield d
    finally:
        d.close()


def random_changes(rng: random.Random, most: int = 4, latest: int = 5) -> list[Change]:
    """A few changes at random points of a scan (for the bench; tests draw with hypothesis)."""
    return [
        Change(rng.choice(KINDS), rng.randrange(latest), rng.randrange(1000))
        for _ in range(rng.randrange(most + 1))
    ]


@contextmanager
def temp_folder() -> Iterator[Path]:
    """A fresh folder for one drill (warehouse, dlt state, logs), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="mirror-drill-", ignore_cleanup_errors=True) as tmp:
        yield Path(tmp)
