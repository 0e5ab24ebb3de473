"""Saleshandy's client facts and the source's row conversion, without a server.

Error mapping is one table over `httpx.MockTransport` answers; lists are read as array or
object payloads; prospects match an email exactly; rows keep every value typed or in
`extra_fields` (hypothesis).
"""

from __future__ import annotations

import datetime as dt
import json
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_tasks.clients.core import (
    ApiClient,
    AuthenticationError,
    BadRequestError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    error_for_response,
    reset_at,
)
from sales_tasks.clients.saleshandy.enums import (
    TASK_TYPE_GROUPS,
    TASK_TYPES,
    priority_name,
    task_type_name,
)
from sales_tasks.clients.saleshandy.lookups import list_assignees, prospect_ids_with_email
from sales_tasks.clients.saleshandy.paging import payload_items, saleshandy_paginator
from sales_tasks.clients.saleshandy.profile import SALESHANDY_PROFILE, SALESHANDY_RATE_LIMIT_HEADERS
from sales_tasks.sources.saleshandy.scan import counts_total, read_counts
from sales_tasks.sources.saleshandy.schema import TASK_COLUMNS, table_of, task_row
from tests.profiles import examples

KEY = "sh-secret-key-123"


def _answer(
    status: int, body: Any = None, text: str | None = None, **headers: str
) -> httpx.Response:
    content = text.encode() if text is not None else json.dumps(body).encode()
    return httpx.Response(
        status, content=content, headers=headers, request=httpx.Request("GET", "http://x/v1/tasks")
    )


@pytest.mark.parametrize(
    ("response", "kind", "says"),
    [
        (_answer(400, {"message": "Invalid token", "code": 1001}), AuthenticationError, "(400)"),
        (_answer(400, {"error": {"code": "1001", "message": "bad"}}), AuthenticationError, "key"),
        (_answer(400, text="Invalid token"), AuthenticationError, "x-api-key"),
        (_answer(401, {"message": "Unauthorized"}), AuthenticationError, "(401)"),
        (_answer(400, {"message": f"Invalid token {KEY}", "code": 1001}), AuthenticationError, "***"),
        (_answer(400, {"message": "pageSize must not be greater than 100"}), BadRequestError, "pageSize"),
        (_answer(404, {"message": "The requested task could not be found"}), BadRequestError, "404"),
        (_answer(429, {"message": "Too many requests"}, **{"retry-after": "7"}), RateLimitedError, "rate limit"),
        (_answer(503, text="<html>503</html>"), ServerError, "503"),
    ],
    ids=["400-1001", "400-nested-1001", "400-plain-text", "401", "key-echoed", "400-other", "404", "429", "503"],
)  # fmt: skip
def test_error_mapping_table(response: httpx.Response, kind: type, says: str) -> None:
    error = error_for_response(
        response, endpoint="/v1/tasks", secret=KEY, profile=SALESHANDY_PROFILE
    )
    assert type(error) is kind
    assert says in str(error) and "Saleshandy" in str(error) and KEY not in str(error)
    if isinstance(error, RateLimitedError):
        assert error.retry_after == 7


def test_reset_header_is_an_http_date() -> None:
    moment = dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC)
    headers = {
        "x-ratelimit-reset": format_datetime(moment, usegmt=True),
        "x-ratelimit-remaining": "3",
    }
    assert reset_at(headers, SALESHANDY_RATE_LIMIT_HEADERS) == moment.timestamp()


def _client(handler: Any) -> ApiClient:
    return ApiClient(
        "http://127.0.0.1:9",
        KEY,
        profile=SALESHANDY_PROFILE,
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(handler),
    )


def test_the_key_goes_only_in_x_api_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"message": "ok", "payload": []})

    with _client(handler) as client:
        assert list_assignees(client) == []
    assert seen[0].headers["x-api-key"] == KEY
    assert "authorization" not in seen[0].headers and KEY not in str(seen[0].url)


@pytest.mark.parametrize(
    ("body", "rows"),
    [
        ({"payload": [{"id": "a"}, {"id": "b"}]}, ["a", "b"]),
        ({"payload": {"tasks": [{"id": "a"}]}}, ["a"]),
        ({"payload": {"rows": [{"id": "c"}], "page": 1}}, ["c"]),
        ({"payload": {"x": [], "y": []}}, []),
        ({"payload": None}, []),
        ([{"id": "a"}], []),
        ({"payload": [{"id": "a"}, "junk", 3]}, ["a"]),
    ],
    ids=["array", "object-tasks", "object-one-list", "ambiguous", "null", "not-an-object", "junk"],
)
def test_list_rows_from_either_payload_shape(body: Any, rows: list[str]) -> None:
    assert [r["id"] for r in payload_items(body, ("tasks",))] == rows


def test_page_size_over_100_is_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="pageSize must be between 1 and 100"):
        saleshandy_paginator(101)


