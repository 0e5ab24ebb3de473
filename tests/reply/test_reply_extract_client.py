"""Reply's client facts over `httpx.MockTransport` (the layer under the sandbox tests): the
headers each auth scheme sends, problem+json reaching the error, enums read in both forms,
the documented limits and the paginator's stops."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_tasks.clients.core import (
    ApiClient,
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    RetryPolicy,
    paginate,
)
from sales_tasks.clients.reply.endpoints import TASKS, quota_key, task_path
from sales_tasks.clients.reply.enums import (
    LINKEDIN_TASK_TYPES,
    TASK_STATUSES,
    TASK_TYPES,
    code_of,
    name_of,
)
from sales_tasks.clients.reply.paging import ITEMS, reply_paginator
from sales_tasks.clients.reply.problems import problem_of
from sales_tasks.clients.reply.profile import (
    DOCUMENTED_LIMITS,
    REPLY_PROFILE,
    parse_limits,
    reply_auth,
)

SECRET = "reply-unit-secret-77"


def _client(handler: Any, **args: Any) -> ApiClient:
    return ApiClient(
        "https://reply.test",
        profile=REPLY_PROFILE,
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(handler),
        **args,
    )


def _headers(**args: Any) -> httpx.Headers:
    seen: list[httpx.Request] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "hasMore": False})

    with _client(vendor, **args) as client:
        client.request_json("GET", TASKS)
    [request] = seen
    assert SECRET not in str(request.url)
    return request.headers


def test_bearer_by_default_x_api_key_by_configuration_and_the_user_headers() -> None:
    default = _headers(api_key=SECRET)
    assert default["authorization"] == f"Bearer {SECRET}" and "x-api-key" not in default
    keyed = _headers(auth=reply_auth(SECRET, "X-API-Key", user_id=42, user_email="a@b.test"))
    assert keyed["x-api-key"] == SECRET and "authorization" not in keyed
    assert keyed["x-user-id"] == "42" and keyed["x-user-email"] == "a@b.test"
    assert SECRET not in repr(reply_auth(SECRET))
    with pytest.raises(ValueError, match="use bearer .* or x-api-key"):
        reply_auth(SECRET, "basic")


PROBLEM = {
    "type": "https://api.reply.io/problems/contact-not-found",
    "title": "Not Found",
    "status": 404,
    "detail": "Contact 99 was not found",
    "code": "contact.notFound",
}


@pytest.mark.parametrize(
    ("status", "body", "kind", "said"),
    [
        (404, PROBLEM, BadRequestError, "Not Found: Contact 99 was not found (contact.notFound)"),
        (
            400,
            {
                "title": "Validation failed",
                "status": 400,
                "detail": "One or more fields are invalid",
                "code": "validation.failed",
                "errors": [{"field": "dueTo", "message": "must be after startAt"}],
            },
            BadRequestError,
            "(validation.failed); dueTo: must be after startAt",
        ),
        (401, None, AuthenticationError, "rejected the API key (401) on v3/tasks: check"),
        (403, {"title": "Forbidden", "code": "scope.missing"}, PermissionDeniedError, "tasks:read"),
    ],
    ids=["404-problem", "400-errors", "401-empty", "403-scope"],
)
def test_problem_json_reaches_the_error(status: int, body: Any, kind: type, said: str) -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status, headers={"www-authenticate": "Bearer"})
        return httpx.Response(
            status, json=body, headers={"content-type": "application/problem+json"}
        )

    with _client(vendor, api_key=SECRET) as client, pytest.raises(kind) as caught:
        client.request_json("GET", TASKS, endpoint=quota_key(TASKS))
    assert said in str(caught.value) and SECRET not in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1
    problem = problem_of(caught.value)
    if body is not None:
        assert (problem.code, problem.detail) == (body.get("code", ""), body.get("detail", ""))
    else:
        assert (problem.code, problem.detail, problem.status) == ("", "", 401)


def test_enums_read_numbers_and_names_alike() -> None:
    assert TASK_TYPES[2] == "call" and name_of(TASK_TYPES, 2) == name_of(TASK_TYPES, "Call")
    assert code_of(TASK_TYPES, "toDo") == code_of(TASK_TYPES, "ToDo") == code_of(TASK_TYPES, "0")
    assert code_of(TASK_TYPES, 1) is None and code_of(TASK_TYPES, "chat") is None
    assert code_of(TASK_TYPES, True) is None and code_of(TASK_TYPES, None) is None
    assert name_of(LINKEDIN_TASK_TYPES, 2) == "inMail" and name_of(TASK_STATUSES, 5) == (
        "sequenceDetached"
    )


@given(st.one_of(st.integers(), st.text(max_size=12), st.floats(), st.none(), st.booleans()))
def test_any_enum_input_is_a_member_or_none(value: Any) -> None:
    for enum in (TASK_TYPES, LINKEDIN_TASK_TYPES, TASK_STATUSES):
        code = code_of(enum, value)
        assert code is None or (code in enum and name_of(enum, value) == enum[code])


def test_paths_and_limits() -> None:
    assert task_path(12) == "/v3/tasks/12" and quota_key(task_path(12)) == "v3/tasks/{id}"
    assert quota_key("/v3/tasks/filter") == "v3/tasks/filter"
    assert REPLY_PROFILE.documented_limits == DOCUMENTED_LIMITS == ((100, 60.0), (3000, 3600.0))
    assert parse_limits("100/1m, 3000/1h") == DOCUMENTED_LIMITS
    assert parse_limits("5/0.5") == ((5, 0.5),)
    for bad in ("", "100", "0/60", "100/0", "a/b"):
        with pytest.raises(ValueError, match="REQUESTS/SECONDS"):
            parse_limits(bad)


@pytest.mark.parametrize(
    ("pages", "asked"),
    [
        ([([1, 2], True), ([3], False)], [0, 2]),
        ([([1, 2], True), ([3], True), ([], True)], [0, 2, 3]),  # a stale last hasMore
        ([([1], "true"), ([2], None)], [0, 1]),
    ],
    ids=["hasMore-false", "stale-hasMore-then-empty", "flag-as-text-then-missing"],
)
def test_paging_by_has_more_and_rows_received(pages: list[Any], asked: list[int]) -> None:
    skips: list[int] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        skips.append(skip)
        assert request.url.params["top"] == "2"
        rows, more = pages[len(skips) - 1]
        return httpx.Response(200, json={"items": [{"id": i} for i in rows], "hasMore": more})

    with _client(vendor, api_key=SECRET) as client:
        got = [
            row["id"]
            for page in paginate(client, "GET", TASKS, reply_paginator(2), items_path=ITEMS)
            for row in page.items
        ]
    assert skips == asked
    assert got == [i for rows, _ in pages for i in rows]


@pytest.mark.parametrize("match", ["insensitive", "exact"])
def test_contacts_by_email_over_http_tell_case_twins_apart(
    make_reply_sandbox: Any, match: str
) -> None:
    from sales_tasks.clients.reply.lookups import contact_ids_with_email

    sb = make_reply_sandbox(tasks=60, contact_email_match=match)
    contacts = sb.contacts(limit=1000)
    by_lower: dict[str, list[dict[str, Any]]] = {}
    for contact in contacts:
        by_lower.setdefault(contact["email"].lower(), []).append(contact)
    twins = next(group for group in by_lower.values() if len(group) == 2)
    with ApiClient(sb.base_url, sb.api_key, profile=REPLY_PROFILE) as client:
        for contact in twins:
            exact = contact_ids_with_email(client, contact["email"], exact_case=True)
            assert exact == [contact["id"]]
            loose = contact_ids_with_email(client, contact["email"])
            assert loose == (sorted(c["id"] for c in twins) if match == "insensitive" else exact)
        assert contact_ids_with_email(client, "nobody@nowhere.test") == []
