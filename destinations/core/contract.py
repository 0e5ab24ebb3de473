"""The input contract of every task sink: one warehouse row = one intended task.

Columns: `request_id` (required, unique per intended task), `user_id` or `user_email`,
`contact_id` or `contact_email`, `type`, `status`, `due_at` (ISO 8601 or a timestamp column; no
offset means UTC), `priority`, `note`, `title`.

Vendor-neutral: each vendor adapter declares its contract as `InputRules`: the allowed types, statuses
and priorities, the defaults of status and priority (a given value is checked against the allowed
ones; a default is used only when the column is empty), whether a user is needed, the due date
window and the form the vendor wants due dates in (`format_due_at`). A vendor may also name its own
input columns for contract ones (`columns`, e.g. `prospect_id` for `contact_id`), add columns only it has
(`extra_columns`, carried in `extra`), accept readable and shared-vocabulary names for its codes
(`names`, `unsupported`: see `sales_tasks.clients.vocabulary`), parse due dates its own way (`parse_due`)
and add cross-field rules (`check`). Every vendor accepts `task_type` for `type`. Only
per-row checks live here; checks that need the whole input (duplicate request_ids) are in
`mark_duplicates`, run by whoever reads the input. Rejection texts are shown to people, so each
says what is wrong and what to do, in one line, quoting the value only truncated.

Hostile input is rejected per row, never raised (`value_problem` for any warehouse value):
- text columns hold text; booleans, floats, dates, binary, lists are not text. Whole numbers
  (integers, integral decimals) and UUIDs are accepted in the id columns only (`ID_COLUMNS`),
  where warehouses often keep them; cast anything else to text in the query.
- `due_at` is a date-time string, a DATE or a TIMESTAMP, finite and inside the vendor's window
  (default 1970-01-01 .. 2099-12-31 UTC: no CRM wants a task due in year 1 or 9999, and
  DuckDB reads DATE 'infinity' as 9999-12-31).
- No NUL characters (PostgreSQL text and JSONB cannot store them) and no lone surrogates.
- Lengths are capped (`MAX_LENGTHS`): request_id and ids fit a ledger index, emails RFC 5321's
  254, titles and notes far above any real one (no vendor documents a limit).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, TypedDict
from uuid import UUID

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

# Columns that may hold whole numbers or UUIDs (written as text); every other column is text.
ID_COLUMNS = frozenset({"request_id", "user_id", "contact_id"})
# Other input names every vendor accepts for a contract column (cross-vendor SQL uses one name).
CORE_ALIASES: dict[str, tuple[str, ...]] = {"type": ("task_type",)}
# The columns whose value may be a readable or shared name of a vendor code.
NAMED_COLUMNS = ("type", "status", "priority")
MAX_LENGTHS = {
    "request_id": 255,
    "user_id": 255,
    "contact_id": 255,
    "user_email": 254,
    "contact_email": 254,
    "title": 1_000,
    "note": 65_535,
}
EXTRA_MAX_LENGTH = 65_535  # of a vendor's own text column
DUE_AT_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
DUE_AT_LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
SHOWN_CHARS = 40  # of a value quoted in a rejection
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
# What `str()` of an out-of-range date looks like: DuckDB `10000-01-01 13:59:59+00`,
# PostgreSQL `0044-03-15 BC`; and the infinities both spell.
_BEYOND_PYTHON = re.compile(r"^\s*[+-]?\d{5,}-|\sBC\s*$", re.IGNORECASE)
_INFINITE = frozenset({"infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"})


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
    priority: str | None  # None: empty and the vendor declares no default
    due_at: str | None  # in the vendor's form; None only when the vendor has a default
    note: str | None
    title: str | None
    extra: dict[str, str | None]  # the vendor's own columns (`InputRules.extra_columns`)


def iso_utc(utc: datetime) -> str:
    """A UTC instant as ISO 8601 with seconds (`2025-02-15T08:10:30+00:00`)."""
    return utc.isoformat(timespec="seconds")


@dataclass(frozen=True)
class InputRules:
    """A vendor's input contract, declared by its adapter and applied here.

    Attributes:
        task_types, statuses, priorities: the values the vendor accepts (an empty `priorities`
            means the vendor has no priority: a row must leave it empty).
        default_status, default_priority: used when the column is empty (None: no default, so an
            empty status is refused and an empty priority stays None).
        needs_user: whether a row must name a user.
        due_at_earliest, due_at_latest: the window a due date must fall in (latest exclusive).
        format_due_at: the vendor's form of a UTC due date (what it echoes, so reconciliation
            compares like with like).
        columns: contract column -> the vendor's input names for it (aliases).
        extra_columns: the vendor's own input columns, validated as text, kept in `extra`.
        number_columns, datetime_columns: columns (contract or extra) that may also hold whole
            numbers, or dates and timestamps (carried as text, ISO 8601 for date/times).
        names: column -> {accepted spelling, lower case: vendor code}; a vendor code itself is
            always accepted. An empty code means "none" (e.g. no priority).
        unsupported: column -> {name: why the vendor has no equivalent}: the row's rejection.
        due_required: False lets a row leave the due date empty (`due_at` None: the vendor's
            default applies).
        parse_due: replaces the UTC parsing of due dates: raw value -> (vendor form, whether an
            offset was assumed); raises ValueError whose message is the rejection.
        check: the vendor's cross-field rules on a validated task (may normalise it in place);
            returns the rejection, or None.
    """

    task_types: frozenset[str]
    statuses: frozenset[str]
    priorities: frozenset[str]
    default_status: str | None = None
    default_priority: str | None = None
    needs_user: bool = True
    due_at_earliest: datetime = DUE_AT_EARLIEST
    due_at_latest: datetime = DUE_AT_LATEST  # exclusive
    format_due_at: Callable[[datetime], str] = iso_utc
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    extra_columns: tuple[str, ...] = ()
    number_columns: frozenset[str] = frozenset()
    datetime_columns: frozenset[str] = frozenset()
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    unsupported: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    due_required: bool = True
    parse_due: Callable[[Any], tuple[str, bool]] | None = None
    check: Callable[[TTaskRow], str | None] | None = None

    def aliases(self, column: str) -> tuple[str, ...]:
        """The other input names of contract column `column`, in the order they are read."""
        return (*self.columns.get(column, ()), *CORE_ALIASES.get(column, ()))

    def input_columns(self) -> tuple[str, ...]:
        """Every input column this vendor reads: contract columns, their aliases, extras."""
        names: list[str] = []
        for column in CONTRACT_COLUMNS:
            names += [column, *self.aliases(column)]
        names += self.extra_columns
        return tuple(dict.fromkeys(names))

    def contract_column(self, name: str) -> str:
        """The contract column an input name stands for (itself when it is not an alias)."""
        return self._contract_of.get(name, name)

    @cached_property
    def _contract_of(self) -> dict[str, str]:
        return {alias: c for c in CONTRACT_COLUMNS for alias in self.aliases(c)}

    def input_name(self, column: str) -> str:
        """How this vendor's docs name contract column `column` (its first alias, if any)."""
        return self.columns.get(column, (column,))[0]

    def __post_init__(self) -> None:
        if self.default_status is not None and self.default_status not in self.statuses:
            raise ValueError(f"default status {self.default_status!r} is not an allowed status")
        if self.default_priority is not None and self.default_priority not in self.priorities:
            raise ValueError(
                f"default priority {self.default_priority!r} is not an allowed priority"
            )