def test_prospects_match_the_email_exactly_case_insensitively() -> None:
    people = [
        {"id": "p1", "email": "ann@x.io"},
        {"id": "p2", "email": "joann@x.io"},
        {"id": "p3", "email": "ANN@X.IO"},
        {"id": "p4", "email": "ann@x.io.evil"},
        {"id": None, "email": "ann@x.io"},
    ]
    asked: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        return httpx.Response(200, json={"message": "ok", "payload": people})

    with _client(handler) as client:
        assert prospect_ids_with_email(client, " Ann@X.io ") == ["p1", "p3"]
    assert asked == [{"search": "ann@x.io", "page": "1", "pageSize": "100"}]


def test_enums() -> None:
    assert sorted(TASK_TYPES, key=int) == ["2", "3", "4", "5", "6", "9", *map(str, range(11, 19))]
    assert sorted(c for group in TASK_TYPE_GROUPS.values() for c in group) == sorted(TASK_TYPES)
    assert task_type_name(13) == task_type_name("13") == "call_follow_up"
    assert task_type_name("1") is None and priority_name("1") == "urgent"
    assert priority_name(None) is None and priority_name(True) is None


@pytest.mark.parametrize(
    ("payload", "counts", "total"),
    [
        ({"upcoming": 3, "dueToday": "2", "overdue": 1, "completed": 4, "skipped": 0},
         {"upcoming": 3, "dueToday": 2, "overdue": 1, "completed": 4, "skipped": 0}, 10),
        ({"total": 9, "upcoming": 3, "completed": 4}, {"upcoming": 3, "completed": 4, "total": 9}, 9),
        ({"counts": {"completed": 2}}, {"completed": 2}, 2),
        ({"upcoming": "many"}, None, None),
        ([1, 2], None, None),
    ],
    ids=["per-status", "with-total", "nested", "unreadable", "array"],
)  # fmt: skip
def test_counts_are_read_leniently(payload: Any, counts: Any, total: Any) -> None:
    got = read_counts({"message": "ok", "payload": payload})
    assert got == counts and counts_total(got) == total


SAMPLE = {
    "id": "7PWYDWW7zo",
    "taskType": "13",
    "taskTypeName": "Call follow-up",
    "taskCategory": "call",
    "priority": "3",
    "status": "overdue",
    "dueDate": "2026-04-22",
    "taskNote": "Call to follow up",
    "prospect": {"id": "8PvBmrB7P7", "email": "a@b.io", "firstName": "A", "lastName": "B"},
    "assignee": {"id": 4107, "name": "Ava Patel", "email": "ava@x.io"},
    "sequence": {"id": "s1", "name": "Outbound", "stepNumber": 2},
    "prospectOutcome": None,
    "callOutcome": "no_answer",
    "createdAt": "2026-04-20T10:11:12.000Z",
    "updatedAt": "2026-04-20T10:11:12.000Z",
    "completedAt": None,
    "skippedAt": None,
    "surprise": {"new": 1},
}


def test_a_task_row_is_typed_and_keeps_unknown_fields() -> None:
    row = table_of([task_row(SAMPLE)], TASK_COLUMNS).to_pylist()[0]
    assert row["task_type"] == "13" and row["task_type_name"] == "call_follow_up"
    assert row["task_type_title"] == "Call follow-up" and row["priority_name"] == "medium"
    assert row["due_date"] == dt.date(2026, 4, 22)
    assert row["created_at"] == dt.datetime(2026, 4, 20, 10, 11, 12, tzinfo=dt.UTC)
    assert (row["prospect_id"], row["assignee_id"], row["sequence_id"]) == (
        "8PvBmrB7P7",
        "4107",
        "s1",
    )
    assert (row["sequence_name"], row["sequence_step"]) == ("Outbound", 2)
    assert json.loads(row["extra_fields"]) == {"surprise": {"new": 1}}


# What a decoded answer can hold: orjson reads integers past 64 bits as floats and refuses
# NaN and infinities, so those never reach the rows.
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)


_VALUES = st.recursive(_SCALARS, _nested, max_leaves=6)
_FIELDS = st.sampled_from(
    ["taskType", "priority", "status", "dueDate", "taskNote", "createdAt", "completedAt",
     "prospect", "assignee", "sequence", "callOutcome", "other", "x y"]
)  # fmt: skip


@settings(
    max_examples=examples(quick=50, deep=500),
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
)
@given(st.lists(st.dictionaries(_FIELDS, _VALUES, max_size=8), min_size=1, max_size=6))
def test_any_served_task_lands_as_one_row_with_its_id(tasks: list[dict[str, Any]]) -> None:
    served = [{**task, "id": f"t{i}"} for i, task in enumerate(tasks)]
    table = table_of([task_row(t) for t in served], TASK_COLUMNS)
    assert table.column("id").to_pylist() == [t["id"] for t in served]
    assert table.column_names == [name for name, _ in TASK_COLUMNS]
    for task, extra in zip(served, table.column("extra_fields").to_pylist(), strict=True):
        if "other" in task or "x y" in task:
            assert extra is not None and set(json.loads(extra)) == {"other", "x y"} & set(task)
