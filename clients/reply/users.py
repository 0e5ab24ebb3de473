"""Reply.io's users: `GET /v3/whoami/team-users`, the only documented mapping of the integer
`assignedUserId` of a task to a name and an email.

Facts relied on (VENDOR-SPECS.md §1.6, RS @1,750,000): no scope needed; 200 answers a flat
**array** (no paging envelope) of `{teamId, teamName, userId, userName, userEmail}`, all
required; 403 `workspace.forbidden` or `workspace.organizationRequired` when the key may not
list them.
"""

from __future__ import annotations

from typing import Any, TypedDict

from sales_tasks.clients.core import InvalidResponseError
from sales_tasks.clients.core.paginators import JsonRequester
from sales_tasks.clients.core.values import lenient_int
from sales_tasks.clients.reply.endpoints import TEAM_USERS, quota_key


class TTeamUser(TypedDict):
    """One user of the caller's teams, as the `users` table holds it."""

    id: int
    name: str | None
    email: str | None
    team_id: int | None
    team_name: str | None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def team_user(item: Any) -> TTeamUser | None:
    """One `team-users` entry as a `TTeamUser`, or None when it has no integer `userId`."""
    if not isinstance(item, dict):
        return None
    user_id = lenient_int(item.get("userId"))
    if user_id is None or isinstance(item.get("userId"), bool):
        return None
    return TTeamUser(
        id=user_id,
        name=_text(item.get("userName")),
        email=_text(item.get("userEmail")),
        team_id=lenient_int(item.get("teamId")),
        team_name=_text(item.get("teamName")),
    )


def team_users(client: JsonRequester) -> tuple[list[TTeamUser], int]:
    """The users of the caller's teams, each once by id, and how many entries had no user id.

    Raises:
        InvalidResponseError: the answer is not a JSON array.
        VendorApiError: as the client raises it (403 when the key may not list users).
    """
    body = client.request_json("GET", TEAM_USERS, endpoint=quota_key(TEAM_USERS))
    if not isinstance(body, list):
        raise InvalidResponseError(
            f"Reply {quota_key(TEAM_USERS)} answered JSON that is not an array of users",
            endpoint=quota_key(TEAM_USERS),
        )
    users: dict[int, TTeamUser] = {}
    unreadable = 0
    for item in body:
        user = team_user(item)
        if user is None:
            unreadable += 1
        else:
            users.setdefault(user["id"], user)
    return [users[i] for i in sorted(users)], unreadable
