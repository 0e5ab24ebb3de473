"""A Reply task as a `tasks` row, for any answer (`hypothesis`): every task with an id becomes
exactly one typed row, enum codes and names agree whichever form came, unknown values and fields
are kept, and nothing a vendor could send stops the conversion."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.reply.schema import TASK_COLUMNS, task_row, tasks_table

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
FIELDS = ("contactId", "taskType", "status", "linkedInTaskType", "source", "assignedUserId",
          "createdAt", "startAt", "dueTo", "completedAt", "isFailed", "isScheduled", "template",
          "delivery", "content", "sequenceStepName", "somethingNew")  # fmt: skip
TASK = st.fixed_dictionaries(
    {"id": st.integers(min_value=1, max_value=2**62)},
    optional={name: ANY for name in FIELDS},
)


@settings(max_examples=120, deadline=None)
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
    assert (numbers["status_name"], numbers["linkedin_task_type_name"]) == ("Archived", "InMail")
    later = task_row({"id": 2, "taskType": 11, "status": "snoozed"}, unknown)
    assert (later["task_type"], later["task_type_name"]) == (11, None)
    assert (later["status"], later["status_name"]) == (None, "snoozed")
    assert unknown == {"taskType=11", "status=snoozed"}
