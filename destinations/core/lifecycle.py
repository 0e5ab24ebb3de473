"""Which delivered tasks change, and how: the vendor-neutral planner of `--mode upsert|mirror`.

Input rows are compared with what the push last wrote to their tasks (the change ledger,
`change_ledger.py`); a row whose hash moved since is a candidate. Its wanted values, in the
shared vocabulary (`changes.py`), come from the contract's columns: `due_at`, `note`, `priority`,
`owner` (`user_id`, else the vendor's resolution of `user_email`), and a `status` of `completed`,
`skipped` or `cancelled` (any other status, the vendor's own codes included, means open). An
empty column is not managed: it leaves the task's value as it is. In mirror mode a delivered
task whose request_id left the input is a candidate to `cancel`.

Every candidate's task is read back (`ChangeVendor.read`, as few calls as the vendor's read
allows) before anything is planned, so a plan holds only what differs in the vendor now:

- the task is gone: recorded, nothing sent;
- it differs from what the push last wrote, on a field it would change, and not in the way the
  row wants: a person changed it, so it is reported and left alone (`overwrite_manual` diffs
  against the read instead);
- otherwise the change is the difference between the wanted values and the read: an `update` of
  the fields that differ, or the close (`complete`, `skip`, `cancel`) when the status asks for
  one (a close carries no field changes: the task is done). Reopening a closed task is not a
  change the vendors offer: rejected with that reason, as is whatever
  `ChangeVendor.unsupported` names.

A task the change ledger does not know yet (delivered by a create-mode push) has no record of
what was written: the read stands for it, and a person's change before this run cannot be told.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

from sales_tasks.clients.core.values import parse_utc
from sales_tasks.destinations.core.change_ledger import (
    GONE,
    MANUAL,
    REJECTED,
    VALUE_FIELDS,
    ChangeEntry,
)
from sales_tasks.destinations.core.changes import (
    ChangeKind,
    ChangeVendor,
    TaskChange,
    TaskSnapshot,
)
from sales_tasks.destinations.core.contract import INPUT_REJECTION, InputRules, validate_row
from sales_tasks.destinations.core.ledger import LedgerEntry

STATUS_KIND = {"completed": "complete", "skipped": "skip", "cancelled": "cancel"}
KIND_STATUS = {kind: status for status, kind in STATUS_KIND.items()}
CLOSES = frozenset(KIND_STATUS)
CREATE = "create"
OPEN = "open"
SHARED_PRIORITIES = ("urgent", "high", "medium", "low")
# The guard's default: at most this share of the open delivered tasks, and never fewer than
# `MIN_MAX_CLOSE`, may be closed by one mirror run because their rows left the input.
MAX_CLOSE_SHARE = 0.10
MIN_MAX_CLOSE = 10


def default_max_close(open_delivered: int) -> int:
    """The guard's limit for a ledger holding `open_delivered` open tasks."""
    return max(MIN_MAX_CLOSE, int(open_delivered * MAX_CLOSE_SHARE))


@dataclass(frozen=True)
class PlannedChange:
    """One line of a plan: a create, or a change to a delivered task.

    `row_hash` is the input row's hash it was planned from ("" for a close of a row that left
    the input), `version` the change ledger's version of the task (0: none yet), `base` the
    task's values as read when planned (what the ledger records as written once it is done).
    """

    request_id: str
    kind: str  # create | update | complete | skip | cancel
    fields: Mapping[str, Any] = field(default_factory=dict)
    row_hash: str = ""
    version: int = 0
    task_id: str | None = None
    base: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[str, str, str, str, int]:
        """What must be equal for a stored plan to still hold (`plan_table.py`)."""
        shown = repr(sorted((k, _text(k, v)) for k, v in self.fields.items()))
        return (self.request_id, self.kind, shown, self.row_hash, self.version)

    def task_change(self) -> TaskChange:
        """The change as a `ChangeVendor` takes it (`due_at` an aware datetime)."""
        kind = cast(ChangeKind, self.kind)
        fields = dict(self.fields)
        if fields.get("due_at") is not None:
            fields["due_at"] = parse_utc(fields["due_at"]) or fields["due_at"]
        return TaskChange(self.request_id, str(self.task_id), kind, fields)

    def written_after(self) -> dict[str, Any]:
        """The task's values once this change is made."""
        done = {**self.base, **self.fields}
        if self.kind in CLOSES:
            done["status"] = KIND_STATUS[self.kind]
        return done


