"""Apollo's part of `sales-tasks demo` (`SourceSpec.demo`): the follow-ups it pushes back, how
they are read back through Apollo's own tasks search, and an analyst's first questions.

`followups_sql` is also the input of the push examples in the docs and tests: one call task per
contact whose latest completed task is more than `days` old and who has nothing scheduled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sales_tasks.clients.apollo.endpoints import TASKS_SEARCH
from sales_tasks.clients.apollo.enums import TASK_TYPES_FACET
from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient

READ_BACK_HEADER = ("task id", "contact", "type", "due at", "created from")


def followups_sql(
    *, dataset: str = "apollo", days: int = 14, limit: int = 20, due_at: str | None = None
) -> str:
    """SQL for a small follow-up push over the extract's `tasks` table (DuckDB and PostgreSQL).

    The request_id is the contact and its last completion date, so running the demo twice asks
    for the same tasks and the second push creates nothing. `due_at` defaults to tomorrow 09:00
    UTC.
    """
    due = due_at or (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT09:00:00Z")
    return f"""
WITH ranked AS (
    SELECT t.contact_id, t.user_id, t.status,
           CAST(t.completed_at AS TIMESTAMP WITH TIME ZONE) AS done_at,
           ROW_NUMBER() OVER (
               PARTITION BY t.contact_id
               ORDER BY CAST(t.completed_at AS TIMESTAMP WITH TIME ZONE) DESC NULLS LAST
           ) AS rn
    FROM {dataset}.tasks AS t
    WHERE t.contact_id IS NOT NULL AND t.completed_at IS NOT NULL
)
SELECT 'followup-' || r.contact_id || '-' || CAST(CAST(r.done_at AS DATE) AS VARCHAR) AS request_id,
       r.user_id AS user_id,
       r.contact_id AS contact_id,
       'call' AS type,
       'scheduled' AS status,
       '{due}' AS due_at,
       'medium' AS priority,
       'Follow-up: last task completed over {int(days)} days ago' AS note
FROM ranked AS r
WHERE r.rn = 1
  AND r.done_at < CURRENT_TIMESTAMP - INTERVAL '{int(days)} days'
  AND NOT EXISTS (
      SELECT 1 FROM {dataset}.tasks AS o
      WHERE o.contact_id = r.contact_id AND o.status = 'scheduled'
  )
ORDER BY r.contact_id
LIMIT {int(limit)}
""".strip()


def demo_followups(due_day: str, dataset: str) -> str:
    """The demo's push input: ten follow-ups due `due_day` (YYYY-MM-DD) at 09:00 UTC."""
    return followups_sql(dataset=dataset, limit=10, due_at=f"{due_day}T09:00:00Z")


def read_back(sb: Any, ids: list[str]) -> list[tuple[Any, ...]]:
    """The pushed tasks as Apollo's tasks search shows them (searched by their contacts: the
    search has no filter by task id; the sandbox's hook says which contact each task is for)."""
    contact_ids = sorted({sb.task(task_id).get("contact_id") for task_id in ids} - {None})
    if not contact_ids:
        return []
    with ApiClient(sb.base_url, sb.api_key, profile=APOLLO_PROFILE) as client:
        page = client.request_json(
            "POST",
            TASKS_SEARCH,
            params=[("open_factor_names[]", TASK_TYPES_FACET), ("per_page", 100)],
            json={"contact_ids": contact_ids, "page": 1},
        )
    # Keep only ours: other tasks of these contacts, or an ignored filter, add rows.
    wanted = set(ids)
    return [
        (t["id"], (t.get("contact") or {}).get("email"), t["type"], t["due_at"], t["created_from"])
        for t in page.get("tasks", [])
        if t.get("id") in wanted
    ]


STATUS_BY_TYPE = """
SELECT type, status, count(*) AS tasks
FROM {dataset}.tasks GROUP BY ALL ORDER BY type, status
"""
OVERDUE_BY_OWNER = """
SELECT coalesce(u.email, t.user_id) AS owner,
       coalesce(nullif(u.name, ''), trim(coalesce(u.first_name, '') || ' ' ||
                coalesce(u.last_name, ''))) AS name,
       count(*) AS overdue,
       min(t.due_at) AS oldest_due
FROM {dataset}.tasks t LEFT JOIN {users} u ON u.id = t.user_id
WHERE t.status = 'scheduled' AND t.due_at < now()
GROUP BY ALL ORDER BY overdue DESC, owner LIMIT 10
"""
NO_USERS = (
    "(SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS email, NULL::VARCHAR AS name,"
    " NULL::VARCHAR AS first_name, NULL::VARCHAR AS last_name)"
)


def summarise(con: Any, dataset: str) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    """An analyst's first questions of the Apollo dataset: tasks by type and status, and the
    owners with the most overdue scheduled tasks."""
    by_type = con.sql(STATUS_BY_TYPE.format(dataset=dataset)).fetchall()
    has_users = con.execute(
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_schema = ? AND table_name = 'users'",
        [dataset],
    ).fetchall()[0][0]
    users = f"{dataset}.users" if has_users else NO_USERS
    owners = con.sql(OVERDUE_BY_OWNER.format(dataset=dataset, users=users)).fetchall()
    # "top 10" of a team of 8 read as if rows were missing: say how many owners there are.
    shown = "top 10" if len(owners) == 10 else f"all {len(owners)} owners with overdue tasks"
    return [
        ("Tasks by type and status", ("type", "status", "tasks"), by_type),
        (
            f"Overdue scheduled tasks by owner ({shown})",
            ("owner", "name", "overdue", "oldest due"),
            owners,
        ),
    ]
