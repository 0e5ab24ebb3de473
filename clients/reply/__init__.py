"""Reply.io API 3.0 facts shared by the source and the sink, and nothing else.

- `endpoints`: paths under `/v3` and the names the client counts them under.
- `enums`: task types, LinkedIn subtypes, statuses, task sources (numbers <-> Reply's names).
- `paging`: `top`/`skip` with `hasMore`, the page cap, the paginator every Reply list goes through.
- `profile`: Reply's HTTP facts for the shared client core (auth schemes, limits, 429s).
- `problems`: the fields of Reply's `application/problem+json` errors.
- `lookups`: contacts by email (the sink resolves `contact_email` through it).
"""
