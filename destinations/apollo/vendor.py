"""Apollo.io as a task vendor for the delivery engine (`sales_tasks.destinations.core`).

Endpoints and facts relied on (Apollo's API reference, "Create a Task", "Bulk Create Tasks" and
"Search for Tasks"; endpoints, enums and paging in `sales_tasks.clients.apollo`):
- `POST /api/v1/tasks/bulk_create` {user_id, contact_ids[], type, status, due_at, priority, note}
  → `{"success": true, "tasks": [...]}`, one task per contact id; **no title**. The maximum
  number of contact ids is undocumented (we default to 100, configurable). Partial failure
  behaviour is unknown, so tasks are mapped back by `contact_id` and any row without one is
  reconciled rather than assumed.
- `POST /api/v1/tasks` {user_id, contact_id, type, status, due_at, priority, title, note}
  → `{"task": {...}}`: the only way to set a title, so titled rows go one per call.
- Apollo never deduplicates: a create sent twice is two tasks.
- `due_at` is echoed as `...000+00:00`. `created_from` is untyped and seen as `api`, `zp_ui` and
  null (VENDOR-SPECS 3.3, fact 10; live, an API-made task came back `zp_ui`): never relied on.
- `POST /api/v1/tasks/search` (reconciliation, `search.py`) documents no filter and pages in the
  query string; the search index lags creates (handled by the reconciler's wait). A run's looks
  reuse its last trusted read while the list provably kept it (`kept.py`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sales_tasks.clients import vocabulary
from sales_tasks.clients.apollo.endpoints import TASKS_BULK_CREATE, TASKS_CREATE
from sales_tasks.clients.apollo.enums import TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES
from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.values import parse_utc
from sales_tasks.destinations.apollo.kept import KeptSearch
from sales_tasks.destinations.apollo.lookup import ApolloLookup
from sales_tasks.destinations.apollo.settings import DEFAULT_MAX_CONTACTS_PER_CALL
from sales_tasks.destinations.core.contract import InputRules, TTaskRow
from sales_tasks.destinations.core.vendor import (
    Resolution,
    SearchResult,
    SendOutcome,
    SentTask,
    call_outcome,
)

CREATE = TASKS_CREATE
BULK_CREATE = TASKS_BULK_CREATE


def apollo_due_at(utc: datetime) -> str:
    """Apollo's echo of a due date: `2025-02-15T08:10:30.000+00:00`."""
    return utc.isoformat(timespec="milliseconds")


# The input contract of an Apollo push (NOTES.md: create's `type`, `status`, `priority` values;
# priority defaults to medium on Apollo's side too; status is required, `scheduled` for new work).
# The shared vocabulary's names (`sales_tasks.clients.vocabulary`) are accepted beside Apollo's own.
APOLLO_RULES = InputRules(
    task_types=frozenset(TASK_TYPES),
    statuses=frozenset(TASK_STATUSES),
    priorities=frozenset(TASK_PRIORITIES),
    default_status="scheduled",
    default_priority="medium",
    format_due_at=apollo_due_at,
    names={kind: vocabulary.accepted_names("apollo", kind) for kind in vocabulary.KINDS},
    unsupported={kind: vocabulary.unsupported("apollo", kind) for kind in vocabulary.KINDS},
)


def map_tasks_to_rows(rows: Sequence[TTaskRow], tasks: Sequence[Any]) -> dict[str, str]:
    """request_id -> task id, matching the answer's tasks to rows by contact_id.

    Order is not trusted; rows whose contact has no task in the answer are left out (their
    outcome is unknown and they are reconciled).
    """
    by_contact: dict[str, str] = {}
    for task in tasks:
        if not isinstance(task, dict):
            continue
        contact, task_id = task.get("contact_id"), task.get("id")
        if contact and task_id and str(contact) not in by_contact:
            by_contact[str(contact)] = str(task_id)
    return {
        r["request_id"]: by_contact[str(r["contact_id"])]
        for r in rows
        if str(r["contact_id"]) in by_contact
    }


