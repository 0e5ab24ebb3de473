"""Saleshandy as a task vendor for the delivery engine (`sales_tasks.destinations.core`).

Endpoints and facts relied on (Saleshandy's "Create Task", seed 003, and its OpenAPI file as a
generated client uses it; NOTES.md section 2; endpoints, enums and paging in `sales_tasks.clients.saleshandy`):
- `POST /v1/tasks/create` {prospectIds[], taskType, priority?, dueDate?, taskNote?} makes one
  task per prospect id and answers `{"payload": {"results": [{prospectId, taskId, success}]}}`,
  one outcome per prospect, so one failure does not fail the others. Undocumented, so not
  relied on: the HTTP status (200 or 201), the order of the results (they are mapped by
  `prospectId`), a reason on a failed result (kept when one is given), the most prospect ids a
  call may carry (default 100; a call refused as too large is split and the smaller size kept).
- Saleshandy never deduplicates as far as anyone documents: a create sent twice is two tasks.
- `success: false` is final (`rejected`, never resent); a prospect missing from the results, or
  a success without a task id, is `unknown` and reconciled.
- `GET /v1/tasks` (page/pageSize, at most 100, no totals) is the only way to find tasks; its
  `search` is a text search (names, emails), not a prospect filter, so reconciliation reads the
  list and picks the prospects' tasks itself, for every contact of a look in one read
  (`contacts_per_search`). A task is keyed `taskId` (every documented response, VENDOR-SPECS 0
  fact 9) or `id`; its prospect is embedded or a flat `prospectId` (`sales_tasks.clients.saleshandy.tasks`;
  the list shape is unpublished).
- The read covers only the window of due dates noted for the contacts asked about, through the
  list's documented sort (`sortBy=dueDate&sortOrder=DESC`, SN @~393,500): it jumps over the
  pages due later and stops below the window (`sales_tasks.destinations.saleshandy.search`, which also says
  why no task of ours can be missed). Every payload this adapter makes or reads (`payload`,
  `distinct_key`, `contact_of`, which the engine and the reconciler call on each task they look
  for, rows left `sending` by an earlier run included) notes its due date; a contact none was
  noted for is looked for in the whole list. The list's index may lag creates (handled by the
  reconciler's witness, `sales_tasks.destinations.core.reconcile`). Tasks made through the API have no sequence; `dueDate` is
  `YYYY-MM-DD`; `createdAt` ISO 8601.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Hashable, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import BadRequestError
from sales_tasks.clients.core.values import parse_utc
from sales_tasks.clients.saleshandy.endpoints import TASKS_CREATE
from sales_tasks.destinations.core.contract import TTaskRow
from sales_tasks.destinations.core.vendor import (
    Resolution,
    SearchResult,
    SendOutcome,
    SentTask,
    call_outcome,
)
from sales_tasks.destinations.saleshandy.lookup import SaleshandyLookup
from sales_tasks.destinations.saleshandy.rules import saleshandy_rules
from sales_tasks.destinations.saleshandy.search import TaskListReader, text_or_none

# Statuses a refused create of many prospects may come with when the call was only too big.
TOO_LARGE_STATUSES = (400, 413, 422)
_SIZE_WORDS = re.compile(
    r"too (many|large|long|big)|at most|maximum|\bmax\b|limit|exceed|up to|no more than",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b(\d{1,6})\b")


def size_limit_of(exc: BadRequestError, sent: int) -> int | None:
    """The smaller call size a refusal of `sent` prospects asks for, or None when it does not
    read as a size refusal (a 413, or a text about a maximum; the limit it names if it names
    one below `sent`, else half)."""
    text = exc.vendor_message or str(exc)
    if exc.status != 413 and not _SIZE_WORDS.search(text):
        return None
    named = [int(n) for n in _NUMBER.findall(text) if 0 < int(n) < sent]
    return max(named) if named else max(1, sent // 2)


def map_results(rows: Sequence[TTaskRow], body: Any) -> SendOutcome:
    """Each row's outcome from a create's answer, by `prospectId`, never by position."""
    results = body.get("payload") if isinstance(body, dict) else None
    results = results.get("results") if isinstance(results, dict) else None
    by_prospect: dict[str, list[dict[str, Any]]] = {}
    for result in results if isinstance(results, list) else []:
        if isinstance(result, dict) and result.get("prospectId") not in (None, ""):
            by_prospect.setdefault(str(result["prospectId"]), []).append(result)
    outcome = SendOutcome()
    for row in rows:
        request_id, prospect = row["request_id"], str(row["contact_id"])
        found = by_prospect.get(prospect, [])
        if len(found) != 1:
            outcome.unknown[request_id] = (
                "Saleshandy answered without a result for this prospect"
                if not found
                else f"Saleshandy answered {len(found)} results for this prospect"
            )
            continue
        result = found[0]
        task_id = text_or_none(result.get("taskId"))
        if result.get("success") is True and task_id:
            outcome.created[request_id] = task_id
        elif result.get("success") is True:
            outcome.unknown[request_id] = "Saleshandy answered success without a task id"
        elif result.get("success") is False:
            said = text_or_none(result.get("message") or result.get("error"))
            outcome.rejected[request_id] = (
                f"Saleshandy did not create the task for prospect {prospect[:40]!r}"
                f" (success: false{': ' + said[:200] if said else ''}): check that the prospect"
                " exists in this Saleshandy account"
            )
        else:
            outcome.unknown[request_id] = "Saleshandy answered a result without success"
    return outcome


class SaleshandyTaskVendor:
    """Saleshandy's half of the task sink: payloads, grouping, answers and reconciliation search.

    Args:
        max_prospects_per_call: prospect ids per create; lowered for the rest of the run when
            Saleshandy refuses a call as too large.
        zone: the time zone of due dates (`rules.due_date_parser`).
    """

    name = "Saleshandy"
    # A found task must also carry the note in the reconciler's strict pass.
    strict_match_fields: tuple[str, ...] = ("note",)
    # One list read serves any number of prospects (the list is read, not filtered by them),
    # so all the contacts of a look share one read (`sales_tasks.destinations.core.reconcile`).
    contacts_per_search = 1_000_000

    def __init__(
        self,
        client: ApiClient,
        *,
        max_prospects_per_call: int = 100,
        zone: ZoneInfo | None = None,
        list_lag_seconds: float | None = None,
    ) -> None:
        if max_prospects_per_call < 1:
            raise ValueError("max_prospects_per_call must be >= 1")
        self.client = client
        self.max_per_call = max_prospects_per_call
        self.configured_per_call = max_prospects_per_call
        self.zone = zone or ZoneInfo("UTC")
        # The reconciler's optional bound (`sales_tasks.destinations.core.reconcile`): the list shows a task
        # this long after its create answered; None (the default) as Saleshandy documents none.
        self.visible_within_seconds = list_lag_seconds
        self.rules = saleshandy_rules(self.zone)
        self.lookup = SaleshandyLookup(client)
        self.too_large_refusals = 0
        # Due dates this run sent per prospect: they bound reconciliation's list read.
        self._due_dates: dict[str, set[str]] = {}
        self._due_lock = threading.Lock()
        self.reader = TaskListReader(client)

    @property
    def due_assumed_note(self) -> str:
        """How the summary words the due dates `rules.due_date_parser` converted."""
        return f"{{n}} due_date timestamp(s) were turned into dates in time zone {self.zone.key}"

    def summary_notes(self) -> list[str]:
        """Lines for the run's summary: what this run learnt about Saleshandy's limits."""
        if not self.too_large_refusals:
            return []
        return [
            f"warning: Saleshandy refused {self.too_large_refusals} create call(s) as too large;"
            f" they were split and the rest of the run sent at most {self.max_per_call} prospects"
            f" per call (set max_prospects_per_call to {self.max_per_call} to spare the refusals)"
        ]

    # --- rows --------------------------------------------------------------------------------

    def resolve(self, rows: Sequence[TTaskRow]) -> Resolution:
        result = Resolution()
        emails = [r["contact_email"] for r in rows if not r["contact_id"] and r["contact_email"]]
        found = self.lookup.by_email(emails) if emails else {}
        for row in rows:
            if row["contact_id"]:
                continue  # Saleshandy answers an unknown prospect id per prospect
            email = row["contact_email"] or ""
            ids = found.get(email.strip().lower(), [])
            if not ids:
                result.rejected[row["request_id"]] = (
                    f"unknown prospect_email {email[:60]!r}: no Saleshandy prospect has exactly"
                    " this email; add the prospect or give prospect_id"
                )
            elif len(ids) > 1:
                result.rejected[row["request_id"]] = (
                    f"ambiguous prospect_email {email[:60]!r}: {len(ids)} Saleshandy prospects"
                    f" have this email ({', '.join(ids[:5])}); give prospect_id instead"
                )
            else:
                row["contact_id"] = ids[0]
        return result

    def group_key(self, row: TTaskRow) -> Hashable | None:
        # One create carries one task definition for many prospects.
        return (row["type"], row["priority"], row["due_at"], row["note"])

    def distinct_key(self, row: TTaskRow) -> str:
        self._note_due(row["contact_id"], row["due_at"])
        return str(row["contact_id"])

    def call_name(self, rows: Sequence[TTaskRow]) -> str:
        return f"POST {TASKS_CREATE}"

    def _note_due(self, contact: Any, due: Any) -> None:
        """Remember a due date sent (or to be looked for) for a prospect: the search's bound."""
        if due:
            with self._due_lock:
                self._due_dates.setdefault(str(contact), set()).add(str(due)[:10])

    def payload(self, row: TTaskRow) -> dict[str, Any]:
        self._note_due(row["contact_id"], row["due_at"])
        return {
            "contact_id": row["contact_id"],
            "type": row["type"],
            "priority": row["priority"],
            "due_at": row["due_at"],
            "note": row["note"],
        }

    # --- calls -------------------------------------------------------------------------------

    def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
        def create() -> SendOutcome:
            body = self.client.request_json(
                "POST", TASKS_CREATE, json=self._body(rows), idempotent=False
            )
            return map_results(rows, body)

        def refused(exc: BadRequestError) -> None:
            if len(rows) > 1:
                self._learn_limit(exc, len(rows))

        return call_outcome(
            self.name, rows, create, refused=refused, row_statuses=TOO_LARGE_STATUSES
        )

    def _learn_limit(self, exc: BadRequestError, sent: int) -> None:
        limit = size_limit_of(exc, sent)
        if limit is None:
            return  # not about the size: the engine halves the call to find the rows refused
        self.too_large_refusals += 1
        self.max_per_call = min(self.max_per_call, limit)
        if exc.status not in (400, 422):
            # The engine splits refusals it knows to have done nothing; a 413 is one too.
            raise BadRequestError(
                str(exc), status=400, endpoint=exc.endpoint, vendor_message=exc.vendor_message
            ) from exc

    @staticmethod
    def _body(rows: Sequence[TTaskRow]) -> dict[str, Any]:
        first = rows[0]
        body: dict[str, Any] = {
            "prospectIds": [str(r["contact_id"]) for r in rows],
            "taskType": first["type"],
        }
        if first["priority"]:
            body["priority"] = first["priority"]
        if first["due_at"]:
            body["dueDate"] = first["due_at"]
        if first["note"] is not None:
            body["taskNote"] = first["note"]
        return body

    def search_created(self, contacts: Sequence[str]) -> SearchResult:
        """The tasks of `contacts`, from one read of `GET /v1/tasks` newest due date first,
        bounded by the due dates noted for them (`sales_tasks.destinations.saleshandy.search`); for a
        contact none was noted for, the list is read to its end."""
        wanted = set(contacts)
        with self._due_lock:
            known = [self._due_dates.get(c) for c in wanted]
        window = None
        if known and all(known):
            days = [day for dates in known if dates for day in dates]
            window = (min(days), max(days))
        return self.reader.read(wanted, window)

    def search_for(
        self, contacts: Sequence[str], payloads: Sequence[dict[str, Any]]
    ) -> SearchResult:
        """`search_created`, bounded by the due dates of the tasks looked for (`payloads`: the
        reconciler's unknown requests and its witnesses, `sales_tasks.destinations.core.reconcile`) instead
        of every due date sent to these prospects: a task of the window matches on its due date,
        so only those dates need reading. Any prospect without a looked-for due date: as
        `search_created`."""
        wanted = set(contacts)
        days: dict[str, set[str]] = {}
        for payload in payloads:
            contact, due = str(payload.get("contact_id")), text_or_none(payload.get("due_at"))
            if contact in wanted and due is not None:
                days.setdefault(contact, set()).add(due[:10])
        if set(days) != wanted:
            return self.search_created(contacts)
        every = [day for dates in days.values() for day in dates]
        return self.reader.read(wanted, (min(every), max(every)))

    @property
    def search_pages(self) -> int:
        """List pages reconciliation read, probes included (for benchmarks)."""
        return self.reader.pages

    def matches(self, sent: SentTask, task: dict[str, Any], *, skew_seconds: float) -> bool:
        want = sent.payload
        if task.get("from_sequence"):
            return False  # made by a sequence step, not by a create call
        for name in ("contact_id", "type", "priority", "due_at", "note"):
            if text_or_none(task.get(name)) != text_or_none(want.get(name)):
                return False
        created = parse_utc(task.get("created_at"))
        # Without a creation time a task is judged on its contents alone.
        return created is None or created >= sent.sent_at - timedelta(seconds=skew_seconds)

    def task_id(self, task: dict[str, Any]) -> str:
        """The id of a task `search_created` returned (already read from `taskId` or `id`)."""
        return str(task.get("id"))

    def task_contact(self, task: dict[str, Any]) -> str | None:
        """The prospect of a task `search_created` returned, as `contact_of` names it (`matches`
        is false for a task of another prospect, so the reconciler pairs by prospect)."""
        return text_or_none(task.get("contact_id"))

    def contact_of(self, payload: dict[str, Any]) -> str:
        self._note_due(payload.get("contact_id"), payload.get("due_at"))
        return str(payload.get("contact_id"))
