"""Apollo.io API facts shared by the source and the sink, and nothing else.

- `endpoints`: paths and the names Apollo's quotas count them under.
- `enums`: task types, statuses, priorities, facet values, sort fields.
- `paging`: page sizes, the display cap and the paginator every Apollo list goes through.
- `lookups`: users search and contacts search (emails to ids).
- `profile`: Apollo's HTTP facts for the shared client core (auth, rate-limit headers, 429s).
"""
