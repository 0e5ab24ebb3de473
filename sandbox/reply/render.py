"""Reply.io answers: a task's detail, a task's list item, a contact, a team user, as JSON.

Facts relied on (VENDOR-SPECS.md §1.4-1.6; RS = Reply's OpenAPI 3.1 bundle):
- The detail (`Task`, RS @1,700,500; GET by id and create): `id`, `contactId`, `taskType`,
  `status`, `linkedInTaskType`, `sequenceId`, `sequenceStepId`, `sequenceStepDisplayName`,
  `assignedUserId`, `creationSource`, `createdAt`, `startAt`, `dueTo`, `finishedAt`,
  `isFailed`, `isScheduled`, `template {body, subject, attachmentIdList}` (raw; the final text
  once finished), `content` (rendered, only with `includeContent=true`, else null),
  `deliveryInfo`.
- A list and filter item (`TaskListItemResponse`, RS @1,691,500) is a summary: `id`,
  `taskType`, `status`, `linkedInTaskType`, `assignedUserId`, `contact {id, fullName}` (null
  without a contact), `startAt`, `dueTo`, `finishedAt`, `isScheduled`, `sequenceId`,
  `sequenceStepId`; nothing else.
- Enums are camelCase strings (`enum_answers = "strings"`); older pages show integers
  (`"numbers"`, a switch).
- A contact (RS @598,500): `id`, `email`, `firstName`, `lastName`, `phone`, `title`, `company`,
  `linkedInUrl`, `ownerUserId`, `createdAt`, ... (the ones the emulator keeps).
- A team user (RS @1,750,000): `{teamId, teamName, userId, userName, userEmail}`.

Guesses: `fullName` is "first last" (the spec does not say how it is made).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sales_tasks.sandbox.reply import enums as E
from sales_tasks.sandbox.reply.data import render_template
from sales_tasks.sandbox.reply.store import TTask

LIST_ITEM_FIELDS = (
    "id",
    "taskType",
    "status",
    "linkedInTaskType",
    "assignedUserId",
    "contact",
    "startAt",
    "dueTo",
    "finishedAt",
    "isScheduled",
    "sequenceId",
    "sequenceStepId",
)


def _named(out: dict[str, Any], as_strings: bool) -> dict[str, Any]:
    if as_strings:
        for name, table in E.TASK_ENUM_FIELDS.items():
            if name in out and out[name] is not None:
                out[name] = table.get(out[name], out[name])
    return out


def task(t: TTask, as_strings: bool, contact: dict[str, Any] | None = None) -> dict[str, Any]:
    """The detail of task `t`; with `contact`, `content` is its rendered template."""
    out = {k: v for k, v in t.items() if not k.startswith("_")}
    out["template"] = dict(t["template"])
    if out["deliveryInfo"] is not None:
        out["deliveryInfo"] = dict(out["deliveryInfo"])
    if contact is not None:
        tpl = t["template"]
        out["content"] = {
            "body": render_template(tpl["body"], contact),
            "subject": render_template(tpl["subject"], contact) if tpl["subject"] else None,
        }
    return _named(out, as_strings)


def list_item(t: TTask, as_strings: bool, contacts: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    """The summary of task `t` that lists and filters answer."""
    contact = contacts.get(t["contactId"]) if t["contactId"] is not None else None
    summary = None if contact is None else {"id": contact["id"], "fullName": full_name(contact)}
    out = {name: (summary if name == "contact" else t[name]) for name in LIST_ITEM_FIELDS}
    return _named(out, as_strings)


def full_name(contact: Mapping[str, Any]) -> str | None:
    name = " ".join(p for p in (contact.get("firstName"), contact.get("lastName")) if p)
    return name or None


CONTACT_FIELDS = (
    "id",
    "email",
    "firstName",
    "lastName",
    "company",
    "title",
    "phone",
    "linkedInUrl",
    "createdAt",
)


def contact(c: dict[str, Any]) -> dict[str, Any]:
    """A contact as `GET /v3/contacts` answers it (the fields the emulator keeps)."""
    return {k: c[k] for k in CONTACT_FIELDS}


def team_user(user: Mapping[str, Any], team: tuple[int, str]) -> dict[str, Any]:
    """One entry of `GET /v3/whoami/team-users`."""
    return {
        "teamId": team[0],
        "teamName": team[1],
        "userId": user["id"],
        "userName": f"{user['firstName']} {user['lastName']}",
        "userEmail": user["email"],
    }
