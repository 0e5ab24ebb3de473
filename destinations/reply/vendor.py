"""Reply.io as a task vendor for the delivery engine (`sales_tasks.destinations.core`).

Endpoints and facts relied on (VENDOR-SPECS.md §1.3-1.5; endpoints, enums, shapes, paging and
errors in `sales_tasks.clients.reply`; the input rules in `rules.py`):
- `POST /v3/tasks` {taskType, startAt, dueTo, template {body, subject}, contactId,
  linkedInTaskType} creates **one** task and answers 201 with its full detail (`id`,
  `contactId`, `taskType`, `creationSource`, `createdAt`, `template`, ...; RS @1,697,000). No
  bulk create, no idempotency key: a create sent twice is two tasks.
- Enums go out as numbers (seed 004) or as v3's names (`enum_form`); answers are read in either
  form.
- Refusals are `application/problem+json`: a validation problem with `errors[] {pointer,
  detail}` or a business problem with a `code` (`contact.notFound`); such a row is `rejected`
  with Reply's detail and never resent. A 404 without a problem body is a wrong base URL, not a
  row's fault: it stops the run.
- A create whose answer was lost is looked for with `POST /v3/tasks/filter?top=&skip=` and
  `{"contactId": N}` plus the `from`/`to` window sent wide (the default window ends a year from
  now; RS @1,710,000), so one contact's tasks are read, not the account's. Its items are the
  *summary* shape: the contact as `contact.id` (no `contactId`), no template, no
  `creationSource`, no `createdAt` (RS @1,691,500). So `matches` compares what the item has
  (contact, type and LinkedIn subtype, start and due time to the second, no sequence) and only
  then reads that task's detail by `GET /v3/tasks/{id}` (once per task, cached) for the body and
  subject, `creationSource` `user` and `createdAt` no earlier than the call went out. A filter
  Reply ignored (a task of another contact, or of none, in the answer) proves nothing: the rows
  then need review. The list may lag creates; the reconciler's witness rule
  (`sales_tasks.destinations.core.reconcile`) decides when "not found" means "not created".
- The filter takes one `contactId` (an int, not a list: TaskFilterRequest, VENDOR-SPECS 1.4,
  RS @1,710,000), so a look over many contacts would cost a read each. Its other bound is the
  `startAt` window (`from` <= startAt <= `to`, same source), and `startAt` is required on create
  and matched to the second, so a look that knows the payloads it looks for (`search_for`) reads
  once, by the window of their start times, and picks the contacts out itself. That read is used
  only when Reply answers it in one response (`hasMore` false, so no page can have shifted under
  it; it is then one instant of the list, `one_read`) and every item lies in the window (else the
  window was ignored); otherwise it falls back to one read per contact.
- Limits (100 requests a minute, 3,000 an hour per user) are the client's to pace
  (`sales_tasks.clients.reply.profile`, the `rate_limits` setting); searches and detail reads count too.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sales_tasks.clients.core.client import ApiClient, reading_retry
from sales_tasks.clients.core.errors import BadRequestError, FatalApiError, VendorApiError
from sales_tasks.clients.core.paginators import paginate
from sales_tasks.clients.core.values import lenient_int, parse_utc
from sales_tasks.clients.reply.endpoints import TASKS, TASKS_FILTER, quota_key, task_path
from sales_tasks.clients.reply.enums import (
    CREATION_SOURCES,
    LINKEDIN_TASK_TYPES,
    SOURCE_USER,
    TASK_TYPES,
    code_of,
)
from sales_tasks.clients.reply.lookups import contact_ids_with_email
from sales_tasks.clients.reply.paging import ITEMS, reply_paginator
from sales_tasks.clients.reply.problems import problem_of
from sales_tasks.clients.reply.tasks import contact_of, filter_body, task_id_of
from sales_tasks.destinations.core.contract import InputRules, TTaskRow
from sales_tasks.destinations.core.vendor import Resolution, SearchResult, SendOutcome, SentTask
from sales_tasks.destinations.reply.rules import REPLY_RULES
from sales_tasks.destinations.reply.settings import NAMES

CREATE = TASKS
SEARCH_TOP = 1000
# A contact with more tasks than this cannot be searched completely (stop guard).
SEARCH_MAX_PAGES = 50
# Statuses whose refusal is about the row (Reply's validation), not the run.
_ROW_STATUSES = (400, 409, 422)
# Task details read while matching, kept for the run (a task's body does not change under us).
DETAIL_CACHE = 10_000

UNDECIDABLE = (
    "Reply's tasks filter answered tasks of other contacts (it ignored contactId), so whether"
    " this task was created cannot be checked: look for it in Reply, then rerun with"
    " --resend-unknown to send the ones that are missing"
)


class ReplyTaskVendor:
    """Reply's half of the task sink: one task per call, its answer, and the filter search."""

    name = "Reply"
    rules: InputRules = REPLY_RULES
    max_per_call = 1
    # A look's contacts all go to one `search_created`/`search_for` (it reads per contact itself).
    contacts_per_search = 1_000_000
    # `matches` already compares everything a row gives (body and subject included).
    strict_match_fields: tuple[str, ...] = ()

    def __init__(self, client: ApiClient, *, enum_form: str = NAMES) -> None:
        self.client = client
        self.enum_names = enum_form == NAMES
        self._contacts: dict[str, list[int]] = {}  # lower email -> contact ids
        self._details: dict[int, dict[str, Any] | None] = {}  # task id -> detail (None: gone)

    # --- rows --------------------------------------------------------------------------------

    def resolve(self, rows: Sequence[TTaskRow]) -> Resolution:
        result = Resolution()
        for row in rows:
            if row["contact_id"]:
                continue
            email = (row["contact_email"] or "").strip()
            key = email.lower()
            if key not in self._contacts:
                self._contacts[key] = contact_ids_with_email(self.client, email)
            ids = self._contacts[key]
            if not ids:
                result.rejected[row["request_id"]] = (
                    f"unknown contact_email {email!r}: no Reply contact has exactly this email"
                )
            elif len(ids) > 1:
                shown = ", ".join(str(i) for i in ids[:5])
                result.rejected[row["request_id"]] = (
                    f"ambiguous contact_email {email!r}: {len(ids)} Reply contacts have this"
                    f" email ({shown}); give contact_id instead"
                )
            else:
                row["contact_id"] = str(ids[0])
        return result

    def group_key(self, row: TTaskRow) -> Hashable | None:
        return None  # one task per call

    def distinct_key(self, row: TTaskRow) -> str:
        return str(row["contact_id"])

    def call_name(self, rows: Sequence[TTaskRow]) -> str:
        return f"POST {CREATE}"

    def payload(self, row: TTaskRow) -> dict[str, Any]:
        subtype = row["extra"].get("linkedin_task_type")
        return {
            "contactId": int(str(row["contact_id"])),
            "taskType": int(row["type"]),
            "linkedInTaskType": None if subtype is None else int(subtype),
            "startAt": row["extra"].get("start_at"),
            "dueTo": row["due_at"],
            "template": {"body": row["note"], "subject": row["title"]},
        }

    def request_body(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The create request for a payload, enums in the configured form."""
        task_type, subtype = payload["taskType"], payload["linkedInTaskType"]
        template = {"body": payload["template"]["body"]}
        if payload["template"].get("subject") is not None:
            template["subject"] = payload["template"]["subject"]
        body: dict[str, Any] = {
            "taskType": TASK_TYPES[task_type] if self.enum_names else task_type,
            "contactId": payload["contactId"],
            "startAt": payload["startAt"],
            "dueTo": payload["dueTo"],
            "template": template,
        }
        if subtype is not None:
            body["linkedInTaskType"] = LINKEDIN_TASK_TYPES[subtype] if self.enum_names else subtype
        return body

    # --- calls -------------------------------------------------------------------------------

    def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
        (row,) = rows
        request_id = row["request_id"]
        try:
            answer = self.client.request_json(
                "POST",
                CREATE,
                json=self.request_body(self.payload(row)),
                idempotent=False,
                endpoint=quota_key(CREATE),
            )
        except BadRequestError as exc:
            reason = self.refusal(exc)
            if reason is None:
                raise
            return SendOutcome(rejected={request_id: reason})
        except FatalApiError:
            raise
        except VendorApiError as exc:  # 5xx, dropped connection, unreadable answer
            return SendOutcome(unknown={request_id: str(exc)})
        task_id = answer.get("id") if isinstance(answer, dict) else None
        if task_id in (None, "") or isinstance(task_id, bool):
            return SendOutcome(unknown={request_id: f"{self.name} answered without a task id"})
        return SendOutcome(created={request_id: str(task_id)})

    def refusal(self, exc: BadRequestError) -> str | None:
        """The rejection of a row Reply refused, or None when the refusal is not the row's
        (a 404 without a problem body: the base URL or path is wrong)."""
        problem = problem_of(exc)
        if not (problem.code or problem.detail) and exc.status not in _ROW_STATUSES:
            return None
        fields = "; ".join(
            f"{e.get('pointer')}: {e.get('detail')}"
            for e in problem.errors
            if e.get("pointer") is not None and e.get("detail")
        )
        detail = problem.detail or exc.vendor_message or problem.title or "no detail given"
        code = f" {problem.code}" if problem.code else ""
        return f"{self.name} refused the task ({exc.status}{code}): {detail}" + (
            f" ({fields})" if fields else ""
        )

    def search_created(self, contacts: Sequence[str]) -> SearchResult:
        tasks: list[dict[str, Any]] = []
        for contact in contacts:
            wanted = lenient_int(contact)
            paginator = reply_paginator(SEARCH_TOP, maximum_page=SEARCH_MAX_PAGES)
            for page in paginate(
                self.client,
                "POST",
                TASKS_FILTER,
                paginator,
                items_path=ITEMS,
                json=filter_body(contactId=wanted),
                endpoint=quota_key(TASKS_FILTER),
            ):
                for item in page.items:
                    if not isinstance(item, dict) or contact_of(item)[0] != wanted:
                        return SearchResult(None, UNDECIDABLE)
                tasks.extend(page.items)
            if paginator.stopped_by_guard:
                return SearchResult(
                    None,
                    f"more than {SEARCH_TOP * SEARCH_MAX_PAGES:,} tasks for contact {contact}:"
                    " check in Reply, then rerun with --resend-unknown to send the missing ones",
                )
        return SearchResult(tasks)

    def search_for(
        self, contacts: Sequence[str], payloads: Sequence[dict[str, Any]]
    ) -> SearchResult:
        """The contacts' tasks whose `startAt` lies in the window of the `payloads` looked for,
        from one filter response (see the module docstring); else `search_created`."""
        starts = [parse_utc(p.get("startAt")) for p in payloads]
        known = [s for s in starts if s is not None]
        if len(contacts) < 2 or not known or len(known) != len(starts):
            return self.search_created(contacts)
        low = min(known) - timedelta(seconds=1)
        high = max(known) + timedelta(seconds=1)
        body = filter_body()
        body["from"], body["to"] = _instant(low), _instant(high)
        answer = self.client.request_json(
            "POST",
            TASKS_FILTER,
            params={"top": SEARCH_TOP, "skip": 0},
            json=body,
            endpoint=quota_key(TASKS_FILTER),
            errors_retry=reading_retry(self.client.retry),
        )
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list) or answer.get("hasMore") is not False:
            return self.search_created(contacts)
        wanted = {lenient_int(c) for c in contacts}
        tasks: list[dict[str, Any]] = []
        for item in items:
            start = parse_utc(item.get("startAt")) if isinstance(item, dict) else None
            if start is None or not low <= start <= high:
                return self.search_created(contacts)  # the window was not applied
            if contact_of(item)[0] in wanted:
                tasks.append(item)
        return SearchResult(tasks, one_read=True)

    def matches(self, sent: SentTask, task: dict[str, Any], *, skew_seconds: float) -> bool:
        """Whether `task` (a filter item, or a detail) is what the create for `sent` made.

        The item's own fields first; the detail (read by id once) for what only it has.
        """
        if not _same_summary(sent.payload, task):
            return False
        detail = task if "template" in task else self._detail(task)
        if detail is None:
            return False
        return _same_detail(sent, detail, skew_seconds)

    def _detail(self, task: dict[str, Any]) -> dict[str, Any] | None:
        """The task's detail (`GET /v3/tasks/{id}`), None when Reply no longer has it."""
        task_id = task_id_of(task)
        if task_id is None:
            return None
        if task_id not in self._details:
            path = task_path(task_id)
            try:
                found = self.client.request_json("GET", path, endpoint=quota_key(path))
            except BadRequestError as exc:
                if exc.status != 404:
                    raise
                found = None
            if len(self._details) >= DETAIL_CACHE:
                self._details.clear()
            self._details[task_id] = found if isinstance(found, dict) else None
        return self._details[task_id]

    def task_id(self, task: dict[str, Any]) -> str:
        return str(task.get("id"))

    def contact_of(self, payload: dict[str, Any]) -> str:
        return str(payload.get("contactId"))


def _instant(moment: datetime) -> str:
    """A UTC instant as the filter's `from`/`to` take it (ISO 8601, seconds, `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_summary(want: dict[str, Any], task: dict[str, Any]) -> bool:
    """The fields a filter item has: contact, type, LinkedIn subtype, start and due, and no
    sequence (a task we create is never a sequence's)."""
    if contact_of(task)[0] != want.get("contactId") or task.get("sequenceId") is not None:
        return False
    if code_of(TASK_TYPES, task.get("taskType")) != want.get("taskType"):
        return False
    if code_of(LINKEDIN_TASK_TYPES, task.get("linkedInTaskType")) != want.get("linkedInTaskType"):
        return False
    for field in ("startAt", "dueTo"):
        got, wanted = parse_utc(task.get(field)), parse_utc(want.get(field))
        if got is None or wanted is None or abs((got - wanted).total_seconds()) >= 1:
            return False
    return True


def _same_detail(sent: SentTask, detail: dict[str, Any], skew_seconds: float) -> bool:
    """The fields only a detail has: template body and subject, made by a user (not a
    sequence or a meeting), no earlier than the call went out (minus the clock skew)."""
    want = sent.payload
    if contact_of(detail)[0] != want.get("contactId"):
        return False
    source = detail.get("creationSource")
    if source is not None and code_of(CREATION_SOURCES, source) != SOURCE_USER:
        return False
    found = detail.get("template")
    template: dict[str, Any] = found if isinstance(found, dict) else {}
    asked = want.get("template") or {}
    if template.get("body") != asked.get("body") or (template.get("subject") or None) != (
        asked.get("subject") or None
    ):
        return False
    created = parse_utc(detail.get("createdAt"))
    return created is None or created >= sent.sent_at - timedelta(seconds=skew_seconds)
