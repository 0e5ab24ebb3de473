"""Every rule the Reply sandbox enforces on a create, one table; what is refused creates
nothing and says which field in a problem+json 400; generated bodies never crash it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sales_tasks.sandbox import running_sandbox
from sales_tasks.sandbox.reply import ReplySandbox
from tests.reply.test_reply_sandbox_contract import a_task

CONTACT = 3_100_010  # a seed contact of every dataset (ids start at 3,100,000)

# (case, changes to a valid create, the fields errors[] must name)
REFUSED: list[tuple[str, dict[str, Any], set[str]]] = [
    ("dueTo before startAt", {"dueTo": "2026-03-01T09:00:00Z"}, {"dueTo"}),
    ("dueTo equal to startAt", {"dueTo": "2026-03-02T09:00:00Z"}, {"dueTo"}),
    (
        "startAt before 2015",
        {"startAt": "2014-12-31T23:59:59Z", "dueTo": "2015-01-02T00:00:00Z"},
        {"startAt"},
    ),
    ("LinkedIn subtype on a call", {"taskType": 2, "linkedInTaskType": 1}, {"linkedInTaskType"}),
    ("LinkedIn subtype unknown", {"taskType": 5, "linkedInTaskType": 7}, {"linkedInTaskType"}),
    ("missing body", {"template": {"subject": "Hi"}}, {"template.body"}),
    ("blank body", {"template": {"body": "  "}}, {"template.body"}),
    ("no template", {"template": None}, {"template"}),
    ("subject not text", {"template": {"body": "x", "subject": 3}}, {"template.subject"}),
    ("unknown taskType code", {"taskType": 3}, {"taskType"}),
    ("unknown taskType name", {"taskType": "email"}, {"taskType"}),
    ("no taskType", {"taskType": None}, {"taskType"}),
    ("contactId as text", {"contactId": "3100010"}, {"contactId"}),
    ("contactId fractional", {"contactId": 3100010.5}, {"contactId"}),
    ("contactId boolean", {"contactId": True}, {"contactId"}),
    ("no contactId", {"contactId": None}, {"contactId"}),
    ("startAt not a time", {"startAt": "next monday"}, {"startAt"}),
    ("dueTo a number", {"dueTo": 1767000000}, {"dueTo"}),
    (
        "several at once",
        {"taskType": 1, "contactId": "x", "template": {}},
        {"taskType", "contactId", "template.body"},
    ),
]


@pytest.mark.parametrize(("case", "changes", "fields"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_create_is_a_400_naming_the_fields_and_creates_nothing(
    reply_sandbox: ReplySandbox,
    reply_client: Callable[..., httpx.Client],
    case: str,
    changes: dict[str, Any],
    fields: set[str],
) -> None:
    resp = reply_client(reply_sandbox).post("/v3/tasks", json=a_task(CONTACT, **changes))
    assert resp.status_code == 400, case
    assert resp.headers["content-type"] == "application/problem+json; charset=utf-8"
    problem = resp.json()
    # A validation problem (RS @9,500): no `code`, no `type`; JSON Pointers into the body.
    assert problem["status"] == 400 and problem["title"] == "Validation failed"
    assert "code" not in problem and "type" not in problem
    assert {e["pointer"] for e in problem["errors"]} == {pointer(f) for f in fields}
    assert all(e["detail"] for e in problem["errors"])
    assert reply_sandbox.stats()["created_tasks"] == 0


def pointer(field: str) -> str:
    """The JSON Pointer of a dotted body field (`template.body` -> `/template/body`)."""
    return "/" + field.replace(".", "/")


ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    (
        "startAt exactly 2015-01-01",
        {"startAt": "2015-01-01T00:00:00Z", "dueTo": "2015-01-01T00:00:01Z"},
    ),
    ("LinkedIn task with its subtype", {"taskType": 5, "linkedInTaskType": 2}),
    ("LinkedIn task without a subtype", {"taskType": "linkedIn"}),
    ("no subject", {"template": {"body": "Only a body"}}),
    ("a toDo without a contact", {"taskType": "toDo", "contactId": None}),
    (
        "a time without offset is UTC",
        {"startAt": "2026-03-02T09:00:00", "dueTo": "2026-03-02T10:00:00"},
    ),
    ("an offset is converted", {"startAt": "2026-03-02T11:00:00+02:00"}),
]


@pytest.mark.parametrize(("case", "changes"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_the_edges_of_the_rules_are_accepted(
    reply_sandbox: ReplySandbox,
    reply_client: Callable[..., httpx.Client],
    case: str,
    changes: dict[str, Any],
) -> None:
    resp = reply_client(reply_sandbox).post("/v3/tasks", json=a_task(CONTACT, **changes))
    assert resp.status_code == 201, (case, resp.text)
    task = resp.json()
    if "startAt" in changes and "+02:00" in changes["startAt"]:
        assert task["startAt"] == "2026-03-02T09:00:00.000Z"
    if changes.get("startAt") == "2026-03-02T09:00:00":
        assert (task["startAt"], task["dueTo"]) == (
            "2026-03-02T09:00:00.000Z",
            "2026-03-02T10:00:00.000Z",
        )
    if changes.get("taskType") == 5:
        assert task["linkedInTaskType"] == "inMail"  # answered as v3 names
    assert reply_sandbox.stats()["created_tasks"] == 1


def test_an_unknown_contact_is_a_404_contact_not_found(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    resp = reply_client(reply_sandbox).post("/v3/tasks", json=a_task(99))
    assert resp.status_code == 404
    problem = resp.json()
    assert problem["code"] == "contact.notFound"
    assert problem["detail"] == "Contact 99 was not found."
    assert "errors" not in problem
    assert reply_sandbox.stats()["created_tasks"] == 0


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"a string"'])
def test_a_body_that_is_not_a_json_object_is_a_400(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client], raw: bytes
) -> None:
    resp = reply_client(reply_sandbox).post(
        "/v3/tasks", content=raw, headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400
    assert "code" not in resp.json()
    assert resp.json()["errors"][0]["pointer"] == ""  # "" is the whole body (RS @11,000)


# JSON has no NaN or infinity: a body holding one could not be sent at all.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
MISSING = object()


def mostly(valid: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`valid` seven times in ten, else the field left out or one of `other`."""
    return st.integers(0, 9).flatmap(
        lambda n: st.just(valid) if n < 7 else (st.just(MISSING) if n == 7 else other)
    )


