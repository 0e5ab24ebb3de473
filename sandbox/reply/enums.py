"""Reply.io's enums as the emulator reads them: numeric codes and the names it answers with.

Facts relied on (VENDOR-SPECS.md §1.4, RS @1,697,800 ff.; the integers from seed 004 and the
older pages):
- `taskType`: `toDo, call, meeting, linkedIn, manualEmail, sms, whatsApp` (0, 2, 4, 5, 7, 8, 9).
- `status`: `new, finished, cancelled, archived, sequenceDetached` (0, 1, 3, 4, 5).
- `linkedInTaskType`: `message, connect, inMail, viewProfile` (0-3; LinkedIn tasks only).
- `creationSource` (detail only): `user, sequence, meeting` (0-2).
"""

from __future__ import annotations

from collections.abc import Mapping

TASK_TYPES: Mapping[int, str] = {
    0: "toDo",
    2: "call",
    4: "meeting",
    5: "linkedIn",
    7: "manualEmail",
    8: "sms",
    9: "whatsApp",
}
TODO, LINKEDIN = 0, 5
STATUSES: Mapping[int, str] = {
    0: "new",
    1: "finished",
    3: "cancelled",
    4: "archived",
    5: "sequenceDetached",
}
NEW, FINISHED, CANCELLED, ARCHIVED, DETACHED = 0, 1, 3, 4, 5
LINKEDIN_TASK_TYPES: Mapping[int, str] = {0: "message", 1: "connect", 2: "inMail", 3: "viewProfile"}
SOURCES: Mapping[int, str] = {0: "user", 1: "sequence", 2: "meeting"}

# The answer fields holding an enum code, and their tables.
TASK_ENUM_FIELDS: Mapping[str, Mapping[int, str]] = {
    "taskType": TASK_TYPES,
    "status": STATUSES,
    "linkedInTaskType": LINKEDIN_TASK_TYPES,
    "creationSource": SOURCES,
}


def code_of(value: object, table: Mapping[int, str], accept: str) -> int | None:
    """The code `value` stands for under `accept` (`numbers`, `strings` or `both`), or None.

    A number must be a JSON integer (not a bool); a name matches case-insensitively, as
    ASP.NET's enum binding does.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value if accept != "strings" and value in table else None
    if isinstance(value, str) and accept != "numbers":
        wanted = value.strip().lower()
        for code, name in table.items():
            if name.lower() == wanted:
                return code
    return None


def accepted(table: Mapping[int, str], accept: str) -> str:
    """What a caller may send for one of `table`, for an error message."""
    numbers = ", ".join(f"{code} ({name})" for code, name in table.items())
    names = ", ".join(table.values())
    return {"numbers": numbers, "strings": names}.get(accept, f"{numbers} or their names")