@dataclass(frozen=True)
class ValidatedRow:
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


def _copy_hash(raw: Mapping[str, Any]) -> str:
    """A fingerprint of every input column (aliases and a vendor's own too), to tell identical
    copies of a row from different rows sharing a request_id."""
    texts = {str(k): _text(v) for k, v in raw.items() if k not in (ROW_NUMBER, INPUT_REJECTION)}
    return hashlib.sha256(repr(sorted(texts.items())).encode("utf-8", "surrogatepass")).hexdigest()


def _hash_texts(
    texts: Mapping[str, str | None], extra: Mapping[str, str | None] | None = None
) -> str:
    # Same bytes as orjson.dumps(..., option=OPT_SORT_KEYS): ledgers keep their hashes. A
    # vendor's own columns (most have none) are hashed under `~extra`, after the contract's.
    canonical: dict[str, Any] = {name: texts[name] for name in _HASHED_COLUMNS}
    if extra:
        canonical["~extra"] = dict(sorted(extra.items()))
    try:
        encoded = orjson.dumps(canonical)
    except TypeError:  # a lone surrogate (rejected anyway): still a fingerprint, not a crash
        encoded = repr(canonical).encode("utf-8", "surrogatepass")
    return hashlib.sha256(encoded).hexdigest()[:32]


def show(value: Any) -> str:
    """A value as a rejection quotes it: one line, at most `SHOWN_CHARS` characters."""
    if isinstance(value, str):
        text = value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "..."
        return repr(text)
    text = repr(value) if isinstance(value, bytes | list | tuple | dict) else str(value)
    text = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."
    return text.replace("\n", "\\n").replace("\r", "\\r")


