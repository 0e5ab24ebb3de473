"""The sandbox against the vendor's documented shapes (seed 002, the OpenAPI subset), plus
users/contacts search, determinism and the HTTP layer."""

from __future__ import annotations

import argparse
import copy
import json
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from sales_tasks.sandbox import SandboxConfig, running_sandbox
from sales_tasks.sandbox.apollo.app import App
from sales_tasks.sandbox.apollo.cli_args import add_sandbox_arguments, config_from_args

SEARCH = "/api/v1/tasks/search"
ROOT = Path(__file__).resolve().parents[2]
# `shared/api-docs` beside the checkout (or beside the folder of worktrees holding it).
API_DOCS = next(
    (p / "shared" / "api-docs" for p in ROOT.parents if (p / "shared" / "api-docs").is_dir()),
    ROOT.parent / "shared" / "api-docs",
)
# Field names of seed 002's sample task (a copy, for when shared/api-docs is absent).
SEED_002_TASK_FIELDS = [
    "emailer_campaign_id",
    "id",
    "user_id",
    "created_at",
    "completed_at",
    "note",
    "skipped_at",
    "due_at",
    "type",
    "priority",
    "status",
    "answered",
    "contact_id",
    "person_id",
    "account_id",
    "organization_id",
    "persona_ids",
    "subject",
    "created_from",
    "salesforce_type",
    "playbook_step_ids",
    "playbook_id",
    "needs_playbook_autoprospecting",
    "starred_by_user_ids",
    "salesforce_id",
    "hubspot_id",
    "account",
    "contact",
]
SEED_002_ACCOUNT_FIELDS = [
    "id",
    "domain",
    "name",
    "team_id",
    "typed_custom_fields",
    "organization_id",
    "account_stage_id",
    "source",
    "original_source",
    "owner_id",
    "created_at",
    "phone",
    "phone_status",
    "test_predictive_score",
    "hubspot_id",
    "salesforce_id",
    "crm_owner_id",
    "parent_account_id",
    "sanitized_phone",
    "account_playbook_statuses",
    "existence_level",
    "label_ids",
    "modality",
    "salesforce_record_url",
    "persona_counts",
]
SEED_002_CONTACT_FIELDS = [
    "id",
    "first_name",
    "last_name",
    "name",
    "linkedin_url",
    "title",
    "contact_stage_id",
    "owner_id",
    "person_id",
    "email_needs_tickling",
    "organization_name",
    "source",
    "original_source",
    "organization_id",
    "headline",
    "photo_url",
    "present_raw_address",
    "linkedin_uid",
    "extrapolated_email_confidence",
    "salesforce_id",
    "salesforce_lead_id",
    "salesforce_contact_id",
    "salesforce_account_id",
    "crm_owner_id",
    "created_at",
    "test_predictive_score",
    "emailer_campaign_ids",
    "email_manually_changed",
    "direct_dial_status",
    "direct_dial_enrichment_failed_at",
    "email_status",
    "account_id",
    "last_activity_date",
    "hubspot_vid",
    "hubspot_company_id",
    "sanitized_phone",
    "merged_crm_ids",
    "typed_custom_fields",
    "updated_at",
    "queued_for_crm_push",
    "suggested_from_rule_engine_config_id",
    "email_unsubscribed",
    "label_ids",
    "has_pending_email_arcgate_request",
    "has_email_arcgate_request",
    "existence_level",
    "email",
    "salesforce_record_url",
    "outreach_id",
    "outreach_url",
    "salesloft_id",
    "salesloft_url",
    "phone_numbers",
    "account_phone_note",
]
SEED_002_PHONE_FIELDS = ["raw_number", "sanitized_number", "type", "position", "status"]


