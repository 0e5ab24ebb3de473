"""Apollo.io task endpoints: search (current and legacy), create, bulk create.

Facts relied on (NOTES.md section 1, seed 002, the OpenAPI subset):
- `POST /api/v1/tasks/search`: params in the query string (documented) or a JSON body; `page`,
  `per_page` only in the query unless `body_paging` is `honour` (VENDOR-SPECS 3.4: documented in
  the query only; recorded traffic saw a body honoured), `sort_by_field` (`task_due_at` most
  future first, `task_priority` highest first; without it an undocumented order,
  `default_order`), `open_factor_names[]=task_types` adds `faceting.task_types` counts. `per_page` over the
  limit (100 per current docs) -> 422 `Per page not supported`. Display limit 50,000 records /
  500 pages; past it: empty page or 422 (unknown, a switch). `pagination.total_entries` is the true
  total. Undocumented filters `user_ids`, `task_type_cds`, `contact_ids` are honoured or silently
  ignored (a switch); `breadcrumbs` echo honoured filters.
- Legacy `GET /v1/tasks/search`: `per_page` up to 200; seed 002 calls `open_factor_names`
  required, but a bare `GET /v1/tasks/search` answered 200 in a live trial (reported with issue 19), so it is required only
  with `require_open_factor_names`, as on the POST.
- Recorded traffic: `GET /api/v1/tasks/search` answers like the POST; a GET without `per_page`
  gets 10 (`config.get_default_per_page`); numbers may come as strings (`"page": "2"`).
- `created_from` of API-made tasks is `api` (create examples), `zp_ui` (recorded live) or null
  (search examples): `config.created_from` (VENDOR-SPECS 3.3, fact 10).
- `POST /api/v1/tasks` -> `{"task": {...}, "team": {"id", "tasks_finder_empty"}}` (recorded; the
  docs show only `task`); a create without `status` is accepted and stored as null (recorded;
  `create_requires_status` plays the docs). `POST /api/v1/tasks/bulk_create` -> `{"success":
  true, "tasks": [...]}` one per contact id in order (`contact_ids` as a JSON array or
  `contact_ids[]` in the query); bulk ignores `title`. No deduplication.
- Default `per_page` of a POST is not documented; the sandbox uses `config.default_per_page` (100).
- Answers grow: tasks carry keys no doc lists (`call_script`, `relevant_fields`, `pending_send`)
  and faceting an `overdue_tasks` facet, as a later recording showed.
"""

from __future__ import annotations

from math import ceil
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from sales_tasks.sandbox.apollo import params as P
from sales_tasks.sandbox.apollo.data import FACET_TO_TYPE, TASK_TYPES, TYPE_FACETS
from sales_tasks.sandbox.apollo.store import Query
from sales_tasks.sandbox.core.http import Response

if TYPE_CHECKING:
    from sales_tasks.sandbox.apollo.state import ApolloState

# Empty facet lists every search answer carries (from the spec example).
EMPTY_FACETS = [
    "playbook_step_facets",
    "person_function_facets",
    "person_seniority_facets",
    "normalized_person_title_facets",
    "organization_ids_facets",
    "organization_ids_in_query_facets",
    "person_persona_facets",
    "organization_keywords_facets",
    "linkedin_industry_facets",
    "num_employees_facets",
    "revenues_facets",
    "currently_using_any_of_technology_uids_facets",
    "currently_using_all_of_technology_uids_facets",
    "currently_not_using_any_of_technology_uids_facets",
    "added_technology_uids_facets",
    "dropped_technology_uids_facets",
    "latest_funding_stage_facets",
    "person_city_facets",
    "person_state_facets",
    "person_country_facets",
    "organization_hq_city_facets",
    "organization_hq_state_facets",
    "organization_hq_country_facets",
]
SORTS = {"task_due_at": "task_due_at", "task_priority": "task_priority"}