@dataclass
class LifecyclePlan:
    """What one upsert or mirror run would do (creates come from the delivery engine's plan)."""

    mode: str
    changes: list[PlannedChange] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # request_id -> reason
    manual: dict[str, str] = field(default_factory=dict)  # request_id -> what a person changed
    # Recorded without a call: (request_id, state, keyword values for `record_outcomes`).
    settled: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    # First seen and unchanged since created: (request_id, task_id, row_hash, values).
    baselines: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    open_delivered: int = 0
    reads: int = 0  # tasks read back

    def counts(self) -> dict[str, int]:
        found = {kind: 0 for kind in (CREATE, "update", *sorted(CLOSES))}
        for change in self.changes:
            found[change.kind] += 1
        return found

    def mirror_closes(self) -> list[PlannedChange]:
        """Closes of tasks whose rows left the input (what the guard counts)."""
        return [c for c in self.changes if c.kind in CLOSES and not c.row_hash]


def _moment(value: Any) -> datetime | date | None:
    """A due date as an aware UTC instant, or a day when the value holds only a date."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) == 10:
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)
    return parse_utc(text)


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if name == "due_at":
        moment = _moment(value)
        return moment.isoformat() if moment is not None else str(value)
    return str(value)


def same(name: str, a: Any, b: Any) -> bool:
    """Whether two values of field `name` are equal (due dates as instants; as days when either
    side holds only a day, as some vendors keep them)."""
    if name == "due_at" and a is not None and b is not None:
        x, y = _moment(a), _moment(b)
        if x is not None and y is not None:
            if not isinstance(x, datetime) or not isinstance(y, datetime):
                x = x.astimezone(UTC).date() if isinstance(x, datetime) else x
                y = y.astimezone(UTC).date() if isinstance(y, datetime) else y
            return x == y
    return _text(name, a) == _text(name, b)


def shared_priority(code: str | None, rules: InputRules) -> str | None:
    """A vendor's priority code in the shared vocabulary (`urgent|high|medium|low`), as a
    `ChangeVendor` reads and writes it; a code with no shared name stays as it is."""
    if code is None:
        return None
    for name, vendor_code in rules.names.get("priority", {}).items():
        if vendor_code == code and name in SHARED_PRIORITIES:
            return name
    return code


def snapshot_values(snapshot: TaskSnapshot) -> dict[str, Any]:
    return {
        "due_at": snapshot.due_at,
        "note": snapshot.note,
        "priority": snapshot.priority,
        "owner": snapshot.owner,
        "status": snapshot.status,
    }


def probe_row(raw: Mapping[str, Any], rules: InputRules) -> tuple[dict[str, Any], str]:
    """The row to validate for its other columns, and the status it asks for (`open` or a
    shared close status): the vendor's create statuses do not judge a close."""
    status = str(raw.get("status") or "").strip().lower()
    probe = dict(raw)
    if status in STATUS_KIND:
        probe["status"] = rules.default_status or sorted(rules.statuses)[0]
        return probe, status
    return probe, OPEN


def wanted_values(raw: Mapping[str, Any], rules: InputRules) -> tuple[dict[str, Any] | None, str]:
    """The values a row asks of its task, or None and the reason it cannot be used.

    An owner given by email only is left None here, with `owner_email` set: the vendor resolves
    it for candidates only (`plan_changes`).
    """
    probe, status = probe_row(raw, rules)
    checked = validate_row(probe, rules)
    if checked.task is None:
        return None, checked.reason or "invalid row"
    task = checked.task
    values = {
        "due_at": task["due_at"],
        "note": task["note"],
        "priority": shared_priority(task["priority"], rules),
        "owner": task["user_id"],
        "status": status,
    }
    if task["user_id"] is None and task["user_email"]:
        values["owner_email"] = task["user_email"]
    return values, ""