def seed_002_sample() -> dict[str, Any]:
    files = sorted((API_DOCS / "seeds").glob("002_*.txt")) if API_DOCS.exists() else []
    if not files:
        pytest.skip(f"shared/api-docs not present at {API_DOCS}: seed 002 unavailable")
    text = files[0].read_text()
    # The sample is not valid JSON as a whole (a comma is missing between tasks): decode the
    # first task object on its own.
    start = text.index("{", text.index('"tasks": ['))
    task, _ = json.JSONDecoder().raw_decode(text, start)
    return task  # type: ignore[no-any-return]


def served_tasks(api: httpx.Client) -> list[dict[str, Any]]:
    return api.post(SEARCH, params={"per_page": 100}).json()["tasks"]


def test_field_list_copy_matches_seed_002() -> None:
    sample = seed_002_sample()
    assert list(sample) == SEED_002_TASK_FIELDS
    assert list(sample["account"]) == SEED_002_ACCOUNT_FIELDS
    assert list(sample["contact"]) == SEED_002_CONTACT_FIELDS
    assert list(sample["contact"]["phone_numbers"][0]) == SEED_002_PHONE_FIELDS


def test_every_seed_002_field_is_served(api: httpx.Client) -> None:
    tasks = served_tasks(api)
    with_phone = next(t for t in tasks if t["contact"]["phone_numbers"])
    for task in tasks:
        assert set(SEED_002_TASK_FIELDS) <= set(task)
        assert set(SEED_002_ACCOUNT_FIELDS) <= set(task["account"])
        assert set(SEED_002_CONTACT_FIELDS) <= set(task["contact"])
    assert set(SEED_002_PHONE_FIELDS) <= set(with_phone["contact"]["phone_numbers"][0])


def test_seed_002_value_types_match(api: httpx.Client) -> None:
    sample = seed_002_sample()
    task = served_tasks(api)[0]
    for sample_obj, ours in (
        (sample, task),
        (sample["account"], task["account"]),
        (sample["contact"], task["contact"]),
    ):
        for key, value in sample_obj.items():
            if isinstance(value, list | dict | bool):
                assert type(ours[key]) is type(value), key
    assert task["created_at"][-1] == "Z" and task["created_at"][-5] == "."
    assert task["due_at"].endswith(".000+00:00")


def relaxed(schema: Any) -> Any:
    """The spec's schemas are inferred from examples, whose nulls they type as strings; accept
    null wherever a type is given, and `oneOf` as `anyOf` (no branch has `required`)."""
    if isinstance(schema, list):
        return [relaxed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: relaxed(v) for k, v in schema.items() if k not in ("example", "examples")}
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def spec_schema(path: str, method: str, status: str) -> dict[str, Any]:
    spec_file = API_DOCS / "apollo-openapi-subset.json"
    if not spec_file.exists():
        pytest.skip(f"shared/api-docs not present at {API_DOCS}: OpenAPI subset unavailable")
    spec = json.loads(spec_file.read_text())
    content = spec["paths"][path][method]["responses"][status]["content"]["application/json"]
    return relaxed(copy.deepcopy(content["schema"]))  # type: ignore[no-any-return]


def test_responses_match_openapi_schemas(sandbox, api: httpx.Client, client_for) -> None:
    checks = [
        (
            "/tasks/search",
            "post",
            "200",
            api.post(SEARCH, json={"open_factor_names": ["task_types"]}),
        ),
        ("/tasks/search", "post", "422", api.post(SEARCH, params={"per_page": 500})),
        ("/tasks/search", "post", "403", client_for(sandbox, key=sandbox.plain_key).post(SEARCH)),
        ("/users/search", "get", "200", api.get("/api/v1/users/search?per_page=3")),
        (
            "/contacts/search",
            "post",
            "200",
            api.post("/api/v1/contacts/search", json={"per_page": 3}),
        ),
    ]
    user, contact = sandbox.users()[0]["id"], sandbox.contacts(2)[0]["id"]
    task = {"user_id": user, "type": "call", "status": "scheduled", "due_at": "2030-01-01"}
    checks += [
        ("/tasks", "post", "200", api.post("/api/v1/tasks", json={**task, "contact_id": contact})),
        ("/tasks", "post", "422", api.post("/api/v1/tasks", json={})),
        (
            "/tasks/bulk_create",
            "post",
            "200",
            api.post("/api/v1/tasks/bulk_create", json={**task, "contact_ids": [contact]}),
        ),
    ]
    # The docs' 429 is JSON; recorded ones are plain text (tests/sandbox/test_sandbox_traffic.py).
    sandbox.configure(rate_limits={"minute": 0}, rate_limit_body="json")
    checks.append(("/tasks/search", "post", "429", api.post(SEARCH)))
    for path, method, status, resp in checks:
        assert str(resp.status_code) == status, (path, resp.text)
        jsonschema.validate(resp.json(), spec_schema(path, method, status))


