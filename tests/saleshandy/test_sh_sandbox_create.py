"""The Saleshandy sandbox's `POST /v1/tasks/create`: per-prospect results, validation and every
switch that plays an unknown (status, size limit and its refusal, result order, failure reason,
repeated ids), over real HTTP."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CREATE = "/v1/tasks/create"


def ids_of(sb, n: int) -> list[str]:
    return [p["id"] for p in sb.prospects(n)]


def test_one_unknown_prospect_fails_alone(saleshandy_sandbox, saleshandy_client) -> None:
    sb = saleshandy_sandbox
    good = ids_of(sb, 4)
    asked = [good[0], "Nope000001", good[1], good[2], "Nope000002", good[3]]
    resp = saleshandy_client(sb).post(CREATE, json={"prospectIds": asked, "taskType": "2"})
    results = resp.json()["payload"]["results"]
    assert [r["prospectId"] for r in results] == asked  # request order by default
    assert [r["success"] for r in results] == [True, False, True, True, False, True]
    made = {t["id"]: t["prospect"]["id"] for t in sb.created()}
    assert made == {r["taskId"]: r["prospectId"] for r in results if r["success"]}
    assert sb.stats()["tasks"] == 304


def test_no_deduplication_across_calls(saleshandy_sandbox, saleshandy_client) -> None:
    sb = saleshandy_sandbox
    body = {"prospectIds": ids_of(sb, 1), "taskType": "9", "taskNote": "same"}
    api = saleshandy_client(sb)
    first, second = (api.post(CREATE, json=body).json() for _ in range(2))
    assert first["payload"]["results"][0]["taskId"] != second["payload"]["results"][0]["taskId"]
    assert len(sb.created()) == 2


@pytest.mark.parametrize("status", [200, 201])
def test_create_status_switch(make_saleshandy_sandbox, saleshandy_client, status) -> None:
    sb = make_saleshandy_sandbox(create_status=status)
    resp = saleshandy_client(sb).post(CREATE, json={"prospectIds": ids_of(sb, 1), "taskType": "3"})
    assert resp.status_code == status
    assert resp.json()["payload"]["results"][0]["success"] is True


@pytest.mark.parametrize(("limit", "refusal"), [(100, 400), (25, 413), (10, 422)])
def test_too_many_prospect_ids_are_refused_whole(
    make_saleshandy_sandbox, saleshandy_client, limit, refusal
) -> None:
    sb = make_saleshandy_sandbox(
        tasks=400, max_prospect_ids=limit, too_many_prospects_status=refusal
    )
    ids = ids_of(sb, limit + 1)
    api = saleshandy_client(sb)
    resp = api.post(CREATE, json={"prospectIds": ids, "taskType": "2"})
    assert resp.status_code == refusal
    assert resp.json() == {"message": f"prospectIds must contain no more than {limit} elements"}
    assert sb.created() == []
    resp = api.post(CREATE, json={"prospectIds": ids[:limit], "taskType": "2"})
    assert resp.status_code == 201
    assert len(sb.created()) == limit


def test_shuffled_results_still_name_their_prospect(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    sb = make_saleshandy_sandbox(results_order="shuffled")
    asked = [*ids_of(sb, 12), "Nope000001"]
    api = saleshandy_client(sb)
    orders = []
    for _ in range(3):
        results = api.post(CREATE, json={"prospectIds": asked, "taskType": "5"}).json()["payload"][
            "results"
        ]
        assert sorted(r["prospectId"] for r in results) == sorted(asked)
        orders.append([r["prospectId"] for r in results])
    assert any(order != asked for order in orders)
    by_task = {t["id"]: t["prospect"]["id"] for t in sb.created()}
    # Every success maps to a task of exactly the prospect the result names.
    assert len(by_task) == 36


def test_failure_reason_switch(make_saleshandy_sandbox, saleshandy_client) -> None:
    plain = make_saleshandy_sandbox()
    told = make_saleshandy_sandbox(failure_reason=True)
    for sb, expected in ((plain, None), (told, "Prospect not found")):
        result = (
            saleshandy_client(sb)
            .post(CREATE, json={"prospectIds": ["Nope000001"], "taskType": "2"})
            .json()["payload"]["results"][0]
        )
        assert result["success"] is False and result["taskId"] is None
        assert result.get("message") == expected


@pytest.mark.parametrize(("mode", "made"), [("each", 3), ("once", 2)])
def test_a_repeated_prospect_id(make_saleshandy_sandbox, saleshandy_client, mode, made) -> None:
    sb = make_saleshandy_sandbox(duplicate_prospect_ids=mode)
    a, b = ids_of(sb, 2)
    results = (
        saleshandy_client(sb)
        .post(CREATE, json={"prospectIds": [a, b, a], "taskType": "2"})
        .json()["payload"]["results"]
    )
    assert len(results) == made == len(sb.created())


def test_defaults_and_a_lone_prospect_id(saleshandy_sandbox, saleshandy_client) -> None:
    sb = saleshandy_sandbox
    pid = ids_of(sb, 1)[0]
    resp = saleshandy_client(sb).post(CREATE, json={"prospectId": pid, "taskType": "11"})
    assert resp.status_code == 201
    (task,) = sb.created()
    assert task["dueDate"] == sb.stats()["today"]
    assert (task["priority"], task["taskNote"], task["sequence"]) == (None, None, None)
    assert task["assignee"] == sb.assignees()[0]  # the key's owner
    assert task["status"] == "dueToday"


def test_a_past_due_date_is_accepted_and_overdue(saleshandy_sandbox, saleshandy_client) -> None:
    sb = saleshandy_sandbox
    body = {"prospectIds": ids_of(sb, 1), "taskType": "12", "dueDate": "2020-01-31"}
    assert saleshandy_client(sb).post(CREATE, json=body).status_code == 201
    assert sb.created()[0]["status"] == "overdue"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"prospectIds": []}, "prospectIds must be a non-empty array"),
        ({"prospectIds": "abc"}, "prospectIds must be a non-empty array"),
        ({"prospectIds": [1, 2]}, "prospectIds must hold prospect ids"),
        ({"taskType": None}, "taskType must be one of"),
        ({"priority": "5"}, "priority must be one of 1, 2, 3, 4"),
        ({"priority": 2}, "priority must be one of"),
        ({"dueDate": "22-04-2026"}, "dueDate must be a date in YYYY-MM-DD format"),
        ({"dueDate": "2026-02-30"}, "dueDate must be a date in YYYY-MM-DD format"),
        ({"dueDate": "2026-04-22T10:00:00Z"}, "dueDate must be a date in YYYY-MM-DD format"),
        ({"taskNote": 5}, "taskNote must be a string"),
    ],
)
def test_bad_input_is_400_and_creates_nothing(
    saleshandy_sandbox, saleshandy_client, change, says
) -> None:
    sb = saleshandy_sandbox
    body = {"prospectIds": ids_of(sb, 1), "taskType": "13", **change}
    resp = saleshandy_client(sb).post(CREATE, json=body)
    assert resp.status_code == 400
    assert resp.json()["message"].startswith(says)
    assert sb.created() == []


def test_a_body_that_is_not_json_is_400(saleshandy_sandbox, saleshandy_client) -> None:
    resp = saleshandy_client(saleshandy_sandbox).post(
        CREATE, content=b"{nope", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.json() == {"message": "request body is not valid JSON"}


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    extra=st.dictionaries(
        st.sampled_from(["prospectIds", "taskType", "priority", "dueDate", "taskNote", "x"]),
        JSONISH,
    ),
    use_real=st.booleans(),
)
def test_any_body_is_answered_and_every_success_is_one_task(
    saleshandy_sandbox, saleshandy_client, extra, use_real
) -> None:
    sb = saleshandy_sandbox
    sb.reset()
    body = {"prospectIds": ids_of(sb, 2) if use_real else ["x"], "taskType": "2", **extra}
    resp = saleshandy_client(sb).post(CREATE, content=json.dumps(body))
    assert resp.status_code in (201, 400)
    answer = resp.json()
    assert isinstance(answer["message"], str) and answer["message"]
    made = sb.created()
    if resp.status_code == 400:
        assert made == []
    else:
        results = answer["payload"]["results"]
        assert len(results) == len(body["prospectIds"])
        assert len(made) == sum(r["success"] for r in results)
