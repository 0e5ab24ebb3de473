"""The Saleshandy sandbox's task list and counts: paging without totals, the counts agreeing
with the list, filters, sorting, the payload shape switch and the index lag, over real HTTP."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TASKS = "/v1/tasks"
STATUSES = ("upcoming", "dueToday", "overdue", "completed", "skipped")


def page_all(api, page_size: int = 100, **params) -> tuple[list[dict], int]:
    """Every task, paging until a short page; and the number of calls it took."""
    out: list[dict] = []
    page = 1
    while True:
        got = api.get(TASKS, params={"page": page, "pageSize": page_size, **params}).json()
        rows = got["payload"] if isinstance(got["payload"], list) else got["payload"]["tasks"]
        out.extend(rows)
        if len(rows) < page_size:
            return out, page
        page += 1


def test_paging_stops_on_a_short_page_and_sees_every_task_once(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    sb = make_saleshandy_sandbox(tasks=1234)
    api = saleshandy_client(sb)
    rows, calls = page_all(api)
    assert calls == 13  # 12 full pages, then 34
    assert len(rows) == 1234 == len({r["taskId"] for r in rows})
    past = api.get(TASKS, params={"page": 14, "pageSize": 100}).json()
    assert past == {"message": "Tasks fetched successfully", "payload": []}


def test_an_exact_multiple_ends_on_an_empty_page(make_saleshandy_sandbox, saleshandy_client):
    rows, calls = page_all(saleshandy_client(make_saleshandy_sandbox(tasks=200)))
    assert (len(rows), calls) == (200, 3)


def test_the_default_page_size_and_the_largest(saleshandy_sandbox, saleshandy_client) -> None:
    api = saleshandy_client(saleshandy_sandbox)
    assert len(api.get(TASKS).json()["payload"]) == 25
    resp = api.get(TASKS, params={"pageSize": 101})
    assert resp.status_code == 400
    assert resp.json() == {"message": "pageSize must not be greater than 100"}
    for bad in ("0", "x", "-1"):
        assert api.get(TASKS, params={"pageSize": bad}).status_code == 400


def test_a_larger_page_size_can_be_clamped(make_saleshandy_sandbox, saleshandy_client) -> None:
    sb = make_saleshandy_sandbox(page_size_over_max="clamp", default_page_size=10)
    api = saleshandy_client(sb)
    assert len(api.get(TASKS).json()["payload"]) == 10
    assert len(api.get(TASKS, params={"pageSize": 500}).json()["payload"]) == 100


def test_counts_agree_with_the_list_for_each_status_and_filter(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    sb = make_saleshandy_sandbox(tasks=900, seed=11)
    api = saleshandy_client(sb)
    everything, _ = page_all(api)
    counts = api.get("/v1/tasks/counts").json()["payload"]
    assert sum(counts.values()) == len(everything) == 900
    for status in STATUSES:
        rows, _ = page_all(api, status=status)
        assert len(rows) == counts[status], status
        assert {r["status"] for r in rows} <= {status}
    heavy = sb.assignees()[0]["id"]
    for extra in ({"taskType": "call"}, {"taskAssignee": str(heavy)}, {"search": "patel"}):
        scoped = api.get("/v1/tasks/counts", params=extra).json()["payload"]
        rows, _ = page_all(api, **extra)
        assert sum(scoped.values()) == len(rows) > 0, extra
        assert {s: sum(r["status"] == s for r in rows) for s in STATUSES} == scoped


def test_filters_select_what_they_say(saleshandy_sandbox, saleshandy_client) -> None:
    sb = saleshandy_sandbox
    api = saleshandy_client(sb)
    everything, _ = page_all(api)
    seq = next(r["sequence"]["id"] for r in everything if r["sequence"])
    who = sb.assignees()[1]["id"]
    cases = {
        "taskType": ("whatsapp", lambda r: r["taskCategory"] == "whatsapp"),
        "sequenceId": (seq, lambda r: r["sequence"] and r["sequence"]["id"] == seq),
        "taskAssignee": (str(who), lambda r: r["assignee"]["id"] == who),
        "prospectOutcome": ("interested", lambda r: r["prospectOutcome"] == "interested"),
        "callOutcome": ("no_answer", lambda r: r["callOutcome"] == "no_answer"),
        "search": ("ASK ABOUT", lambda r: "ask about" in (r["taskNote"] or "").lower()),
    }
    for name, (value, keep) in cases.items():
        rows, _ = page_all(api, **{name: value})
        expected = [r["taskId"] for r in everything if keep(r)]
        assert expected, name
        assert [r["taskId"] for r in rows] == expected, name


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "open"), ("taskType", "email"), ("sortBy", "createdAt"), ("sortOrder", "asc")],
)
def test_an_unknown_enum_value_is_400(saleshandy_sandbox, saleshandy_client, param, value):
    resp = saleshandy_client(saleshandy_sandbox).get(TASKS, params={param: value})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith(f"{param} must be one of")


@pytest.mark.parametrize("field", ["dueDate", "priority", "completedAt", "skippedAt"])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_sorting_puts_nulls_last_and_keeps_ties_stable(
    saleshandy_sandbox, saleshandy_client, field, order
) -> None:
    api = saleshandy_client(saleshandy_sandbox)
    rows, _ = page_all(api, sortBy=field, sortOrder=order)
    assert len(rows) == 300
    values = [r[field] for r in rows]
    present = [v for v in values if v is not None]
    assert values[: len(present)] == present  # nulls last
    assert present == sorted(present, reverse=order == "DESC")
    again, _ = page_all(api, sortBy=field, sortOrder=order)
    assert [r["taskId"] for r in again] == [r["taskId"] for r in rows]


def test_the_default_order_is_due_date_ascending(saleshandy_sandbox, saleshandy_client) -> None:
    api = saleshandy_client(saleshandy_sandbox)
    default, _ = page_all(api)
    explicit, _ = page_all(api, sortBy="dueDate", sortOrder="ASC")
    assert [r["taskId"] for r in default] == [r["taskId"] for r in explicit]


def test_the_payload_can_be_an_object_holding_tasks(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    api = saleshandy_client(make_saleshandy_sandbox(list_payload="object"))
    payload = api.get(TASKS, params={"pageSize": 7}).json()["payload"]
    assert set(payload) == {"tasks"} and len(payload["tasks"]) == 7


def test_created_tasks_show_in_list_and_counts_only_after_the_index_lag(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    sb = make_saleshandy_sandbox(tasks=50, index_lag_seconds=30)
    sb.freeze_clock()  # the lag counts on the emulator's clock: moved on below, never slept
    api = saleshandy_client(sb)
    before = api.get("/v1/tasks/counts").json()["payload"]
    pid = sb.prospects(1)[0]["id"]
    made = api.post("/v1/tasks/create", json={"prospectIds": [pid], "taskType": "2"}).json()
    task_id = made["payload"]["results"][0]["taskId"]
    assert api.get(f"/v1/tasks/{task_id}").status_code == 200  # by id: at once
    assert task_id not in {r["taskId"] for r in page_all(api)[0]}
    assert api.get("/v1/tasks/counts").json()["payload"] == before
    sb.advance_clock(29.5)
    assert task_id not in {r["taskId"] for r in page_all(api)[0]}
    sb.advance_clock(1)
    assert task_id in {r["taskId"] for r in page_all(api)[0]}
    after = api.get("/v1/tasks/counts").json()["payload"]
    assert after["dueToday"] == before["dueToday"] + 1


def test_the_lag_can_be_set_live(saleshandy_sandbox, saleshandy_client) -> None:
    sb = saleshandy_sandbox
    sb.set_index_lag(30)
    assert sb.config()["index_lag_seconds"] == 30
    api = saleshandy_client(sb)
    pid = sb.prospects(1)[0]["id"]
    api.post("/v1/tasks/create", json={"prospectIds": [pid], "taskType": "2"})
    assert len(page_all(api)[0]) == 300
    sb.set_index_lag(0)
    assert len(page_all(api)[0]) == 301


LIST_PARAMS = ["page", "pageSize", "sortOrder", "sortBy", "status", "sequenceId",
               "taskAssignee", "prospectOutcome", "taskType", "search", "callOutcome"]  # fmt: skip


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(LIST_PARAMS),
        st.text(max_size=10) | st.integers(-3, 300).map(str) | st.sampled_from(STATUSES),
        max_size=5,
    )
)
def test_any_query_is_a_page_or_one_400_line(saleshandy_sandbox, saleshandy_client, params):
    api = saleshandy_client(saleshandy_sandbox)
    resp = api.get(TASKS, params=params)
    assert resp.status_code in (200, 400), params
    body = resp.json()
    if resp.status_code == 400:
        assert set(body) == {"message"} and "\n" not in body["message"]
    else:
        assert isinstance(body["payload"], list) and len(body["payload"]) <= 100
        # Filters the list took, the counts take too (they ignore status and paging).
        assert api.get("/v1/tasks/counts", params=params).status_code == 200


ORDERS = [(by, order) for by in ("dueDate", "priority") for order in ("ASC", "DESC")]
SCOPES = [{}, {"status": "upcoming"}, {"taskType": "call"}]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    creates=st.lists(
        st.tuples(
            st.integers(0, 4),  # prospect
            st.sampled_from(["2", "3", "13"]),  # taskType (3 is a call)
            st.sampled_from([None, "1", "2", "3", "4"]),  # priority
            st.sampled_from([None, "2026-05-01", "2026-05-02", "2099-01-01"]),  # dueDate
            st.booleans(),  # through the API (else as if made in Saleshandy's app)
        ),
        min_size=1,
        max_size=12,
    )
)
def test_creates_between_reads_keep_every_order_a_fresh_sort_gives(
    saleshandy_sandbox, saleshandy_client, creates
) -> None:
    """The list keeps its sorted orders as tasks are created (no sort of the whole list at the
    next read); what it returns is what a fresh sort returns: a patch drops the kept orders."""
    sb = saleshandy_sandbox
    sb.reset()
    api = saleshandy_client(sb)
    pids = [p["id"] for p in sb.prospects(5)]

    def read_all() -> dict[tuple[str, str, str], list[str]]:
        return {
            (by, order, str(scope)): [
                r["taskId"] for r in page_all(api, sortBy=by, sortOrder=order, **scope)[0]
            ]
            for by, order in ORDERS
            for scope in SCOPES
        }

    read_all()  # every order is now kept
    for prospect, type_code, priority, due, via_api in creates:
        fields = {"taskType": type_code, "priority": priority, "dueDate": due}
        fields = {k: v for k, v in fields.items() if v is not None}
        if via_api:
            made = api.post("/v1/tasks/create", json={"prospectIds": [pids[prospect]], **fields})
            assert made.status_code in (200, 201), made.text
        else:
            sb.add_task(pids[prospect], **fields)
    kept = read_all()
    sb.patch_task(kept[("dueDate", "ASC", "{}")][0])  # changes nothing, drops the kept orders
    assert read_all() == kept
    assert len(kept[("dueDate", "ASC", "{}")]) == 300 + len(creates)


@pytest.mark.parametrize("read_before", [True, False], ids=["order-kept", "order-built"])
@pytest.mark.parametrize("ties", ["created", "newest"])
def test_tasks_of_one_due_date_list_oldest_or_newest_first(
    make_saleshandy_sandbox, saleshandy_client, ties, read_before
) -> None:
    """The switch `list_ties` (Saleshandy does not publish how equal due dates are ordered):
    tasks created for one due date list in creation order, or the newest first, whether the
    list's order was read before the creates (kept in order as they come) or only after."""
    sb = make_saleshandy_sandbox(list_ties=ties)
    api = saleshandy_client(sb)
    query = {"sortBy": "dueDate", "sortOrder": "DESC", "pageSize": 100}
    if read_before:
        api.get(TASKS, params=query)
    ids = []
    for prospect in [p["id"] for p in sb.prospects(limit=3)]:
        body = {"prospectIds": [prospect], "taskType": "9", "dueDate": "2099-01-01"}
        ids.append(api.post("/v1/tasks/create", json=body).json()["payload"]["results"][0])
    made = [m["taskId"] for m in ids]
    first = [r["taskId"] for r in api.get(TASKS, params=query).json()["payload"][:3]]
    assert first == (made if ties == "created" else made[::-1])
