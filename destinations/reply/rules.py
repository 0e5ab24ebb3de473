"""The input contract of a Reply.io push: which columns, names and values a row may use, and
Reply's own rules, checked before any call (a row Reply would refuse costs no request).

Facts relied on (VENDOR-SPECS.md §1.4, `TaskCreateRequest` RS @1,697,800; the numbers and
names are `sales_tasks.clients.reply.enums`):
- `taskType` `toDo, call, meeting, linkedIn, manualEmail, sms, whatsApp` (0, 2, 4, 5, 7, 8, 9 on
  older pages); `linkedInTaskType` `message, connect, inMail, viewProfile` (0-3), "only for
  LinkedIn tasks".
- `startAt` "must be on or after 2015-01-01"; `dueTo` "must be after startAt".
- `template.body` "is required" (handlebars such as `{{firstName}}` are Reply's to resolve, so
  the body is sent as given); `template.subject` is optional.
- `contactId` is Reply's integer contact id.
- Create has no status (a new task is New), no priority and no assignee (an organization key
  acts for one user through the `X-User-Id` / `X-User-Email` headers, a setting of the run).

Decided here (the docs do not say): a LinkedIn task must name its subtype (the task detail
carries `linkedInTaskType` "for LinkedIn tasks", and which action Reply would pick without one is
unknown); `start_at` is required (the docs give it no default, and a create whose answer was lost
is found again by its start time). Values without a UTC offset are taken as UTC.

Input columns (contract column <- also accepted): `note` <- `body`, `title` <- `subject`,
`due_at` <- `due_to`, and `type` <- `task_type` (every vendor); extras `start_at`,
`linkedin_task_type`. The shared task vocabulary (`sales_tasks.clients.vocabulary`, e.g.
`linkedin_connect`) maps to Reply's codes as text, LinkedIn subtypes as `5.N`; `check` splits
those into taskType 5 and linkedInTaskType N.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from sales_tasks.clients.reply.enums import LINKEDIN, LINKEDIN_TASK_TYPES, TASK_STATUSES, TASK_TYPES
from sales_tasks.clients.vocabulary import accepted_names, unsupported
from sales_tasks.destinations.core.contract import InputRules, TTaskRow, iso_utc, show

VENDOR = "reply"
START_AT_EARLIEST = datetime(2015, 1, 1, tzinfo=UTC)
LINKEDIN_CODE = str(LINKEDIN)
NEW = "0"  # the status of every created task
# Reply's ids are integers; 18 digits keep them within a signed 64-bit integer.
_CONTACT_ID = re.compile(r"0*([1-9][0-9]{0,17})")


def _spellings(enum: Mapping[int, str]) -> dict[str, str]:
    """Reply's names of an enum, as a row may write them (`call`, `manualEmail`, `manual_email`)
    -> the code as text."""
    names: dict[str, str] = {}
    for code, name in enum.items():
        names[name.lower()] = str(code)
        names[re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()] = str(code)
    return names


TYPE_CODES = frozenset(
    {str(code) for code in TASK_TYPES} | {f"{LINKEDIN}.{code}" for code in LINKEDIN_TASK_TYPES}
)
LINKEDIN_CODES = frozenset(str(code) for code in LINKEDIN_TASK_TYPES)
TYPE_NAMES = {**_spellings(TASK_TYPES), **accepted_names(VENDOR, "type")}
LINKEDIN_NAMES = _spellings(LINKEDIN_TASK_TYPES)


def type_name(code: str) -> str:
    """Reply's name of a task type code (`2` -> `call`), for messages."""
    return TASK_TYPES.get(int(code), code) if code.isdigit() else code