def test_schema_check_can_fail() -> None:
    schema = spec_schema("/tasks/search", "post", "200")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"tasks": "not a list"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"pagination": {"page": "1"}}, schema)


def test_users_search(api: httpx.Client, sandbox) -> None:
    body = api.get("/api/v1/users/search?page=2&per_page=3").json()
    assert body["pagination"] == {
        "page": "2",
        "per_page": "3",
        "total_entries": 8,
        "total_pages": 3,
    }
    assert [u["id"] for u in body["users"]] == [u["id"] for u in sandbox.users()[3:6]]
    for user in body["users"]:
        assert {"id", "email", "first_name", "last_name", "name"} <= set(user)


def test_contacts_search_keywords(api: httpx.Client, sandbox) -> None:
    target = sandbox.contacts(40)[17]
    by_email = api.post("/api/v1/contacts/search", json={"q_keywords": target["email"]}).json()
    assert [c["id"] for c in by_email["contacts"]] == [target["id"]]
    assert by_email["breadcrumbs"][0]["signal_field_name"] == "q_keywords"
    assert by_email["contacts"][0]["account"]["id"] == target["account_id"]
    name = target["name"].upper()
    by_name = api.post("/api/v1/contacts/search", json={"q_keywords": name, "per_page": 100}).json()
    assert target["id"] in [c["id"] for c in by_name["contacts"]]
    assert all(c["name"].upper() == name for c in by_name["contacts"])
    org = target["organization_name"]
    by_org = api.post("/api/v1/contacts/search", json={"q_keywords": org, "per_page": 100}).json()
    assert by_org["contacts"] and all(c["organization_name"] == org for c in by_org["contacts"])
    assert api.post("/api/v1/contacts/search", json={"q_keywords": "zzzz"}).json()["contacts"] == []


def test_contacts_search_paging_and_sort(api: httpx.Client) -> None:
    body = api.post("/api/v1/contacts/search", json={"per_page": 500}).json()
    assert body["pagination"]["per_page"] == 100 and body["pagination"]["total_entries"] == 75
    asc = api.post(
        "/api/v1/contacts/search",
        json={"per_page": 100, "sort_by_field": "contact_created_at", "sort_ascending": True},
    ).json()["contacts"]
    created = [c["created_at"] for c in asc]
    assert created == sorted(created)
    emails = {c["email"] for c in asc}
    assert len(emails) == 75  # unique


def test_data_deterministic_from_seed(make_sandbox, client_for) -> None:
    anchor = "2025-06-01T00:00:00Z"
    pages = []
    for seed in (7, 7, 8):
        api = client_for(make_sandbox(seed=seed, anchor_date=anchor))
        pages.append(api.post(SEARCH, params={"per_page": 50}).json()["tasks"])
    assert pages[0] == pages[1]
    assert {t["id"] for t in pages[0]}.isdisjoint({t["id"] for t in pages[2]})