def error(message: str, status: int = 422) -> Response:
    return Response(status, orjson.dumps({"error": message}))


def search(app: ApolloState, params: dict[str, Any], mode: str) -> Response:
    """Tasks search; `mode` is `current` (POST), `get` (GET /api/v1) or `legacy` (GET /v1)."""
    cfg = app.cfg
    legacy = mode == "legacy"
    factors = [str(f) for f in P.as_list(params.get("open_factor_names")) or []]
    if cfg.require_open_factor_names and not factors:
        return error("open_factor_names is required")
    page = P.int_param(params, "page", 1)
    default = cfg.default_per_page if mode == "current" else cfg.get_default_per_page
    per_page = P.int_param(params, "per_page", default)
    if per_page > (cfg.legacy_max_per_page if legacy else cfg.max_per_page):
        return error("Per page not supported")
    query, crumbs = _filters(app, params)
    default_order = "created" if cfg.default_order == "newest_first" else "created_asc"
    query.sort = SORTS.get(str(params.get("sort_by_field")), default_order)
    order, type_counts = app.store.search(query, app.store.visible_created(cfg.index_lag_seconds))
    total = int(order.size)
    start = (page - 1) * per_page
    past_cap = page > cfg.max_pages or start >= cfg.max_records
    if past_cap and cfg.past_cap_behaviour == "422":
        return error(
            f"page {page} is past the display limit of {cfg.max_records} records "
            f"({cfg.max_pages} pages); narrow the search with filters"
        )
    end = 0 if past_cap else min(start + per_page, cfg.max_records, total)
    tasks = app.store.render_many(order[start:end]) if end > start else []
    pagination: dict[str, Any] = {
        "page": page,
        "per_page": per_page,
        "total_entries": total,
        "total_pages": ceil(total / per_page),
    }
    if cfg.pagination_as_strings:
        pagination = {k: str(v) for k, v in pagination.items()}
    faceting: dict[str, Any] = {name: [] for name in EMPTY_FACETS}
    if "task_types" in factors:
        faceting["task_types"] = _type_facets(type_counts)
        faceting["total_facets"] = [
            {"value": "pipeline_total", "display_name": "Total", "count": total}
        ]
        faceting["overdue_tasks"] = [
            {"value": "overdue", "display_name": "Overdue", "count": app.store.overdue(order)}
        ]
    body = b"".join(
        (
            b'{"tasks":[',
            *tasks,
            b'],"breadcrumbs":',
            orjson.dumps(crumbs),
            b',"pagination":',
            orjson.dumps(pagination),
            b',"faceting":',
            orjson.dumps(faceting),
            b',"pipeline_total":%d,"num_fetch_result":null}' % total,
        )
    )
    return Response(200, body)


def _type_facets(counts: np.ndarray) -> list[dict[str, Any]]:
    ranked = sorted(range(len(TASK_TYPES)), key=lambda code: (-int(counts[code]), code))
    return [
        {
            "value": TYPE_FACETS[TASK_TYPES[code]][0],
            "display_name": TYPE_FACETS[TASK_TYPES[code]][1],
            "count": int(counts[code]),
        }
        for code in ranked
        if counts[code]
    ]


