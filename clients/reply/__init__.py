"""Reply.io API v3 facts shared by the source and the sink, and nothing else.

- `endpoints`: paths under `/v3` and the names the client counts them under.
- `enums`: task types, LinkedIn subtypes, statuses, creation sources (numbers <-> Reply's names).
- `tasks`: the list item vs detail shapes of a task, and the filter window.
- `paging`: `top`/`skip` with `hasMore`, the page cap, the paginator every Reply list goes through.
- `profile`: Reply's HTTP facts for the shared client core (auth schemes, limits, 429s).
- `problems`: the fields of Reply's `application/problem+json` errors.
- `lookups`: contacts by email (the sink resolves `contact_email` through it).
- `users`: the team's users (`whoami/team-users`), owners' names and emails.
"""