class OutOfRangeDateTime(str):
    """A warehouse date/time Python cannot hold (`infinity`, past 9999, BC), kept as its text so
    the row can be rejected as a date/time, never taken for an id or a note."""


def _kind(value: Any) -> str:
    if isinstance(value, OutOfRangeDateTime):
        return "a date/time"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, date | time):
        return "a date/time"
    if isinstance(value, timedelta):
        return "an interval"
    if isinstance(value, bytes | bytearray | memoryview):
        return "binary data"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a struct"
    return f"a {type(value).__name__} value"


def _text_problem(column: str, text: str, limit_of: str | None = None) -> str | None:
    if _BAD_CHARS.search(text):
        return f"{column} {show(text)} contains a NUL character or an invalid surrogate: remove it"
    limit = MAX_LENGTHS.get(limit_of or column, EXTRA_MAX_LENGTH)
    if limit is not None and len(text) > limit and len(text.strip()) > limit:
        return (
            f"{column} is {len(text.strip()):,} characters long ({show(text)}): at most"
            f" {limit:,} are accepted"
        )
    return None


def value_problem(column: str, value: Any, rules: InputRules | None = None) -> str | None:
    """Why a warehouse value cannot stand in input column `column`, or None if it can.

    Types first (see the module docstring): the reader runs this on the values as the driver
    returns them, before they become text, and `validate_row` again on what it is given.
    `rules` says which of a vendor's columns (by input or contract name) may hold numbers or
    date/times; `column` is the input name, as the person wrote it.
    """
    if value is None:
        return None
    contract = rules.contract_column(column) if rules is not None else column
    is_due = contract == "due_at" or (rules is not None and contract in rules.datetime_columns)
    if isinstance(value, OutOfRangeDateTime):
        if is_due:  # parsed and refused by its window in `validate_row`
            return _text_problem(column, value, contract)
        return (
            f"{column} holds a date/time ({show(str(value))}), not text: cast the column to text"
            " in the query if that value is meant"
        )
    if isinstance(value, str):
        return _text_problem(column, value, contract)
    if is_due and contract != "due_at":  # a vendor's own date/time column
        if isinstance(value, date):
            return None
        return (
            f"{column} holds {_kind(value)} ({show(value)}): give an ISO 8601 date-time, a DATE"
            " or a TIMESTAMP"
        )
    if contract == "due_at":
        if isinstance(value, date):  # datetime too; the window is checked when parsed
            return None
        return (
            f"{column} holds {_kind(value)} ({show(value)}): give an ISO 8601 date-time, a DATE"
            " or a TIMESTAMP"
        )
    if contract in ID_COLUMNS or (rules is not None and contract in rules.number_columns):
        if isinstance(value, int) and not isinstance(value, bool):
            return _text_problem(column, str(value), contract)
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return _text_problem(column, str(value), contract)
        if isinstance(value, UUID) and contract in ID_COLUMNS:
            return None
        wanted = "text or a whole number"
    else:
        wanted = "text"
    return (
        f"{column} holds {_kind(value)} ({show(value)}), not {wanted}: cast the column to text"
        " in the query if that value is meant"
    )


