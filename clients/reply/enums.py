"""Reply.io's enumerated values (numbers and names), each written once.

Facts relied on (VENDOR-SPECS.md §1.4, RS @1,697,800 ff.): API v3 sends and reads every enum as
a camelCase **string**; older pages (seed 004, RD complete-a-task) show integers, so both forms
are read (`code_of`, `name_of`) and the integer stays the code we store beside the name.
- `taskType`: `toDo, call, meeting, linkedIn, manualEmail, sms, whatsApp` (0, 2, 4, 5, 7, 8, 9;
  the numbers 1, 3 and 6 are not documented).
- `status`: `new, finished, cancelled, archived, sequenceDetached` (0, 1, 3, 4, 5; no 2). A
  deleted task is `cancelled` (open) or `archived` (finished) and leaves the task lists
  (RS @1,723,200).
- `linkedInTaskType` (LinkedIn tasks only): `message, connect, inMail, viewProfile` (0-3).
- `creationSource` (detail only): `user, sequence, meeting` (0-2).
Names are matched case-insensitively (`ToDo` in seed 004, `toDo` in v3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sales_tasks.clients.core.values import lenient_int

TASK_TYPES: Mapping[int, str] = {
    0: "toDo",
    2: "call",
    4: "meeting",
    5: "linkedIn",
    7: "manualEmail",
    8: "sms",
    9: "whatsApp",
}
LINKEDIN = 5
LINKEDIN_TASK_TYPES: Mapping[int, str] = {
    0: "message",
    1: "connect",
    2: "inMail",
    3: "viewProfile",
}
TASK_STATUSES: Mapping[int, str] = {
    0: "new",
    1: "finished",
    3: "cancelled",
    4: "archived",
    5: "sequenceDetached",
}
CREATION_SOURCES: Mapping[int, str] = {0: "user", 1: "sequence", 2: "meeting"}
STATUS_NEW = 0
# What a deleted task becomes (RS @1,723,200): it no longer shows in any task list.
DELETED_STATUSES = frozenset({3, 4})
SOURCE_USER = 0


def code_of(enum: Mapping[int, str], value: Any) -> int | None:
    """The number of `value` in `enum`: from a number (`2`, `"2"`) or a name (`"call"`, `"Call"`).

    None when `value` is empty or names no member (an unknown number is None too).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        wanted = value.strip().lower()
        return next((code for code, name in enum.items() if name.lower() == wanted), None)
    code = lenient_int(value)
    return code if code in enum else None


def name_of(enum: Mapping[int, str], value: Any) -> str | None:
    """Reply's name of `value` (a number or a name in any case), or None when unknown."""
    code = code_of(enum, value)
    return None if code is None else enum[code]
