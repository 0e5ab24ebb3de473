"""The input contract of every task sink: one warehouse row = one intended task.

Columns: `request_id` (required, unique per intended task), `user_id` or `user_email`,
`contact_id` or `contact_email`, `type`, `status` (default `scheduled`), `due_at` (ISO 8601 or a
timestamp column; no offset means UTC), `priority` (default `medium`), `note`, `title`.

Vendor-neutral: the allowed types, statuses and priorities come from the vendor (`TRules`). Only
per-row checks live here; checks that need the whole input (duplicate request_ids) are in
`mark_duplicates`, run by whoever reads the input. Rejection texts are shown to people, so each
says what is wrong and what to do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, TypedDict

import orjson

CONTRACT_COLUMNS = (
    "request_id",
    "user_id",
    "user_email",
    "contact_id",
    "contact_email",
    "type",
    "status",
    "due_at",
    "priority",
    "note",
    "title",
)
# Set by the input reader: the input position and a rejection only the whole input can decide.
ROW_NUMBER = "_row"
INPUT_REJECTION = "_input_rejection"

# The hash's canonical JSON has sorted keys; building it in this order spares orjson the sort.
_HASHED_COLUMNS = tuple(sorted(CONTRACT_COLUMNS))

DEFAULT_STATUS = "scheduled"
DEFAULT_PRIORITY = "medium"


class TTaskRow(TypedDict):
    """A validated row. `user_id`/`contact_id` may still be None until emails are resolved."""

    row: int
    request_id: str
    row_hash: str
    user_id: str | None
    user_email: str | None
    contact_id: str | None
    contact_email: str | None
    type: str
    status: str
    priority: str
    due_at: str  # normalised UTC, `YYYY-MM-DDTHH:MM:SS.mmm+00:00` as Apollo echoes it
    note: str | None
    title: str | None


@dataclass(frozen=True)
class TRules:
    """What a vendor accepts; supplied by the vendor module."""

    task_types: frozenset[str]
    statuses: frozenset[str]
    priorities: frozenset[str]
    needs_user: bool = True


@dataclass(frozen=True)
class TValidated:
    """A row's validation result: `task` when valid, else `reason`."""

    row: int
    request_id: str | None
    row_hash: str
    task: TTaskRow | None
    reason: str | None
    utc_assumed: bool = False


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is str:  # the usual case, first
        return value.strip() or None
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def to_input_value(value: Any) -> Any:
    """A warehouse value as the contract carries it: text, with timestamps as ISO 8601.

    A naive timestamp keeps no offset, so validation later reports it as taken for UTC.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def row_hash(raw: Mapping[str, Any]) -> str:
    """A stable fingerprint of a row's contract columns, to notice a row changed since delivery."""
    return _hash_texts({name: _text(raw.get(name)) for name in _HASHED_COLUMNS})


def _hash_texts(texts: Mapping[str, str | None]) -> str:
    # Same bytes as orjson.dumps(..., option=OPT_SORT_KEYS): ledgers keep their hashes.
    canonical = {name: texts[name] for name in _HASHED_COLUMNS}
    return hashlib.sha256(orjson.dumps(canonical)).hexdigest()[:32]