def _instant(column: str, value: str) -> tuple[datetime | None, str | None]:
    """An ISO 8601 date-time as an aware UTC instant (no offset: UTC), or why it is not one."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, (
            f"bad {column} {show(value)}: not an ISO 8601 date-time"
            " (e.g. 2025-02-15T08:10:30Z or 2025-02-15T10:10:30+02:00)"
        )
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC), None
    except (OverflowError, ValueError):
        return None, f"{column} {show(value)} is outside the years Reply accepts: give a later one"


def _linkedin_problem(task: TTaskRow) -> str | None:
    """Split `5.N` into taskType 5 and linkedInTaskType N; the subtype only on LinkedIn tasks."""
    extra = task["extra"]
    given = extra.get("linkedin_task_type")
    if given is not None:
        given = LINKEDIN_NAMES.get(given.strip().lower(), given.strip())
        if given not in LINKEDIN_CODES:
            names = ", ".join(f"{c} ({n})" for c, n in LINKEDIN_TASK_TYPES.items())
            return f"unknown linkedin_task_type {show(given)}: use one of {names}"
    code = task["type"]
    if "." in code:
        code, _, implied = code.partition(".")
        if given is not None and given != implied:
            return (
                f"linkedin_task_type {show(given)} contradicts type {show(task['type'])}"
                f" (LinkedIn {LINKEDIN_TASK_TYPES[int(implied)]}): give one of them"
            )
        given = implied
    task["type"] = code
    extra["linkedin_task_type"] = given
    if code == LINKEDIN_CODE and given is None:
        return (
            "missing linkedin_task_type on a LinkedIn task: give message, connect, inMail or"
            " viewProfile (0-3)"
        )
    if code != LINKEDIN_CODE and given is not None:
        return (
            f"linkedin_task_type {show(given)} given on a {type_name(code)} task: only LinkedIn"
            " tasks have one; leave it empty or use type linkedIn"
        )
    return None


def check_reply_task(task: TTaskRow) -> str | None:
    """Reply's cross-field rules on a validated row (normalises `task` in place), or why not."""
    if task["status"] != NEW:
        return (
            f"status {show(task['status'])} given, but Reply creates every task as New (its"
            " create has no status): leave status empty"
        )
    if task["user_id"] or task["user_email"]:
        return (
            "user given, but Reply's create has no assignee: leave user_id/user_email empty (an"
            " organization key acts for one user through the user_id/user_email settings)"
        )
    problem = _linkedin_problem(task)
    if problem is not None:
        return problem
    if task["note"] is None:
        return (
            "missing body: Reply requires a template body (handlebars like {{firstName}} are kept)"
        )
    contact = task["contact_id"]
    if contact is not None:
        found = _CONTACT_ID.fullmatch(contact)
        if found is None:
            return (
                f"contact_id {show(contact)} is not a Reply contact id (a positive integer):"
                " give the id, or contact_email instead"
            )
        task["contact_id"] = found.group(1)
    extra = task["extra"]
    raw_start = extra.get("start_at")
    if raw_start is None:
        return "missing start_at: give an ISO 8601 date-time such as 2025-02-15T08:10:30Z"
    start, problem = _instant("start_at", raw_start)
    if start is None:
        return problem
    if start < START_AT_EARLIEST:
        return f"start_at {show(raw_start)} is before 2015-01-01, which Reply refuses: give a later one"
    due, _ = _instant("due_to", task["due_at"] or "")
    if due is None or due <= start:
        return (
            f"due_to {show(task['due_at'] or '')} is not after start_at {show(raw_start)}: Reply"
            " wants the due time after the start"
        )
    extra["start_at"] = iso_utc(start)
    return None


REPLY_RULES = InputRules(
    task_types=TYPE_CODES,
    statuses=frozenset(str(code) for code in TASK_STATUSES),
    priorities=frozenset(),
    default_status=NEW,
    needs_user=False,
    due_at_earliest=START_AT_EARLIEST,
    columns={"note": ("body",), "title": ("subject",), "due_at": ("due_to",)},
    extra_columns=("start_at", "linkedin_task_type"),
    number_columns=frozenset({"type", "linkedin_task_type"}),
    datetime_columns=frozenset({"start_at"}),
    names={
        "type": TYPE_NAMES,
        "status": {**_spellings(TASK_STATUSES), **accepted_names(VENDOR, "status")},
        "priority": accepted_names(VENDOR, "priority"),  # only `none`: Reply has no priority
        "linkedin_task_type": LINKEDIN_NAMES,
    },
    unsupported={
        kind: reasons
        for kind in ("type", "status", "priority")
        if (reasons := unsupported(VENDOR, kind))
    },
    check=check_reply_task,
)
