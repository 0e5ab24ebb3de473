"""`destinations/core` is the part every vendor shares: it names none of them, and a vendor's
contract (defaults, allowed values, due date form) is the vendor's to declare."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sales_tasks.destinations.core.contract import InputRules, validate_row

CORE = Path(__file__).resolve().parents[2] / "destinations" / "core"
VENDOR_NAMES = re.compile(r"apollo|saleshandy|reply\.io|replyio", re.IGNORECASE)


def test_the_shared_core_names_no_vendor() -> None:
    hits = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(CORE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if VENDOR_NAMES.search(line)
    ]
    assert len(list(CORE.rglob("*.py"))) > 10
    assert hits == []


BARE = InputRules(
    task_types=frozenset({"todo"}),
    statuses=frozenset({"open", "done"}),
    priorities=frozenset(),
    needs_user=False,
)
ROW = {"request_id": "r", "contact_id": "c", "type": "todo", "due_at": "2025-07-01T09:00:00Z"}


def test_defaults_and_the_due_date_form_come_from_the_vendors_rules() -> None:
    bare = validate_row({**ROW, "status": "open"}, BARE).task
    assert bare is not None
    # No priority and no default declared; the due date in the core's form (none was asked).
    assert (bare["status"], bare["priority"], bare["due_at"]) == (
        "open",
        None,
        "2025-07-01T09:00:00+00:00",
    )
    assert validate_row(ROW, BARE).reason == "missing status: use one of done, open"
    given = validate_row({**ROW, "status": "open", "priority": "medium"}, BARE)
    assert given.reason == "priority 'medium' given, but this vendor has none: leave it empty"
    rules = InputRules(
        task_types=BARE.task_types,
        statuses=BARE.statuses,
        priorities=frozenset({"p1", "p2"}),
        default_status="done",
        default_priority="p2",
        needs_user=False,
        format_due_at=lambda utc: utc.strftime("%Y%m%dT%H%MZ"),
    )
    task = validate_row(ROW, rules).task
    assert task is not None
    assert (task["status"], task["priority"], task["due_at"]) == ("done", "p2", "20250701T0900Z")
    # A given value is judged by the allowed ones, never replaced by the default first.
    assert validate_row({**ROW, "priority": "urgent"}, rules).reason == (
        "unknown priority 'urgent': use one of p1, p2"
    )


def test_a_default_outside_the_allowed_values_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="default priority 'medium' is not an allowed priority"):
        InputRules(
            task_types=frozenset({"todo"}),
            statuses=frozenset({"open"}),
            priorities=frozenset({"p1"}),
            default_priority="medium",
        )
