"""Reply.io's enumerated values (numbers and names), each written once.

Facts relied on (seed 004, the API 3.0 task detail; the beta docs' string forms):
- `taskType`: 0 ToDo, 2 Call, 4 Meeting, 5 LinkedIn, 7 ManualEmail, 8 Sms, 9 WhatsApp; the beta
  docs send and accept the names `toDo`, `call`, `meeting`, `linkedIn`, `manualEmail`, `sms`,
  `whatsApp` instead. The numbers 1, 3 and 6 are not documented.
- `linkedInTaskType` (LinkedIn tasks only): 0 Message, 1 Connect, 2 InMail, 3 ViewProfile.
- `status`: 0 New, 1 Finished, 3 Cancelled, 4 Archived, 5 SequenceDetached.
- How the task was created: 0 User, 1 Sequence, 2 Meeting.
- An answer may carry either form, so both are read (`code_of`, `name_of`), case-insensitively
  for names (`ToDo` in the seed, `toDo` in the beta docs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clients.core.values import lenient_int

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
    0: "Message",
    1: "Connect",
    2: "InMail",
    3: "ViewProfile",
}
TASK_STATUSES: Mapping[int, str] = {
    0: "New",
    1: "Finished",
    3: "Cancelled",
    4: "Archived",
    5: "SequenceDetached",
}
TASK_SOURCES: Mapping[int, str] = {0: "User", 1: "Sequence", 2: "Meeting"}
STATUS_NEW = 0


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