def recorded(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the change ledger keeps them (an unresolved owner email is not a value)."""
    return {k: v for k, v in values.items() if k != "owner_email"}


def diff(want: Mapping[str, Any], have: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | str:
    """The change that turns `have` into `want`: (kind, fields), ("", {}) for none, or the
    reason no change can do it."""
    have_status = have.get("status") or OPEN
    if want["status"] != OPEN:
        if have_status == want["status"]:
            return "", {}
        if have_status != OPEN:
            return f"the task is already {have_status}; it cannot also be {want['status']}"
        return STATUS_KIND[want["status"]], {}
    if have_status != OPEN:
        return (
            f"the task is {have_status} in the vendor and the row wants it open: reopening is"
            " not a change the push makes"
        )
    fields = {
        name: want[name]
        for name in VALUE_FIELDS
        if want.get(name) is not None and not same(name, want[name], have.get(name))
    }
    return ("update", fields) if fields else ("", {})


def manual_fields(
    want: Mapping[str, Any], written: Mapping[str, Any], now: Mapping[str, Any]
) -> list[str]:
    """Fields a person changed: the task now differs from what we wrote and from what we want."""
    names = [n for n in VALUE_FIELDS if want.get(n) is not None] + ["status"]
    return [
        n
        for n in names
        if written.get(n) is not None
        and not same(n, now.get(n), written[n])
        and not same(n, now.get(n), want[n])
    ]


@dataclass
class _Candidate:
    request_id: str
    task_id: str
    row_hash: str  # "" for a row that left the input
    want: dict[str, Any]
    written: dict[str, Any]  # {} when unknown
    version: int


def _settle(c: _Candidate, state: str, **values: Any) -> tuple[str, str, dict[str, Any]]:
    return (c.request_id, state, {**values, "task_id": c.task_id})


def plan_changes(
    rows: Sequence[Mapping[str, Any]],
    delivered: Mapping[str, LedgerEntry],
    known: Mapping[str, ChangeEntry],
    change_vendor: ChangeVendor,
    rules: InputRules,
    *,
    mode: str,
    overwrite_manual: bool = False,
    resolve_owner: Callable[[Sequence[Mapping[str, Any]]], Mapping[str, str | None]] | None = None,
) -> LifecyclePlan:
    """Plan the changes of one upsert or mirror run (see the module docstring).

    Args:
        rows: the input rows (duplicates flagged by the reader are skipped).
        delivered: every delivered ledger entry of this vendor and account, by request_id.
        known: the change ledger's entries (none `changing`: settle those first).
        resolve_owner: input rows -> {request_id: the vendor's id of the row's `user_email`,
            or None when it names no user}, for candidates whose row names its owner by email.
    """
    plan = LifecyclePlan(mode)
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    for raw in rows:
        request_id = str(raw.get("request_id") or "").strip()
        entry = delivered.get(request_id)
        if not request_id or raw.get(INPUT_REJECTION) or entry is None or not entry.task_id:
            continue
        seen.add(request_id)
        row_hash = validate_row(raw, rules).row_hash
        have = known.get(request_id)
        if have is not None and have.state == GONE:
            plan.gone.append(request_id)
            continue
        kept = (REJECTED,) if overwrite_manual else (MANUAL, REJECTED)
        if have is not None and have.state in kept and have.row_hash == row_hash:
            # Reported again with the kept reason, without a read or a call.
            target = plan.manual if have.state == MANUAL else plan.rejected
            target[request_id] = have.error or have.state
            continue
        base_hash = have.row_hash if have is not None and have.row_hash else entry.row_hash
        if have is not None and have.state == MANUAL:
            base_hash = ""  # overwriting: a candidate whatever its hash
        want, reason = wanted_values(raw, rules)
        if want is None:
            if row_hash != base_hash:
                plan.rejected[request_id] = reason
            continue
        if have is None and row_hash == base_hash:
            plan.baselines.append((request_id, entry.task_id, row_hash, recorded(want)))
            continue
        if row_hash == base_hash:
            continue
        written = dict(have.written) if have is not None else {}
        version = have.version if have is not None else 0
        candidates.append(_Candidate(request_id, entry.task_id, row_hash, want, written, version))
    for request_id, entry in delivered.items():
        have = known.get(request_id)
        closed = have is not None and (
            have.state == GONE or (have.written.get("status") or OPEN) != OPEN
        )
        if not closed and entry.task_id:
            plan.open_delivered += 1
        if mode != "mirror" or request_id in seen or closed or not entry.task_id:
            continue
        written = dict(have.written) if have is not None else {}
        want = {"status": KIND_STATUS["cancel"]}
        version = have.version if have is not None else 0
        candidates.append(_Candidate(request_id, entry.task_id, "", want, written, version))
    raws = {str(r.get("request_id") or "").strip(): r for r in rows}
    candidates = _owners(plan, candidates, raws, resolve_owner)
    _plan_candidates(plan, candidates, change_vendor, overwrite_manual)
    return plan


def _owners(
    plan: LifecyclePlan,
    candidates: list[_Candidate],
    raws: Mapping[str, Mapping[str, Any]],
    resolve_owner: Callable[[Sequence[Mapping[str, Any]]], Mapping[str, str | None]] | None,
) -> list[_Candidate]:
    """Owner emails resolved to the vendor's ids; a row whose email names no user is rejected."""
    asking = [raws[c.request_id] for c in candidates if c.want.get("owner_email")]
    found = resolve_owner(asking) if asking and resolve_owner is not None else {}
    kept = []
    for c in candidates:
        email = c.want.pop("owner_email", None)
        if email is not None:
            c.want["owner"] = found.get(c.request_id)
            if c.want["owner"] is None:
                plan.rejected[c.request_id] = f"user_email {email!r} names no user of the vendor"
                continue
        kept.append(c)
    return kept


def _plan_candidates(
    plan: LifecyclePlan,
    candidates: list[_Candidate],
    change_vendor: ChangeVendor,
    overwrite_manual: bool,
) -> None:
    if not candidates:
        return
    read = change_vendor.read([c.task_id for c in candidates])
    plan.reads = len(candidates)
    for c in candidates:
        snapshot = read.get(c.task_id)
        if snapshot is None:
            plan.gone.append(c.request_id)
            plan.settled.append(_settle(c, GONE, row_hash=c.row_hash or None))
            continue
        now = snapshot_values(snapshot)
        changed_by_person = manual_fields(c.want, c.written, now)
        if changed_by_person and not overwrite_manual:
            shown = ", ".join(
                f"{n} {_text(n, c.written.get(n))!r} -> {_text(n, now.get(n))!r}"
                for n in changed_by_person
            )
            why = f"changed in the vendor since the push wrote it ({shown}): left alone"
            plan.manual[c.request_id] = why
            plan.settled.append(_settle(c, MANUAL, error=why, row_hash=c.row_hash or None))
            continue
        if not c.row_hash and now["status"] != OPEN:
            # Left the input and already closed in the vendor: nothing to send.
            plan.settled.append(_settle(c, "changed", written=now))
            continue
        found = diff(c.want, now)
        if isinstance(found, str):
            plan.rejected[c.request_id] = found
            plan.settled.append(_settle(c, REJECTED, error=found, row_hash=c.row_hash or None))
            continue
        kind, fields = found
        if not kind:
            written = {**now, **{k: v for k, v in c.want.items() if v is not None}}
            plan.settled.append(_settle(c, "changed", written=written, row_hash=c.row_hash or None))
            continue
        change = PlannedChange(
            c.request_id, kind, fields, c.row_hash, c.version, c.task_id, base=now
        )
        why_not = change_vendor.unsupported(change.task_change())
        if why_not:
            plan.rejected[c.request_id] = why_not
            plan.settled.append(_settle(c, REJECTED, error=why_not, row_hash=c.row_hash or None))
            continue
        plan.changes.append(change)