def normalize_due_at(
    value: Any,
    *,
    earliest: datetime = DUE_AT_EARLIEST,
    latest: datetime = DUE_AT_LATEST,
    form: Callable[[datetime], str] = iso_utc,
) -> tuple[str, bool]:
    """Parse an ISO 8601 date-time (or timestamp) into a UTC instant in the vendor's form.

    Args:
        earliest, latest: the window the instant must fall in (latest exclusive).
        form: writes the UTC instant as the vendor wants it (`InputRules.format_due_at`).

    Returns:
        The normalised value and whether it had no offset (and so was taken as UTC).

    Raises:
        ValueError: not a finite date-time inside the window; the message is the rejection.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        return _normalize_due_text(str(value).strip(), earliest, latest, form)
    return _normalize_parsed(parsed, parsed.isoformat(), earliest, latest, form)


@lru_cache(maxsize=4096)
def _normalize_due_text(
    text: str, earliest: datetime, latest: datetime, form: Callable[[datetime], str]
) -> tuple[str, bool]:
    # Pushes repeat a few due dates over many rows: parse each text once.
    if text.lower() in _INFINITE:
        raise ValueError(
            f"bad due_at {show(text)}: not a finite date-time; give one such as 2025-02-15T08:10:30Z"
        )
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        if _BEYOND_PYTHON.search(text):
            raise ValueError(_outside(text, earliest, latest)) from None
        raise ValueError(
            f"bad due_at {show(text)}: not an ISO 8601 date-time"
            " (e.g. 2025-02-15T08:10:30Z or 2025-02-15T10:10:30+02:00)"
        ) from None
    return _normalize_parsed(parsed, text, earliest, latest, form)


def _normalize_parsed(
    parsed: datetime,
    given: str,
    earliest: datetime,
    latest: datetime,
    form: Callable[[datetime], str],
) -> tuple[str, bool]:
    assumed = parsed.tzinfo is None or parsed.utcoffset() is None
    if assumed:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        # 9999-12-31T23:59:59-14:00 is past year 9999 in UTC: Python cannot hold it.
        utc = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(_outside(given, earliest, latest)) from None
    if not earliest <= utc < latest:
        raise ValueError(_outside(given, earliest, latest))
    return form(utc), assumed


def _outside(given: str, earliest: datetime, latest: datetime) -> str:
    last = (latest - timedelta(days=1)).date() if latest.time() == time() else latest.date()
    return (
        f"due_at {show(given)} is outside {earliest.date()}..{last} (UTC): give a due date in that"
        " window"
    )


def _one_of(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def _given(
    raw: Mapping[str, Any], rules: InputRules, column: str
) -> tuple[str, Any, str | None, str | None]:
    """(input name, raw value, text) of a contract column, read from it or one of its aliases;
    the fourth item is a rejection when two names give different values. A column given under
    no name is named as the vendor's docs name it (`InputRules.input_name`)."""
    name, value, text = column, raw.get(column), _text(raw.get(column))
    if text is None:
        name = rules.input_name(column)
    for alias in rules.aliases(column):
        alias_text = _text(raw.get(alias))
        if alias_text is None:
            continue
        if text is None:
            name, value, text = alias, raw.get(alias), alias_text
        elif alias_text != text:
            return (
                name,
                value,
                text,
                (f"{name} {show(text)} and {alias} {show(alias_text)} disagree: give one of them"),
            )
    return name, value, text, None


def _named(rules: InputRules, column: str, name: str, text: str, allowed: frozenset[str]) -> str:
    """The vendor code `text` stands for in `column`; raises ValueError with the rejection."""
    if text in allowed:
        return text
    key = text.lower()
    code = rules.names.get(column, {}).get(key)
    if code is not None:
        return code
    reason = rules.unsupported.get(column, {}).get(key)
    if reason is not None:
        raise ValueError(f"{name} {show(text)}: {reason}")
    names = rules.names.get(column, {})
    # Every code the vendor's names stand for; its own codes when it has names for all.
    codes = allowed or frozenset(c for c in names.values() if c)
    shared = ", or a shared name" if names else ""
    raise ValueError(f"unknown {name} {show(text)}: use one of {_one_of(codes)}{shared}")


def _naive(text: str | None) -> bool:
    """Whether `text` is an ISO 8601 date-time without a UTC offset (a date is one too)."""
    if text is None:
        return False
    try:
        return datetime.fromisoformat(text).utcoffset() is None
    except ValueError:
        return False


