"""One contract test per Apollo fact of `shared/api-docs/VENDOR-SPECS.md` (section 3) that the
product relies on: the fact restated here as a spec-shaped fixture written by us, checked against
the sandbox (an independent reading) and against the client's parser. Where the OpenAPI subset
(`apollo-openapi-subset.json`) is present, `test_fixture_agrees_with_the_spec` also checks our
restatement against it; without the file that check skips, saying so."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sales_tasks.clients.apollo.enums import SORT_BY_DUE_AT, SORT_BY_PRIORITY, TASK_TYPES
from sales_tasks.clients.apollo.paging import (
    DISPLAY_CAP_PAGES,
    DISPLAY_CAP_RECORDS,
    PER_PAGE_REJECTED,
)
from sales_tasks.clients.apollo.profile import API_KEY_HEADER, APOLLO_PROFILE, apollo_quota_window
from sales_tasks.clients.core import (
    ApiClient,
    AuthenticationError,
    PermissionDeniedError,
    RetryPolicy,
)
from sales_tasks.destinations.apollo.vendor import ApolloTaskVendor, map_tasks_to_rows
from sales_tasks.sandbox import SandboxConfig
from sales_tasks.sources.apollo.pagination import page_info
from sales_tasks.sources.apollo.schema import TASK_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILE = next(
    (p / "shared/api-docs/apollo-openapi-subset.json" for p in ROOT.parents
     if (p / "shared/api-docs/apollo-openapi-subset.json").is_file()),
    None,
)  # fmt: skip
SEARCH = "/api/v1/tasks/search"

# --- the facts, restated (VENDOR-SPECS section 3) -------------------------------------------
SEARCH_QUERY_PARAMS = {"sort_by_field", "open_factor_names[]", "page", "per_page"}  # 3.2, 3.4
SEARCH_ANSWER_KEYS = {"tasks", "breadcrumbs", "pagination", "faceting", "pipeline_total", "num_fetch_result"}  # fmt: skip
PAGINATION_KEYS = {"page", "per_page", "total_entries", "total_pages"}  # 3.2
TASK_KEYS = {  # 3.3: the search example's task keys
    "emailer_campaign_id", "id", "user_id", "created_at", "completed_at", "note", "skipped_at",
    "due_at", "type", "priority", "status", "answered", "contact_id", "person_id", "account_id",
    "organization_id", "persona_ids", "subject", "created_from", "salesforce_type",
    "playbook_step_ids", "playbook_id", "needs_playbook_autoprospecting", "starred_by_user_ids",
    "salesforce_id", "hubspot_id", "opportunity_id", "title", "rule_config_id", "creator_id",
}  # fmt: skip
CREATE_REQUIRED = {"user_id", "contact_id", "type", "status", "due_at"}  # 3.2
BULK_REQUIRED = {"user_id", "contact_ids", "type", "status", "due_at"}  # 3.2 (no title)
CREATED_FROM_SEEN = {"api", "zp_ui", None}  # 3.3, fact 10
PER_PAGE_422 = {"error": "Per page not supported"}  # 3.1, AS L4130
BLANK_422 = {"error": "type and user can not be blank"}  # 3.1, AS L1628
UNAUTHORIZED_401 = "Invalid access credentials."  # 3.1, text/plain
FORBIDDEN_403 = {"error": "api/v1/tasks/search is not accessible with this api_key", "error_code": "API_INACCESSIBLE"}  # fmt: skip
QUOTA_429 = "The maximum number of api calls allowed for api/v1/tasks/search is 600 times per hour."
SORT_FIELDS = {"task_due_at", "task_priority"}  # 3.2
CREATE_TYPES = {"call", "outreach_manual_email", "linkedin_step_connect", "linkedin_step_message",
                "linkedin_step_view_profile", "linkedin_step_interact_post", "action_item"}  # fmt: skip
BULK_ANSWER = {  # 3.2: {success, tasks[]} one per contact, created_from "api" in the example
    "success": True,
    "tasks": [
        {"id": "t1", "contact_id": "c1", "created_from": "api", "due_at": "2025-02-15T10:00:00.000+00:00"},
        {"id": "t2", "contact_id": "c2", "created_from": "api", "due_at": "2025-02-15T10:00:00.000+00:00"},
    ],
}  # fmt: skip


def spec() -> dict[str, Any]:
    if SPEC_FILE is None:
        pytest.skip("shared/api-docs/apollo-openapi-subset.json not found beside the checkout")
    return json.loads(SPEC_FILE.read_text())  # type: ignore[no-any-return]


def example(operation: dict[str, Any], status: str) -> Any:
    content = operation["responses"][status]["content"]
    body = next(iter(content.values()))
    value = next(iter(body["examples"].values()))["value"]
    return json.loads(value) if isinstance(value, str) and value.lstrip()[:1] in "{[" else value


SPEC_CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "search params in the query": lambda s: _eq(
        {p["name"] for p in s["paths"]["/tasks/search"]["post"]["parameters"] if p["in"] == "query"},
        SEARCH_QUERY_PARAMS,
    ),
    "search answer keys": lambda s: _eq(set(example(s["paths"]["/tasks/search"]["post"], "200")), SEARCH_ANSWER_KEYS),
    "pagination keys": lambda s: _eq(set(example(s["paths"]["/tasks/search"]["post"], "200")["pagination"]), PAGINATION_KEYS),
    "task keys": lambda s: _le(TASK_KEYS, set(example(s["paths"]["/tasks/search"]["post"], "200")["tasks"][0])),
    "created_from values": lambda s: _le(
        {t["created_from"] for t in example(s["paths"]["/tasks/search"]["post"], "200")["tasks"]}
        | {t["created_from"] for t in example(s["paths"]["/tasks/bulk_create"]["post"], "200")["tasks"]}
        | {example(s["paths"]["/tasks"]["post"], "200")["task"]["created_from"]},
        CREATED_FROM_SEEN,
    ),
    "create required": lambda s: _eq(set(s["paths"]["/tasks"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"]), CREATE_REQUIRED),
    "bulk required, no title": lambda s: _eq(
        set(s["paths"]["/tasks/bulk_create"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"]), BULK_REQUIRED
    ) or _no("title", s["paths"]["/tasks/bulk_create"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]),
    "per_page 422": lambda s: _in(PER_PAGE_422, [json.loads(e["value"]) for e in s["paths"]["/tasks/search"]["post"]["responses"]["422"]["content"]["application/json"]["examples"].values()]),
    "blank 422": lambda s: _eq(example(s["paths"]["/tasks"]["post"], "422"), BLANK_422),
    "401 text": lambda s: _eq(example(s["paths"]["/tasks/search"]["post"], "401"), UNAUTHORIZED_401),
    "403 master key": lambda s: _eq(example(s["paths"]["/tasks/search"]["post"], "403"), FORBIDDEN_403),
    "429 quota text": lambda s: _le({QUOTA_429[:-1]}, {example(s["paths"]["/tasks/search"]["post"], "429")["message"][: len(QUOTA_429) - 1]}),
    "display cap": lambda s: _contains(
        s["paths"]["/tasks/search"]["post"]["description"],
        "50,000 records (100 records per page, up to 500 pages)",
    ),
    "auth header": lambda s: _eq({v.get("name") for v in s["components"]["securitySchemes"].values()}, {"x-api-key"}),
}  # fmt: skip


def _eq(a: Any, b: Any) -> None:
    assert a == b


def _le(a: set[Any], b: set[Any]) -> None:
    assert a <= b, (a, b)


def _contains(text: str, part: str) -> None:
    assert part in text


def _in(a: Any, b: list[Any]) -> None:
    assert a in b


def _no(key: str, props: dict[str, Any]) -> None:
    assert key not in props


@pytest.mark.parametrize("fact", sorted(SPEC_CHECKS))
def test_fixture_agrees_with_the_spec(fact: str) -> None:
    SPEC_CHECKS[fact](spec())


# --- against the sandbox and the client -------------------------------------------------------


def mock_client(status: int, body: Any, content_type: str = "application/json") -> ApiClient:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    return ApiClient(
        "https://apollo.test",
        "key",
        profile=APOLLO_PROFILE,
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(answer),
    )


def test_auth_header_and_401(sandbox: Any, client_for: Any) -> None:
    assert API_KEY_HEADER == "x-api-key"
    resp = httpx.post(f"{sandbox.base_url}{SEARCH}", headers={"x-api-key": "wrong"})
    assert resp.status_code == 401 and resp.text == UNAUTHORIZED_401
    assert resp.headers["content-type"].startswith("text/plain")
    with (
        mock_client(401, UNAUTHORIZED_401, "text/plain") as client,
        pytest.raises(AuthenticationError),
    ):
        client.request_json("POST", SEARCH)


def test_403_needs_a_master_key(sandbox: Any, client_for: Any) -> None:
    resp = client_for(sandbox, key=sandbox.plain_key).post(SEARCH)
    assert resp.status_code == 403 and resp.json() == FORBIDDEN_403
    with mock_client(403, FORBIDDEN_403) as client, pytest.raises(PermissionDeniedError) as caught:
        client.request_json("POST", SEARCH)
    assert "API_INACCESSIBLE" in str(caught.value)


def test_429_quota_text_names_its_window() -> None:
    assert apollo_quota_window(QUOTA_429) == "hour"


def test_search_pages_in_the_query_and_answers_its_keys(api: httpx.Client) -> None:
    body = api.post(SEARCH, params={"page": 2, "per_page": 3}).json()
    assert set(body) == SEARCH_ANSWER_KEYS and set(body["pagination"]) == PAGINATION_KEYS
    info = page_info(body)
    assert (info.page, info.per_page, info.rows) == (2, 3, 3)
    assert info.total_entries == body["pagination"]["total_entries"]


def test_per_page_above_100_is_422(api: httpx.Client) -> None:
    resp = api.post(SEARCH, params={"per_page": 101})
    assert resp.status_code == 422 and resp.json() == PER_PAGE_422
    assert PER_PAGE_REJECTED in PER_PAGE_422["error"].lower()


def test_task_keys_are_served_and_have_columns(api: httpx.Client) -> None:
    task = api.post(SEARCH, params={"per_page": 1}).json()["tasks"][0]
    assert set(task) >= TASK_KEYS
    columns = {name for name, _ in TASK_COLUMNS}
    # Embedded objects and lists are kept as JSON; every scalar key of the example has a column.
    assert {"id", "user_id", "creator_id", "created_at", "due_at", "completed_at", "skipped_at",
            "type", "priority", "status", "note", "title", "contact_id", "account_id",
            "created_from"} <= columns  # fmt: skip


def test_created_from_is_never_relied_on() -> None:
    """Any of the values seen (and others) leaves reconciliation's match unchanged."""
    from tests.unit.test_apollo_matches import TASK, matches

    for value in CREATED_FROM_SEEN:
        assert matches({**TASK, "created_from": value})
    assert SandboxConfig().created_from == "api"  # the sandbox's default: the create examples


def test_create_requires_type_and_user(api: httpx.Client) -> None:
    resp = api.post("/api/v1/tasks", json={})
    assert resp.status_code == 422 and resp.json() == BLANK_422


def test_bulk_answer_maps_back_by_contact_and_takes_no_title() -> None:
    rows: list[Any] = [
        {"request_id": "r2", "contact_id": "c2"},
        {"request_id": "r1", "contact_id": "c1"},
    ]
    assert map_tasks_to_rows(rows, BULK_ANSWER["tasks"]) == {"r1": "t1", "r2": "t2"}
    vendor = ApolloTaskVendor.__new__(ApolloTaskVendor)
    assert vendor.group_key({"title": "x"}) is None  # type: ignore[arg-type]  # titled: own call


def test_sort_fields_and_create_types() -> None:
    assert {SORT_BY_DUE_AT, SORT_BY_PRIORITY} == SORT_FIELDS
    assert set(TASK_TYPES) == CREATE_TYPES


def test_display_cap() -> None:
    assert (DISPLAY_CAP_RECORDS, DISPLAY_CAP_PAGES) == (50_000, 500)
    cfg = SandboxConfig()
    assert (cfg.max_records, cfg.max_pages, cfg.max_per_page) == (50_000, 500, 100)