FIELD_VALUES = {
    "taskType": mostly(2, st.sampled_from([0, 3, 5, 7, "call", "linkedIn", "fax"]) | JSON_VALUES),
    "startAt": mostly(
        "2026-03-02T09:00:00Z", st.sampled_from(["2014-01-01T00:00:00Z", "soon"]) | JSON_VALUES
    ),
    "dueTo": mostly("2026-03-03T09:00:00Z", st.just("2026-03-01T00:00:00Z") | JSON_VALUES),
    "template": mostly(
        {"body": "Hi {{firstName}}"},
        st.fixed_dictionaries({}, optional={"body": JSON_VALUES, "subject": JSON_VALUES})
        | JSON_VALUES,
    ),
    "contactId": mostly(CONTACT, st.sampled_from([1, "3100010"]) | JSON_VALUES),
    "linkedInTaskType": mostly(MISSING, st.sampled_from([0, 1, 9, "connect"]) | JSON_VALUES),
}
KNOWN_FIELDS = {
    "taskType",
    "startAt",
    "dueTo",
    "template.body",
    "template.subject",
    "template",
    "contactId",
    "linkedInTaskType",
}


@pytest.fixture(scope="module")
def unlimited() -> Iterator[ReplySandbox]:
    """A sandbox whose limits never bite, shared by the generated examples."""
    with running_sandbox(
        vendor="reply", tasks=50, rate_limits={"minute": 10**6, "hour": 10**7}
    ) as sb:
        assert isinstance(sb, ReplySandbox)
        yield sb


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=st.fixed_dictionaries(FIELD_VALUES))
def test_any_create_body_is_created_as_sent_or_refused_field_by_field(
    unlimited: ReplySandbox, reply_client: Callable[..., httpx.Client], drawn: dict[str, Any]
) -> None:
    body = {k: v for k, v in drawn.items() if v is not MISSING}
    api = reply_client(unlimited)
    before = unlimited.stats()["created_tasks"]
    resp = api.post("/v3/tasks", json=body)
    after = unlimited.stats()["created_tasks"]
    assert resp.status_code in (201, 400, 404), resp.text
    event(f"status {resp.status_code}")
    if resp.status_code == 201:
        task = resp.json()
        assert after == before + 1
        assert task["contactId"] == body.get("contactId")
        assert task["template"]["body"] == body["template"]["body"]
        assert api.get(f"/v3/tasks/{task['id']}").json() == task
    else:
        assert after == before
        problem = resp.json()
        if resp.status_code == 400:
            pointers = {e["pointer"] for e in problem["errors"]}
            assert problem["errors"] and pointers <= {pointer(f) for f in KNOWN_FIELDS}
        else:
            assert problem["code"] == "contact.notFound"
