"""What a task vendor must provide to the vendor-neutral delivery engine.

The engine (`engine.py`) owns validation, the ledger, batching and the state machine; a vendor
module (`destinations/<vendor>/vendor.py`) owns only what differs between vendors: which values
it accepts, how rows share a call, the request payloads, how a response maps back to rows, and how
to find tasks it may have created when a call's outcome is unknown.

A create call answers per row with one of three outcomes (`SendOutcome`): created (with the
vendor's task id), rejected (final, with the vendor's reason) or unknown (only these are
reconciled). What stops the run (401/403, exhausted retries) and a refused call of several rows
(the engine halves it to find the rows refused) are raised as the shared error tree of
`sales_tasks.clients.core.errors`; the engine decides what each means (see the state machine in `ledger.py`).

Optional parts a vendor may have (read with `getattr`): `contacts_per_search`, how many contacts
one `search_created` call may carry (default `max_per_call`; a vendor whose list read serves any
number of contacts at once says so, e.g. a large number); `due_assumed_note`, how the summary words
the rows whose due date `InputRules.parse_due` flagged (`{n}`: how many; default "... taken as
UTC"), and `summary_notes() -> list[str]`, lines of its own for the summary (e.g. a limit it
learnt during the run); `task_contact(task) -> str | None`, the contact a task `search_created`
returned is for, as `contact_of` names it, for a vendor whose `matches` is false whenever the two
differ (the reconciler then matches each request against its contact's tasks only). A vendor
may lower `max_per_call` during a run: calls planned bigger are split to it before they go out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sales_tasks.clients.core.errors import BadRequestError, FatalApiError, VendorApiError
from sales_tasks.destinations.core.contract import InputRules, TTaskRow


@dataclass(frozen=True)
class SentTask:
    """A task whose create call went out: what was asked for and when (for reconciliation)."""

    request_id: str
    payload: dict[str, Any]
    sent_at: datetime


@dataclass
class SearchResult:
    """One look in the vendor for tasks created for some contacts.

    `tasks` is None when the vendor's answer cannot be trusted to be complete (e.g. a filter it
    silently ignored); `reason` then says why, for the person who must review. `one_read` is
    True when the tasks come from a single response of the vendor (one query, one page): a
    witness seen in it proves at once that a task created before the witness would be in it
    too, so the reconciler needs one look instead of two.
    """

    tasks: list[dict[str, Any]] | None
    reason: str = ""
    one_read: bool = False


@dataclass
class SendOutcome:
    """What one create call did, per request_id; every row of the call is in exactly one."""

    created: dict[str, str] = field(default_factory=dict)  # request_id -> task id
    rejected: dict[str, str] = field(default_factory=dict)  # request_id -> vendor's reason
    unknown: dict[str, str] = field(default_factory=dict)  # request_id -> why it is unknown


@dataclass
class Resolution:
    """Emails resolved to vendor ids, in place on the rows; rows that could not be are listed."""

    rejected: dict[str, str] = field(default_factory=dict)  # request_id -> reason


class TaskVendor(Protocol):
    """The vendor-specific half of a task sink."""

    name: str  # as people read it in messages
    rules: InputRules  # the input contract (fields, defaults, validation, due date form)
    max_per_call: int
    # Payload fields that tell apart two tasks `matches` cannot (e.g. a note): the reconciler
    # first pairs tasks that match on these too, so each request gets its own task.
    strict_match_fields: tuple[str, ...]

    def resolve(self, rows: Sequence[TTaskRow]) -> Resolution:
        """Fill `user_id`/`contact_id` from emails (and check ids the vendor can list)."""
        ...

    def group_key(self, row: TTaskRow) -> Hashable | None:
        """Rows with equal keys may share one call; None means the row needs a call of its own."""
        ...

    def distinct_key(self, row: TTaskRow) -> str:
        """Within one shared call this must differ between rows, so answers map back."""
        ...

    def call_name(self, rows: Sequence[TTaskRow]) -> str:
        """The endpoint a call of these rows goes to (for progress, plans and errors)."""
        ...

    def payload(self, row: TTaskRow) -> dict[str, Any]:
        """The resolved task as stored in the ledger and matched during reconciliation."""
        ...

    def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
        """Make one create call and say, per row, what it did.

        Raises:
            BadRequestError: a call of several rows was refused (nothing was created).
            FatalApiError: the vendor did not act and the run must stop (401/403, ...).
        """
        ...

    def search_created(self, contacts: Sequence[str]) -> SearchResult:
        """Every task the vendor holds for these contacts, or None when that cannot be known."""
        ...

    def matches(self, sent: SentTask, task: dict[str, Any], *, skew_seconds: float) -> bool:
        """Whether `task` is what the create for `sent` would have made."""
        ...

    def task_id(self, task: dict[str, Any]) -> str: ...

    def contact_of(self, payload: dict[str, Any]) -> str: ...


def call_outcome(
    name: str,
    rows: Sequence[TTaskRow],
    create: Callable[[], SendOutcome],
    *,
    refused: Callable[[BadRequestError], None] | None = None,
    row_statuses: tuple[int, ...] = (400, 422),
) -> SendOutcome:
    """Make one create call (`create`, which reads the answer) and read its failure the way the
    engine expects, for every vendor's `send`:

    - a refusal (`BadRequestError`) is first shown to `refused` (which may raise instead); a
      refused call of several rows is raised, nothing was created and the engine halves it; a
      refused single row (one of `row_statuses`) is that row's rejection, in the vendor's words;
    - other fatal errors (401/403, a spent quota) are raised: the run stops;
    - anything else (5xx, dropped connection, unreadable answer) leaves every row unknown, to be
      reconciled.
    """
    ids = [r["request_id"] for r in rows]
    try:
        return create()
    except BadRequestError as exc:
        if refused is not None:
            refused(exc)
        if len(rows) > 1 or exc.status not in row_statuses:
            raise
        reason = f"{name} refused the task ({exc.status}): {exc.vendor_message}"
        return SendOutcome(rejected={ids[0]: reason})
    except FatalApiError:
        raise
    except VendorApiError as exc:
        return SendOutcome(unknown=dict.fromkeys(ids, str(exc)))