class ApolloTaskVendor:
    """Apollo's half of the task sink: payloads, grouping, answers and reconciliation search."""

    name = "Apollo"
    rules = APOLLO_RULES
    # Optional fields a found task must also match in the reconciler's strict pass.
    strict_match_fields: tuple[str, ...] = ("note", "title")

    def __init__(
        self, client: ApiClient, *, max_contacts_per_call: int = DEFAULT_MAX_CONTACTS_PER_CALL
    ) -> None:
        if max_contacts_per_call < 1:
            raise ValueError("max_contacts_per_call must be >= 1")
        self.client = client
        self.max_per_call = max_contacts_per_call
        self.lookup = ApolloLookup(client)
        self.search = KeptSearch(client, max_contacts=max_contacts_per_call)

    # --- rows --------------------------------------------------------------------------------

    def resolve(self, rows: Sequence[TTaskRow]) -> Resolution:
        result = Resolution()
        users_by_email, user_ids = self.lookup.users()
        emails = [r["contact_email"] for r in rows if not r["contact_id"] and r["contact_email"]]
        contacts = self.lookup.contacts_by_email(emails) if emails else {}
        for row in rows:
            reason = self._resolve_user(row, users_by_email, user_ids)
            if reason is None:
                reason = self._resolve_contact(row, contacts)
            if reason is not None:
                result.rejected[row["request_id"]] = reason
        return result

    @staticmethod
    def _resolve_user(
        row: TTaskRow, by_email: dict[str, list[str]], user_ids: set[str]
    ) -> str | None:
        if row["user_id"]:
            if row["user_id"] not in user_ids:
                return (
                    f"unknown user_id {row['user_id']!r}: not a user of this Apollo team"
                    " (see users search)"
                )
            return None
        email = row["user_email"] or ""
        ids = by_email.get(email.lower(), [])
        if not ids:
            return f"unknown user_email {email!r}: no Apollo user of this team has this email"
        if len(ids) > 1:
            return f"ambiguous user_email {email!r}: {len(ids)} Apollo users; give user_id instead"
        row["user_id"] = ids[0]
        return None

    @staticmethod
    def _resolve_contact(row: TTaskRow, contacts: dict[str, list[str]]) -> str | None:
        if row["contact_id"]:
            return None
        email = row["contact_email"] or ""
        ids = contacts.get(email.lower(), [])
        if not ids:
            return f"unknown contact_email {email!r}: no Apollo contact has exactly this email"
        if len(ids) > 1:
            return (
                f"ambiguous contact_email {email!r}: {len(ids)} Apollo contacts have this email"
                f" ({', '.join(ids[:5])}); give contact_id instead"
            )
        row["contact_id"] = ids[0]
        return None

    def group_key(self, row: TTaskRow) -> Hashable | None:
        if row["title"]:
            return None  # bulk create has no title
        return (
            row["user_id"],
            row["type"],
            row["priority"],
            row["status"],
            row["due_at"],
            row["note"],
        )

    def distinct_key(self, row: TTaskRow) -> str:
        return str(row["contact_id"])

    def call_name(self, rows: Sequence[TTaskRow]) -> str:
        return f"POST {CREATE}" if rows[0]["title"] else f"POST {BULK_CREATE}"

    def payload(self, row: TTaskRow) -> dict[str, Any]:
        return {
            "user_id": row["user_id"],
            "contact_id": row["contact_id"],
            "type": row["type"],
            "status": row["status"],
            "priority": row["priority"],
            "due_at": row["due_at"],
            "note": row["note"],
            "title": row["title"],
        }

    # --- calls -------------------------------------------------------------------------------

    def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
        def create() -> SendOutcome:
            mapped = self._create(rows)
            missing = f"{self.name} answered without a task for this contact"
            unknown = {r["request_id"]: missing for r in rows if r["request_id"] not in mapped}
            return SendOutcome(created=mapped, unknown=unknown)

        return call_outcome(self.name, rows, create)

    def _create(self, rows: Sequence[TTaskRow]) -> dict[str, str]:
        first = rows[0]
        body: dict[str, Any] = {
            "user_id": first["user_id"],
            "type": first["type"],
            "status": first["status"],
            "priority": first["priority"],
            "due_at": first["due_at"],
        }
        if first["note"] is not None:
            body["note"] = first["note"]
        if first["title"]:
            answer = self.client.request_json(
                "POST",
                CREATE,
                json={**body, "contact_id": first["contact_id"], "title": first["title"]},
                idempotent=False,
            )
            task = answer.get("task") if isinstance(answer, dict) else None
            tasks = [task] if isinstance(task, dict) else []
        else:
            answer = self.client.request_json(
                "POST",
                BULK_CREATE,
                json={**body, "contact_ids": [r["contact_id"] for r in rows]},
                idempotent=False,
            )
            found = answer.get("tasks") if isinstance(answer, dict) else None
            tasks = [t for t in found if isinstance(t, dict)] if isinstance(found, list) else []
        return map_tasks_to_rows(rows, tasks)

    def search_created(self, contacts: Sequence[str]) -> SearchResult:
        """Every task Apollo holds for `contacts`, from one read of tasks search serving them
        all (`sales_tasks.destinations.apollo.search`: query-string paging, the contact filter verified, the
        whole list read when Apollo ignores it, a read trusted only when the list held still),
        reading only what entered the list since the run's last trusted read
        (`sales_tasks.destinations.apollo.kept`)."""
        tasks, reason = self.search.contact_tasks(contacts)
        return SearchResult(tasks, reason)

    def matches(self, sent: SentTask, task: dict[str, Any], *, skew_seconds: float) -> bool:
        """Whether `task` is what the create for `sent` made, from what the caller sent.

        `created_from` is not read: it is untyped and seen as `api`, `zp_ui` (also for an
        API-made task, recorded live) and null (VENDOR-SPECS 3.3, fact 10). A task matches on
        user, contact, type, due time (to the second: Apollo echoes `.000+00:00`), the note and
        title sent (a title only when one was sent: bulk create takes none), and a `created_at`
        no earlier than the call minus the clock skew; the reconciler also refuses a task
        already recorded for another request.
        """
        want = sent.payload
        if (
            str(task.get("user_id")) != str(want.get("user_id"))
            or str(task.get("contact_id")) != str(want.get("contact_id"))
            or task.get("type") != want.get("type")
        ):
            return False
        if want.get("note") is not None and task.get("note") != want.get("note"):
            return False
        if want.get("title") and task.get("title") != want.get("title"):
            return False
        due, want_due = parse_utc(task.get("due_at")), parse_utc(want.get("due_at"))
        if due is None or want_due is None or abs((due - want_due).total_seconds()) >= 1:
            return False
        created = parse_utc(task.get("created_at"))
        return created is not None and created >= sent.sent_at - timedelta(seconds=skew_seconds)

    def task_id(self, task: dict[str, Any]) -> str:
        return str(task.get("id"))

    def task_contact(self, task: dict[str, Any]) -> str | None:
        """The contact of a task `search_created` returned, as `contact_of` names it (`matches`
        is false for a task of another contact, so the reconciler pairs by contact)."""
        contact = task.get("contact_id")
        return None if contact is None else str(contact)

    def contact_of(self, payload: dict[str, Any]) -> str:
        return str(payload.get("contact_id"))