def test_dataset_sizes_and_build_time() -> None:
    start = time.perf_counter()
    app = App(SandboxConfig(tasks=20_000))
    assert time.perf_counter() - start < 3.0
    assert (app.ds.n_tasks, app.ds.n_contacts, app.ds.n_accounts) == (20_000, 5_000, 1_000)
    assert 8 <= app.ds.n_users <= 40
    statuses = set(app.ds.t_status.tolist())
    assert statuses == {0, 1, 2}


def raw_http(sb, payload: bytes) -> bytes:
    host, port = sb.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


def test_chunked_request_body_rejected(sandbox) -> None:
    reply = raw_http(
        sandbox,
        b"POST /api/v1/tasks/search HTTP/1.1\r\nHost: x\r\nx-api-key: "
        + sandbox.master_key.encode()
        + b"\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 411 ")


def test_keep_alive_serves_several_requests_on_one_connection(sandbox) -> None:
    one = b"GET /_sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /_sandbox/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    reply = raw_http(sandbox, one + one + last)
    assert reply.count(b"HTTP/1.1 200 OK") == 3


def test_unknown_route_404(api: httpx.Client) -> None:
    assert api.post("/api/v1/nothing").status_code == 404
    assert api.post("/v1/nothing").status_code == 404
    assert api.delete("/api/v1/tasks/search").status_code == 405
    assert api.delete("/v1/tasks/search").status_code == 405


def test_request_log_is_capped(make_sandbox, client_for) -> None:
    sb = make_sandbox(request_log_cap=5)
    api = client_for(sb)
    for page in range(1, 9):
        api.post(SEARCH, json={"page": page})
    log = sb.requests()
    assert len(log) == 5 and [e["body"]["page"] for e in log] == [4, 5, 6, 7, 8]


def test_live_config_rejects_dataset_changes_and_unknown_keys(sandbox) -> None:
    with pytest.raises(RuntimeError, match="cannot change live"):
        sandbox.configure(tasks=5)
    with pytest.raises(RuntimeError, match="unknown config field"):
        sandbox.configure(per_page_max=5)
    assert sandbox.configure(max_per_page=200)["max_per_page"] == 200


def test_config_round_trip_and_cli_args() -> None:
    cfg = SandboxConfig(tasks=10, faults=SandboxConfig().faults)
    assert SandboxConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    ns = parser.parse_args(
        ["--port", "0", "--tasks", "50", "--max-per-page", "200", "--drop-rate", "0.1"]
        + ["--past-cap", "422", "--pagination-as-strings", "--rate-minute", "7"]
    )
    cfg = config_from_args(ns)
    assert (cfg.tasks, cfg.max_per_page, cfg.faults.drop_rate) == (50, 200, 0.1)
    assert cfg.past_cap_behaviour == "422" and cfg.pagination_as_strings
    assert cfg.rate_limits == {"minute": 7, "hour": 1_000_000, "day": 10_000_000}
    assert (cfg.rate_limit_body, cfg.create_requires_status, cfg.get_default_per_page) == (
        "text",
        False,
        10,
    )
    recorded_vs_docs = parser.parse_args(
        ["--rate-limit-body", "json", "--create-requires-status", "--get-default-per-page", "25"]
    )
    cfg = config_from_args(recorded_vs_docs)
    assert (cfg.rate_limit_body, cfg.create_requires_status, cfg.get_default_per_page) == (
        "json",
        True,
        25,
    )
    with pytest.raises(ValueError, match="rate_limit_body must be one of"):
        config_from_args(parser.parse_args(["--rate-limit-body", "xml"]))


def test_subprocess_mode() -> None:
    with running_sandbox(subprocess=True, tasks=500, max_per_page=200) as sb:
        with httpx.Client(
            verify=False, base_url=sb.base_url, headers={"x-api-key": sb.master_key}
        ) as api:
            body = api.post(SEARCH, params={"per_page": 200}).json()
        assert len(body["tasks"]) == 200 and body["pagination"]["total_entries"] == 500
        assert sb.stats()["tasks"] == 500
