"""Apollo.io's enumerated values, each written once.

Facts relied on (Apollo's API reference, "Create a Task" and "Search for Tasks"):
- Task `type`: seven values; older docs list only three of them.
- `status`: `scheduled` for future work, `completed` or `skipped` for done work.
- `priority`: `high`, `medium` (the default), `low`.
- `open_factor_names[]=task_types` adds `faceting.task_types` counts to a search; the facet
  `value`s (`contact_call`, `contact_action_item`) differ from the task `type`s they count.
- Sort fields of task search: `task_due_at` (most future first), `task_priority` (highest first).
- `created_from` is untyped; values seen `api`, `zp_ui` (also for an API-made task, live) and
  null (VENDOR-SPECS 3.3, fact 10): it tells nothing reliable, so nothing here names it.
"""

from __future__ import annotations

TASK_TYPES: tuple[str, ...] = (
    "call",
    "outreach_manual_email",
    "linkedin_step_connect",
    "linkedin_step_message",
    "linkedin_step_view_profile",
    "linkedin_step_interact_post",
    "action_item",
)
TASK_STATUSES: tuple[str, ...] = ("scheduled", "completed", "skipped")
TASK_PRIORITIES: tuple[str, ...] = ("high", "medium", "low")

TASK_TYPES_FACET = "task_types"
# Facet values of `task_types` and the task `type` each counts.
FACET_TO_TASK_TYPE: dict[str, str] = {
    "contact_call": "call",
    "outreach_manual_email": "outreach_manual_email",
    "contact_action_item": "action_item",
    "linkedin_step_connect": "linkedin_step_connect",
    "linkedin_step_message": "linkedin_step_message",
    "linkedin_step_view_profile": "linkedin_step_view_profile",
    "linkedin_step_interact_post": "linkedin_step_interact_post",
}

SORT_BY_DUE_AT = "task_due_at"
SORT_BY_PRIORITY = "task_priority"
