"""Reply.io's enums as the emulator reads them: numeric codes and the names it answers with.

Facts relied on (seed 004, NOTES.md section 3):
- `taskType`: 0 ToDo, 2 Call, 4 Meeting, 5 LinkedIn, 7 ManualEmail, 8 Sms, 9 WhatsApp; the beta
  docs spell them `toDo`, `call`, `meeting`, `linkedIn`, `manualEmail`, `sms`, `whatsApp`.
- `status`: 0 New, 1 Finished, 3 Cancelled, 4 Archived, 5 SequenceDetached.
- `linkedInTaskType`: 0 Message, 1 Connect, 2 InMail, 3 ViewProfile (LinkedIn tasks only).
- How a task was created (the seed gives no field name; `source` here): 0 User, 1 Sequence,
  2 Meeting.

Guesses: the string spellings of statuses, LinkedIn subtypes and sources (camelCase, as the beta
docs spell task types).
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
LINKEDIN = 5
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
    "source": SOURCES,
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
