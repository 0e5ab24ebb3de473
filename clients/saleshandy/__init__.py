"""Saleshandy API facts shared by the source and the sink, and nothing else.

- `endpoints`: paths under `/v1`.
- `enums`: task type codes and names, priorities, list filters (status, type group, sort).
- `paging`: page sizes, the paginator every Saleshandy list goes through, where a list's rows are.
- `tasks`: a task's id (`taskId`, else `id`) and prospect id (embedded or `prospectId`).
- `lookups`: prospects by email (matched exactly here), the task assignees.
- `profile`: Saleshandy's HTTP facts for the shared client core (auth, rate-limit headers, 1001).
"""