def _filters(app: ApolloState, params: dict[str, Any]) -> tuple[Query, list[dict[str, Any]]]:
    """The store query and the breadcrumbs for the undocumented filters (if honoured)."""
    query = Query()
    crumbs: list[dict[str, Any]] = []
    if app.cfg.filters != "honour":
        return query, crumbs
    ds = app.ds
    user_ids = P.as_list(params.get("user_ids"))
    if user_ids is not None:
        query.user_idx = tuple(sorted({ds.user_index.get(str(u), -1) for u in user_ids}))
        for u in user_ids:
            idx = ds.user_index.get(str(u))
            name = " ".join(ds.user_name(idx)) if idx is not None else str(u)
            crumbs.append(_crumb("Task Owner", "user_ids", u, name))
    type_cds = P.as_list(params.get("task_type_cds"))
    if type_cds is not None:
        codes = set()
        for t in type_cds:
            create_type = FACET_TO_TYPE.get(str(t), str(t))
            code = TASK_TYPES.index(create_type) if create_type in TASK_TYPES else -1
            codes.add(code)
            display = TYPE_FACETS[create_type][1] if code >= 0 else str(t)
            crumbs.append(_crumb("Task Type", "task_type_cds", t, display))
        query.type_codes = tuple(sorted(codes))
    contact_ids = P.as_list(params.get("contact_ids"))
    if contact_ids is not None:
        found = []
        for cid in contact_ids:
            c = ds.contact_index(str(cid))
            found.append(-1 if c is None else c)
            name = " ".join(ds.contact_name(c)) if c is not None else str(cid)
            crumbs.append(_crumb("Contact", "contact_ids", cid, name))
        query.contact_idx = tuple(sorted(set(found)))
    return query, crumbs


def _crumb(label: str, field: str, value: Any, display: str) -> dict[str, Any]:
    return {"label": label, "signal_field_name": field, "value": value, "display_name": display}


def create(app: ApolloState, params: dict[str, Any], bulk: bool) -> Response:
    """Single (`{"task": ...}`) or bulk (`{"success": true, "tasks": [...]}`) create."""
    missing = [
        name for name, key in (("type", "type"), ("user", "user_id")) if P.blank(params.get(key))
    ]
    if missing:
        return error(f"{' and '.join(missing)} can not be blank")
    contacts = _contacts(app, params, bulk)
    type_code = P.task_type(params)
    status_code = P.task_status(params, required=app.cfg.create_requires_status)
    due_ms = P.due_at(params)
    priority_code = P.task_priority(params)
    note = P.optional_text(params, "note")
    title = None if bulk else P.optional_text(params, "title")
    user = app.ds.user_index.get(str(params["user_id"]))
    if user is None:
        return error(
            f"user {params['user_id']} not found in this team; use a user id from users search"
        )
    bodies = [
        app.store.create(
            user=user,
            contact=c,
            type_code=type_code,
            status_code=status_code,
            priority_code=priority_code,
            due_ms=due_ms,
            note=note,
            title=title,
            created_from=None if app.cfg.created_from == "null" else app.cfg.created_from,
        )
        for c in contacts
    ]
    if bulk:
        return Response(200, b'{"success":true,"tasks":[' + b",".join(bodies) + b"]}")
    team = orjson.dumps({"id": app.ds.team_id, "tasks_finder_empty": False})
    return Response(200, b'{"task":' + bodies[0] + b',"team":' + team + b"}")


def _contacts(app: ApolloState, params: dict[str, Any], bulk: bool) -> list[int]:
    """Contact indexes to create tasks for, in request order; raises BadInput."""
    if bulk:
        ids = params.get("contact_ids")
        if isinstance(ids, str) and ids:
            ids = [ids]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise P.BadInput("contact_ids can not be blank: send a non-empty list of contact ids")
        if len(ids) > app.cfg.max_bulk_contacts:
            raise P.BadInput(
                f"contact_ids holds {len(ids)} ids; at most {app.cfg.max_bulk_contacts} are allowed per call"
            )
    else:
        one = params.get("contact_id")
        if P.blank(one):
            raise P.BadInput("contact_id can not be blank")
        if not isinstance(one, str):
            raise P.BadInput(f"contact_id must be a string; got {one!r}")
        ids = [one]
    found = [app.ds.contact_index(cid) for cid in ids]
    unknown = [cid for cid, c in zip(ids, found, strict=True) if c is None]
    if unknown:
        noun = "contact" if len(unknown) == 1 else "contacts"
        raise P.BadInput(f"{noun} {', '.join(unknown)} not found; use ids from contacts search")
    return [c for c in found if c is not None]