def validate_row(raw: Mapping[str, Any], rules: InputRules, *, row: int = 0) -> ValidatedRow:
    """Check one input row against the contract; never raises for bad data."""
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        row = int(raw.get(ROW_NUMBER) or row)
    given = {column: _given(raw, rules, column) for column in CONTRACT_COLUMNS}
    text = {column: given[column][2] for column in CONTRACT_COLUMNS}
    extra = {name: _text(raw.get(name)) for name in rules.extra_columns}
    fingerprint = _hash_texts(text, extra)
    request_id = text["request_id"]

    def reject(reason: str) -> ValidatedRow:
        return ValidatedRow(row, request_id, fingerprint, None, reason)

    id_problem = value_problem("request_id", raw.get("request_id"))
    if id_problem is not None:
        # Not shown or stored as an id: it may be huge or hold what a ledger cannot store.
        return ValidatedRow(row, None, fingerprint, None, id_problem)
    if request_id is None:
        return reject("missing request_id: every row needs a request_id, unique per intended task")
    input_rejection = _text(raw.get(INPUT_REJECTION))
    if input_rejection:
        return reject(input_rejection)
    for column in CONTRACT_COLUMNS:
        name, value, _, disagreement = given[column]
        if disagreement is not None:
            return reject(disagreement)
        if value is None:
            continue
        problem = (
            _text_problem(name, value, column)
            if type(value) is str
            else value_problem(name, value, rules)
        )
        if problem is not None:
            return reject(problem)
    for name in rules.extra_columns:
        problem = value_problem(name, raw.get(name), rules)
        if problem is not None:
            return reject(problem)
    type_name = given["type"][0]
    task_type = text["type"]
    if task_type is None:
        return reject(f"missing {type_name}: use one of {_one_of(rules.task_types)}")
    try:
        task_type = _named(rules, "type", type_name, task_type, rules.task_types)
        if task_type not in rules.task_types:
            raise ValueError(f"unknown {type_name} {show(text['type'])}")
    except ValueError as exc:
        return reject(str(exc))
    user_id, user_email = text["user_id"], text["user_email"]
    if rules.needs_user and user_id is None and user_email is None:
        return reject("missing user: give user_id or user_email")
    contact_id, contact_email = text["contact_id"], text["contact_email"]
    if contact_id is None and contact_email is None:
        return reject(
            f"missing contact: give {rules.input_name('contact_id')} or"
            f" {rules.input_name('contact_email')}"
        )
    status = text["status"]
    try:
        status = _named(rules, "status", "status", status, rules.statuses) if status else None
    except ValueError as exc:
        return reject(str(exc))
    status = status or rules.default_status
    if status is None:
        return reject(f"missing status: use one of {_one_of(rules.statuses)}")
    if status not in rules.statuses:
        return reject(f"unknown status {show(status)}: use one of {_one_of(rules.statuses)}")
    # The vendor's allowed values judge what the row gives; its default fills only a blank.
    priority = text["priority"]
    if priority is not None:
        try:
            priority = _named(rules, "priority", "priority", priority, rules.priorities)
        except ValueError as exc:
            if not rules.priorities and not rules.unsupported.get("priority"):
                return reject(
                    f"priority {show(priority)} given, but this vendor has none: leave it empty"
                )
            return reject(str(exc))
        if priority == "":  # a name for "no priority"
            priority = None
        elif priority not in rules.priorities:
            return reject(
                f"unknown priority {show(priority)}: use one of {_one_of(rules.priorities)}"
            )
    elif rules.default_priority is not None:
        priority = rules.default_priority
    due_name, raw_due, due_text, _ = given["due_at"]
    due_at: str | None = None
    assumed = False
    if due_text is None:
        if rules.due_required:
            return reject(
                f"missing {due_name}: give an ISO 8601 date-time such as 2025-02-15T08:10:30Z"
            )
    else:
        try:
            if rules.parse_due is not None:
                due_at, assumed = rules.parse_due(raw_due)
            else:
                due_at, assumed = normalize_due_at(
                    raw_due,
                    earliest=rules.due_at_earliest,
                    latest=rules.due_at_latest,
                    form=rules.format_due_at,
                )
        except ValueError as exc:
            return reject(str(exc))
    task = TTaskRow(
        row=row,
        request_id=request_id,
        row_hash=fingerprint,
        user_id=user_id,
        user_email=None if user_id else user_email,
        contact_id=contact_id,
        # Kept beside an id: the engine checks that both name the same contact.
        contact_email=contact_email,
        type=task_type,
        status=status,
        priority=priority,
        due_at=due_at,
        note=text["note"],
        title=text["title"],
        extra=extra,
    )
    # A vendor's own date/time column without an offset is taken as UTC too: said in the summary.
    assumed = assumed or any(_naive(extra.get(c)) for c in rules.datetime_columns if c in extra)
    if rules.check is not None:
        reason = rules.check(task)
        if reason is not None:
            return reject(reason)
    return ValidatedRow(row, request_id, fingerprint, task, None, assumed)


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
        numbers = ", ".join(str(c.get(ROW_NUMBER)) for c in copies[:10])
        if len(copies) > 10:
            numbers += f" and {len(copies) - 10} more"
        shown = show(request_id)
        if len({_copy_hash(c) for c in copies}) == 1:
            reason = (
                f"duplicate request_id {shown}: identical copy of row"
                f" {copies[0].get(ROW_NUMBER)}, which is the one sent"
            )
            copies = copies[1:]
        else:
            reason = (
                f"duplicate request_id {shown} in rows {numbers} with different values:"
                " make request_id unique per intended task (none of these rows was sent)"
            )
        for copy in copies:
            # A reason the reader already found (e.g. a boolean title) is the one to fix first.
            if not copy.get(INPUT_REJECTION):
                copy[INPUT_REJECTION] = reason
            flagged += 1
    return flagged