def normalize_due_at(value: Any) -> tuple[str, bool]:
    """Parse an ISO 8601 date-time (or timestamp) into Apollo's UTC form.

    Returns:
        The normalised value and whether it had no offset (and so was taken as UTC).

    Raises:
        ValueError: not a date-time.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        return _normalize_due_text(str(value).strip())
    return _normalize_parsed(parsed)


@lru_cache(maxsize=4096)
def _normalize_due_text(text: str) -> tuple[str, bool]:
    # Pushes repeat a few due dates over many rows: parse each text once.
    return _normalize_parsed(datetime.fromisoformat(text))


def _normalize_parsed(parsed: datetime) -> tuple[str, bool]:
    assumed = parsed.tzinfo is None or parsed.utcoffset() is None
    if assumed:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="milliseconds"), assumed


def parse_utc(value: str | None) -> datetime | None:
    """A vendor timestamp (`...436Z`, `...000+00:00`) as an aware UTC datetime, or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _one_of(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def validate_row(raw: Mapping[str, Any], rules: TRules, *, row: int = 0) -> TValidated:
    """Check one input row against the contract; never raises for bad data."""
    row = int(raw.get(ROW_NUMBER) or row)
    text = {name: _text(raw.get(name)) for name in CONTRACT_COLUMNS}
    fingerprint = _hash_texts(text)
    request_id = text["request_id"]

    def reject(reason: str) -> TValidated:
        return TValidated(row, request_id, fingerprint, None, reason)

    if request_id is None:
        return reject("missing request_id: every row needs a request_id, unique per intended task")
    input_rejection = _text(raw.get(INPUT_REJECTION))
    if input_rejection:
        return reject(input_rejection)
    task_type = text["type"]
    if task_type is None:
        return reject(f"missing type: use one of {_one_of(rules.task_types)}")
    if task_type not in rules.task_types:
        return reject(f"unknown type {task_type!r}: use one of {_one_of(rules.task_types)}")
    user_id, user_email = text["user_id"], text["user_email"]
    if rules.needs_user and user_id is None and user_email is None:
        return reject("missing user: give user_id or user_email")
    contact_id, contact_email = text["contact_id"], text["contact_email"]
    if contact_id is None and contact_email is None:
        return reject("missing contact: give contact_id or contact_email")
    status = text["status"] or DEFAULT_STATUS
    if status not in rules.statuses:
        return reject(f"unknown status {status!r}: use one of {_one_of(rules.statuses)}")
    priority = text["priority"] or DEFAULT_PRIORITY
    if priority not in rules.priorities:
        return reject(f"unknown priority {priority!r}: use one of {_one_of(rules.priorities)}")
    raw_due = raw.get("due_at")
    if text["due_at"] is None:
        return reject("missing due_at: give an ISO 8601 date-time such as 2025-02-15T08:10:30Z")
    try:
        due_at, assumed = normalize_due_at(raw_due)
    except (ValueError, TypeError):
        return reject(
            f"bad due_at {text['due_at']!r}: not an ISO 8601 date-time"
            " (e.g. 2025-02-15T08:10:30Z or 2025-02-15T10:10:30+02:00)"
        )
    task = TTaskRow(
        row=row,
        request_id=request_id,
        row_hash=fingerprint,
        user_id=user_id,
        user_email=None if user_id else user_email,
        contact_id=contact_id,
        contact_email=None if contact_id else contact_email,
        type=task_type,
        status=status,
        priority=priority,
        due_at=due_at,
        note=text["note"],
        title=text["title"],
    )
    return TValidated(row, request_id, fingerprint, task, None, assumed)


def mark_duplicates(rows: list[dict[str, Any]]) -> int:
    """Flag rows whose request_id repeats in the input, in place; returns how many were flagged.

    Identical copies (same row hash) are one intended task: the first is kept and the others are
    rejected as copies. Copies that differ cannot be told apart, so none of them is sent.
    """
    seen: dict[str, list[dict[str, Any]]] = {}
    for raw in rows:
        request_id = _text(raw.get("request_id"))
        if request_id is not None:
            seen.setdefault(request_id, []).append(raw)
    flagged = 0
    for request_id, copies in seen.items():
        if len(copies) < 2:
            continue
        numbers = ", ".join(str(c.get(ROW_NUMBER)) for c in copies)
        if len({row_hash(c) for c in copies}) == 1:
            for copy in copies[1:]:
                copy[INPUT_REJECTION] = (
                    f"duplicate request_id {request_id!r}: identical copy of row"
                    f" {copies[0].get(ROW_NUMBER)}, which is the one sent"
                )
                flagged += 1
        else:
            for copy in copies:
                copy[INPUT_REJECTION] = (
                    f"duplicate request_id {request_id!r} in rows {numbers} with different values:"
                    " make request_id unique per intended task (none of these rows was sent)"
                )
                flagged += 1
    return flagged
