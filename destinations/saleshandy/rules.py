"""The input contract of a Saleshandy push (`sales_tasks.destinations.core.contract.InputRules`).

Facts relied on (Saleshandy's "Create Task", seed 003; `sales_tasks.clients.saleshandy.enums`):
- `taskType` is a string code "2".."18" (not "1", "7", "8", "10"); `priority` "1" urgent ..
  "4" low, none when omitted; `dueDate` is `YYYY-MM-DD`, "today" when omitted; `taskNote` text.
  No assignee, status or title: a task is created open, for the key's user.
- The time zone of `dueDate` is undocumented: a timestamp is turned into a date in the push's
  `time_zone`, and an empty due date is filled with today there, so every task is sent with an
  explicit date and reconciliation can compare it.

Input columns: Saleshandy's names (`prospect_id`, `prospect_email`, `task_type`, `due_date`,
`task_note`) or the contract's (`contact_id`, `type`, `due_at`, `note`...). `task_type` and
`priority` take the code (text or a whole number), a readable name (`call_follow_up`, `Call
follow-up`, `urgent`) or a name of the shared vocabulary (`sales_tasks.clients.vocabulary`: `call`,
`linkedin_connect`, `todo`, priority `none`); shared names Saleshandy has no equivalent for
(`email`, `sms`, `meeting`) reject the row with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sales_tasks.clients import vocabulary
from sales_tasks.clients.saleshandy.enums import PRIORITIES, TASK_TYPE_TITLES, TASK_TYPES
from sales_tasks.destinations.core.contract import InputRules, TTaskRow, show

VENDOR = "saleshandy"
# Saleshandy creates every task open; the contract's status column must be empty or `open`.
OPEN = "open"
# The due dates a row may ask for (as the core's window for other vendors).
EARLIEST_DUE = date(1970, 1, 1)
LATEST_DUE = date(2099, 12, 31)
_INFINITE = frozenset({"infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"})


def _spellings(name: str) -> set[str]:
    """`call_follow_up` also as `call follow up`, `call-follow-up`; lower case."""
    low = name.strip().lower()
    return {low, low.replace("_", " "), low.replace("_", "-")}


def type_names() -> dict[str, str]:
    """Accepted spellings of a task type -> its code: Saleshandy's names and titles, then the
    shared vocabulary's names (which never override Saleshandy's own)."""
    names: dict[str, str] = {}
    for code, name in TASK_TYPES.items():
        for spelling in _spellings(name) | _spellings(TASK_TYPE_TITLES[code]):
            names[spelling] = code
    for shared, code in vocabulary.accepted_names(VENDOR, "type").items():
        for spelling in _spellings(shared):
            names.setdefault(spelling, code)
    return names


def priority_names() -> dict[str, str]:
    """Accepted spellings of a priority -> its code ("" is none: the field is left out)."""
    names = {name: code for code, name in PRIORITIES.items()}
    for shared, code in vocabulary.accepted_names(VENDOR, "priority").items():
        names.setdefault(shared, code)
    return names


def _today(zone: ZoneInfo) -> date:
    return datetime.now(zone).date()


def due_date_parser(zone: ZoneInfo) -> Callable[[Any], tuple[str, bool]]:
    """Reads a due date as Saleshandy's `YYYY-MM-DD`; the flag says a timestamp was converted.

    A date (DATE, or text `2026-04-22`) is taken as it is. A timestamp with an offset (or a
    TIMESTAMPTZ) is converted to `zone` first; a naive one is read as wall time in `zone`.
    """

    def outside(given: str) -> ValueError:
        return ValueError(
            f"due_date {show(given)} is outside {EARLIEST_DUE}..{LATEST_DUE}: give a due date"
            " in that window"
        )

    def checked(day: date, given: str) -> str:
        if not EARLIEST_DUE <= day <= LATEST_DUE:
            raise outside(given)
        return day.isoformat()

    def from_datetime(moment: datetime, given: str) -> tuple[str, bool]:
        if moment.tzinfo is not None and moment.utcoffset() is not None:
            try:
                moment = moment.astimezone(zone)
            except (OverflowError, ValueError):
                raise outside(given) from None
        return checked(moment.date(), given), True

    def parse(value: Any) -> tuple[str, bool]:
        if isinstance(value, datetime):
            return from_datetime(value, value.isoformat())
        if isinstance(value, date):
            return checked(value, value.isoformat()), False
        text = str(value).strip()
        if text.lower() in _INFINITE:
            raise ValueError(
                f"bad due_date {show(text)}: not a finite date; give one such as 2026-04-22"
            )
        if len(text) == 10:
            try:
                return checked(date.fromisoformat(text), text), False
            except ValueError:
                pass
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"bad due_date {show(text)}: not a date (YYYY-MM-DD, e.g. 2026-04-22) or an"
                " ISO 8601 timestamp"
            ) from None
        return from_datetime(moment, text)

    return parse


def _normalise(zone: ZoneInfo) -> Callable[[TTaskRow], str | None]:
    def check(task: TTaskRow) -> str | None:
        if task["priority"] == "":
            task["priority"] = None  # the shared `none`: Saleshandy's "no priority"
        if task["due_at"] is None:
            # Saleshandy's default, made explicit so reconciliation knows the date to look for.
            task["due_at"] = _today(zone).isoformat()
        return None

    return check


def saleshandy_rules(zone: ZoneInfo) -> InputRules:
    """The contract of a push whose dates are in `zone`."""
    return InputRules(
        task_types=frozenset(TASK_TYPES),
        statuses=frozenset({OPEN}),
        priorities=frozenset(PRIORITIES),
        default_status=OPEN,
        default_priority=None,
        needs_user=False,
        columns={
            "contact_id": ("prospect_id",),
            "contact_email": ("prospect_email",),
            "type": ("task_type",),
            "due_at": ("due_date",),
            "note": ("task_note",),
        },
        number_columns=frozenset({"type", "priority"}),
        names={
            "type": type_names(),
            "priority": priority_names(),
            "status": vocabulary.accepted_names(VENDOR, "status"),
        },
        unsupported={kind: vocabulary.unsupported(VENDOR, kind) for kind in vocabulary.KINDS},
        due_required=False,
        parse_due=due_date_parser(zone),
        check=_normalise(zone),
    )
