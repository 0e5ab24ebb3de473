"""A Reply task as a `tasks` row, for any answer (`hypothesis`): every task with an id becomes
exactly one typed row, enum codes and names agree whichever form came, unknown values and fields
are kept, and nothing a vendor could send stops the conversion."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.sources.reply.schema import TASK_COLUMNS, task_row, tasks_table
from tests.profiles import examples

# Every value `orjson.loads` (the client's decoder) can produce: integers up to 64 bits unsigned.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
ANY = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=8), inner, max_size=3), max_leaves=6)  # fmt: skip
FIELDS = ("contact", "contactId", "taskType", "status", "linkedInTaskType", "creationSource",
          "assignedUserId", "createdAt", "startAt", "dueTo", "finishedAt", "isFailed",
          "isScheduled", "template", "deliveryInfo", "content", "sequenceStepDisplayName",
          "sequenceId", "sequenceStepId", "somethingNew")  # fmt: skip
TASK = st.fixed_dictionaries(
    {"id": st.integers(min_value=1, max_value=2**62)},
    optional={name: ANY for name in FIELDS},
)


@settings(max_examples=examples(quick=40, deep=500), deadline=None)
@given(st.lists(TASK, min_size=1, max_size=8))
def test_any_answer_becomes_one_typed_row_per_task(tasks: list[dict[str, Any]]) -> None:
    unknown: set[str] = set()
    table = tasks_table([task_row(t, unknown) for t in tasks])
    assert table.num_rows == len(tasks) and table.column_names == [c for c, _ in TASK_COLUMNS]
    assert table.column("id").to_pylist() == [t["id"] for t in tasks]
    assert table.schema.field("task_type").type == pa.int64()
    for row, task in zip(table.to_pylist(), tasks, strict=True):
        assert (row["extra_fields"] is not None) == ("somethingNew" in task)
        if row["task_type_name"] is not None and row["task_type"] is not None:
            assert row["task_type_name"] in ("toDo", "call", "meeting", "linkedIn",
                                             "manualEmail", "sms", "whatsApp")  # fmt: skip


def test_both_forms_and_unknown_values() -> None:
    unknown: set[str] = set()
    numbers = task_row({"id": 1, "taskType": 5, "status": 4, "linkedInTaskType": 2}, unknown)
    names = task_row(
        {"id": 1, "taskType": "LinkedIn", "status": "archived", "linkedInTaskType": "inMail"},
        unknown,
    )
    assert numbers == names and not unknown
    assert (numbers["task_type"], numbers["task_type_name"]) == (5, "linkedIn")
    assert (numbers["status_name"], numbers["linkedin_task_type_name"]) == ("archived", "inMail")
    later = task_row({"id": 2, "taskType": 11, "status": "snoozed"}, unknown)
    assert (later["task_type"], later["task_type_name"]) == (11, None)
    assert (later["status"], later["status_name"]) == (None, "snoozed")
    assert unknown == {"taskType=11", "status=snoozed"}


def test_a_list_item_and_a_detail_give_the_same_row() -> None:
    # The list's summary (contact {id, fullName}) and the detail (contactId, detail-only fields)
    # of one task land as the same row, but the name only the list carries.
    item = {"id": 7, "taskType": "call", "status": "finished", "contact": {"id": 3, "fullName": "A B"},
            "finishedAt": "2026-01-02T00:00:00Z", "assignedUserId": 9}  # fmt: skip
    detail = {"id": 7, "taskType": "call", "status": "finished", "contactId": 3,
              "finishedAt": "2026-01-02T00:00:00Z", "assignedUserId": 9, "createdAt": "x",
              "creationSource": "user", "template": {"body": "b"}, "deliveryInfo": None}  # fmt: skip
    from_list, from_detail = task_row(item), task_row(detail)
    assert (from_list["contact_id"], from_list["contact_name"]) == (3, "A B")
    assert from_detail == {**from_list, "contact_name": None}
    assert from_list["completed_at"] == "2026-01-02T00:00:00Z" and from_list["extra_fields"] is None
    assert task_row({"id": 8, "contact": None})["contact_id"] is None
