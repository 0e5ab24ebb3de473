"""Reply.io answers: a task and a contact as JSON, enums as numbers or names.

The task detail (seed 004, "returned by GET by ID, Create, and Update"): `id`, `contactId`,
`taskType`, `status`, `linkedInTaskType` (LinkedIn only, else null), `sequenceId`,
`sequenceStepId`, `sequenceStepName`, `assignedUserId`, how it was created, `createdAt`,
`startAt`, `dueTo`, `completedAt` (null while active), `isFailed`, `isScheduled`, `template`
(raw; the final content once finished), `content` (rendered; only with `includeContent=true`,
else null) and the delivery target.

Guesses (the seed names no field for these): `source` for how it was created (0 User,
1 Sequence, 2 Meeting), `delivery` as `{"email"}` (ManualEmail), `{"phone"}` (Call, SMS) or
`{"linkedInUrl"}` (LinkedIn), null otherwise; `template` as `{subject, body}` (the create
request's shape). Enum fields answer codes (`enum_answers = "numbers"`, the seed) or the beta
docs' names (`"strings"`).
"""

from __future__ import annotations

from typing import Any

from sandbox.reply import enums as E
from sandbox.reply.data import render_template
from sandbox.reply.store import TTask


def task(t: TTask, as_strings: bool, contact: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer for task `t`; with `contact`, `content` is its rendered template."""
    out = {k: v for k, v in t.items() if not k.startswith("_")}
    out["template"] = dict(t["template"])
    if as_strings:
        for name, table in E.TASK_ENUM_FIELDS.items():
            if out[name] is not None:
                out[name] = table.get(out[name], out[name])
    if contact is not None:
        tpl = t["template"]
        out["content"] = {
            "subject": render_template(tpl["subject"], contact) if tpl["subject"] else None,
            "body": render_template(tpl["body"], contact),
        }
    return out


CONTACT_FIELDS = (
    "id",
    "email",
    "firstName",
    "lastName",
    "company",
    "title",
    "phone",
    "linkedInProfile",
    "createdAt",
)


def contact(c: dict[str, Any]) -> dict[str, Any]:
    """A contact (prospect) as `GET /v3/contacts` answers it (a guess: no v3 contact is public)."""
    return {k: c[k] for k in CONTACT_FIELDS}
