"""Hostile push input never aborts a run: every row ends created, rejected with a reason,
already delivered or needing review, and only valid tasks reach the vendor.

Property tests build real DuckDB and PostgreSQL tables whose contract columns get generated SQL
types (BOOLEAN, DOUBLE with NaN and infinities, DATE/TIMESTAMP 'infinity' and extremes, huge and
unicode VARCHAR, NUL characters, NULL) and values, push them (dry run and for real) against the
sandbox, and compare the outcome with an independent oracle: a row is created exactly when every
one of its values is one the contract accepts.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sales_tasks.destinations.apollo.vendor import APOLLO_RULES
from sales_tasks.destinations.core.contract import validate_row
from sales_tasks.destinations.core.warehouse import InputError, dispose_engine, read_input
from sales_tasks.pipelines.cli import EXIT_ERROR
from sales_tasks.pipelines.push import PushSummary, run_push
from tests.profiles import examples
from tests.sink.conftest import ROOT, subprocess_env

TABLE = "hostile_input"
CREATES = ("/api/v1/tasks", "/api/v1/tasks/bulk_create")
UNKNOWN_CONTACT = "0000000000000000deadbeef"  # well-formed, but no sandbox contact has it
# No example database: tests write only to their tmp folders (a failure prints its blob).
# `make test`: 10 generated tables on DuckDB and 5 on PostgreSQL, the same every run (the cases
# from the issue, below, run by hand besides); `make test-deep`: 100 and 40, random.
PROPERTY = settings(
    max_examples=examples(quick=10, deep=100),
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_examples = itertools.count()


# --- the generated table -------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One generated value: its SQL expression, whether the contract accepts it, and what a
    created task then holds (text or None; an aware UTC datetime for due_at)."""

    sql: str
    valid: bool
    value: Any = None


def quote(text: str) -> str:
    """A SQL string literal (DuckDB and PostgreSQL), NUL characters spelled `chr(0)`."""
    pieces = ["'" + piece.replace("'", "''") + "'" for piece in text.split("\x00")]
    return " || chr(0) || ".join(pieces)


def cast(text: str, sql_type: str) -> str:
    return f"CAST({quote(text)} AS {sql_type})"


TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
VALID_DUE = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)).map(
    lambda d: d.replace(microsecond=0)
)
OFFSETS = st.sampled_from([0, 2 * 60, -14 * 60, 14 * 60, 5 * 60 + 30, -3 * 60 - 30])
FAR_DUE = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1969, 12, 30)),
    st.datetimes(min_value=datetime(2100, 1, 2), max_value=datetime(9999, 12, 31)),
    st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)]),
).map(lambda d: d.replace(microsecond=0))
BOOLEANS = st.sampled_from(["TRUE", "FALSE"]).map(lambda b: Cell(b, False))


def null(valid: bool) -> st.SearchStrategy[Cell]:
    return st.just(Cell("NULL", valid))


def text_cell(text: str, *, valid: bool = True, limit: int | None = None) -> Cell:
    """A VARCHAR value; accepted unless it holds a NUL or is longer than `limit` once stripped."""
    stripped = text.strip()
    ok = valid and "\x00" not in text and (limit is None or len(stripped) <= limit)
    return Cell(quote(text), ok, stripped or None)


@dataclass(frozen=True)
class Context:
    users: list[str]
    contacts: list[str]
    postgres: bool

    def t(self, duck: str) -> str:
        """A DuckDB type name as this warehouse spells it."""
        if not self.postgres:
            return duck
        return {"VARCHAR": "TEXT", "DOUBLE": "DOUBLE PRECISION"}.get(duck, duck)

    def texts(self, base: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[str]:
        # PostgreSQL text cannot hold NUL: such a value cannot come from PostgreSQL at all.
        nul = base.map(lambda s: s[: len(s) // 2] + "\x00" + s[len(s) // 2 :])
        return base if self.postgres else st.one_of(base, nul)

    def doubles(self) -> st.SearchStrategy[Cell]:
        """Non-NULL DOUBLE values, never acceptable in a contract column."""
        special = st.sampled_from(["NaN", "Infinity", "-Infinity", "1.7e308", "-0.0"])
        number = st.floats(allow_nan=False, allow_infinity=False).map(repr)
        return st.one_of(special, number).map(lambda v: Cell(cast(v, self.t("DOUBLE")), False))


TCells = Callable[[Context, int], st.SearchStrategy[Cell]]


@dataclass(frozen=True)
class Column:
    """A contract column's SQL types: per type, values that are all accepted (`tame`, for the
    types a sane warehouse uses) and any values at all (`wild`), by row number."""

    tame: dict[str, TCells]
    wild: dict[str, TCells]


def optional_text(limit: int) -> Column:
    """note/title: any text up to `limit` or NULL; other types only as NULL."""

    def tame(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
        return st.one_of(null(True), TEXT.map(text_cell))

    def varchar(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
        edge = st.sampled_from([limit, limit + 1]).map(
            lambda n: Cell(f"repeat('n', {n})", n <= limit, "n" * n)
        )
        return st.one_of(tame(ctx, i), ctx.texts().map(lambda s: text_cell(s, limit=limit)), edge)

    return Column(
        tame={"VARCHAR": tame},
        wild={
            "VARCHAR": varchar,
            "BOOLEAN": lambda ctx, i: st.one_of(null(True), BOOLEANS),
            "DOUBLE": lambda ctx, i: st.one_of(null(True), ctx.doubles()),
            "BIGINT": lambda ctx, i: st.one_of(
                null(True), st.integers(-(2**63), 2**63 - 1).map(lambda n: Cell(str(n), False))
            ),
        },
    )


def choice(values: frozenset[str], *, null_ok: bool) -> Column:
    """type/status/priority: one of the vendor's values (padded), garbage, or other types."""
    garbage = TEXT.filter(lambda s: s.strip() not in values)

    def tame(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
        good = st.sampled_from(sorted(values)).flatmap(
            lambda v: st.sampled_from([v, f"  {v}\t"]).map(text_cell)
        )
        return st.one_of(good, null(True)) if null_ok else good

    def varchar(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
        # Blank text counts as NULL: the default where there is one, missing where not.
        bad = ctx.texts(garbage).map(lambda s: text_cell(s, valid=null_ok and not s.strip()))
        huge = st.just(Cell("repeat('x', 100000)", False))
        return st.one_of(tame(ctx, i), null(null_ok), bad, huge)

    return Column(
        tame={"VARCHAR": tame},
        wild={
            "VARCHAR": varchar,
            "BOOLEAN": lambda ctx, i: st.one_of(null(null_ok), BOOLEANS),
            "BIGINT": lambda ctx, i: st.one_of(
                null(null_ok), st.integers(-5, 5).map(lambda n: Cell(str(n), False))
            ),
        },
    )


def request_id_tame(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
    # The row number keeps accepted ids unique; the suffix brings unicode and padding.
    return TEXT.map(lambda s: text_cell(f"r{i}-{s}"))


def request_id_wild(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
    mixed = ctx.texts().map(lambda s: text_cell(f"r{i}-{s}"))
    bad = st.sampled_from(["", "   ", "r" * 256]).map(lambda s: text_cell(s, valid=False))
    return st.one_of(request_id_tame(ctx, i), mixed, bad, null(False))


def whole_request_id(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
    return st.sampled_from([i, 10**18 + i, -i]).map(lambda n: Cell(str(n), True, str(n)))


REQUEST_ID = Column(
    tame={"VARCHAR": request_id_tame, "BIGINT": whole_request_id},
    wild={
        "VARCHAR": request_id_wild,
        "BIGINT": lambda ctx, i: st.one_of(whole_request_id(ctx, i), null(False)),
        "BOOLEAN": lambda ctx, i: st.one_of(BOOLEANS, null(False)),
        "DOUBLE": lambda ctx, i: st.one_of(
            st.just(Cell(f"{i}.5", False)), ctx.doubles(), null(False)
        ),
    },
)


def ids(pool: Callable[[Context], list[str]], unknown: str) -> Column:
    """user_id/contact_id: an id the sandbox knows, one it does not, NULL, or other types."""

    def tame(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
        return st.sampled_from(pool(ctx)).map(lambda v: Cell(quote(v), True, v))

    return Column(
        tame={"VARCHAR": tame},
        wild={
            "VARCHAR": lambda ctx, i: st.one_of(
                tame(ctx, i), st.just(Cell(quote(unknown), False)), null(False)
            ),
            "BOOLEAN": lambda ctx, i: st.one_of(BOOLEANS, null(False)),
            "DOUBLE": lambda ctx, i: st.one_of(ctx.doubles(), null(False)),
            "DATE": lambda ctx, i: st.one_of(
                st.just(Cell(cast("infinity", "DATE"), False)), null(False)
            ),
        },
    )


def iso(moment: datetime, offset_minutes: int | None) -> str:
    """`moment` (naive UTC) as ISO 8601 text: naive, `Z`, or in a fixed offset."""
    if offset_minutes is None:
        return moment.isoformat()
    if offset_minutes == 0:
        return moment.isoformat() + "Z"
    zone = timezone(timedelta(minutes=offset_minutes))
    return moment.replace(tzinfo=UTC).astimezone(zone).isoformat()


def due_text(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
    return st.tuples(VALID_DUE, st.one_of(st.none(), OFFSETS)).map(
        lambda t: Cell(quote(iso(t[0], t[1])), True, t[0].replace(tzinfo=UTC))
    )


def due_date(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
    return VALID_DUE.map(
        lambda d: Cell(
            cast(d.date().isoformat(), "DATE"), True, datetime(d.year, d.month, d.day, tzinfo=UTC)
        )
    )


def due_timestamp(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
    return VALID_DUE.map(
        lambda d: Cell(cast(d.isoformat(sep=" "), "TIMESTAMP"), True, d.replace(tzinfo=UTC))
    )


def due_timestamptz(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
    return st.tuples(VALID_DUE, OFFSETS).map(
        lambda t: Cell(
            cast(iso(t[0], t[1]).replace("Z", "+00:00"), "TIMESTAMPTZ"),
            True,
            t[0].replace(tzinfo=UTC),
        )
    )


def bad_dues(sql_type: str | None, *fixed: str, far: Callable[[datetime], str]) -> TCells:
    """Values of a due_at column that must all be rejected (and NULL)."""

    def cells(ctx: Context, i: int) -> st.SearchStrategy[Cell]:
        texts = st.one_of(st.sampled_from(fixed), FAR_DUE.map(far))
        if sql_type is None:
            texts = st.one_of(texts, ctx.texts())
        make = (
            (lambda s: Cell(quote(s), False))
            if sql_type is None
            else (lambda s: Cell(cast(s, sql_type), False))
        )
        return st.one_of(texts.map(make), null(False))

    return cells


def either(good: TCells, bad: TCells) -> TCells:
    return lambda ctx, i: st.one_of(good(ctx, i), good(ctx, i), bad(ctx, i))


DUE_AT = Column(
    tame={
        "VARCHAR": due_text,
        "DATE": due_date,
        "TIMESTAMP": due_timestamp,
        "TIMESTAMPTZ": due_timestamptz,
    },
    wild={
        "VARCHAR": either(
            due_text,
            bad_dues(
                None,
                "9999-12-31T23:59:59-14:00",
                "0001-01-01T00:00:00+14:00",
                "infinity",
                "NaN",
                "now",
                far=lambda d: d.isoformat() + "Z",
            ),
        ),
        "DATE": either(
            due_date,
            bad_dues(
                "DATE",
                "infinity",
                "-infinity",
                "1969-12-31",
                "2100-01-01",
                far=lambda d: d.date().isoformat(),
            ),
        ),
        "TIMESTAMP": either(
            due_timestamp,
            bad_dues("TIMESTAMP", "infinity", "-infinity", far=lambda d: d.isoformat(sep=" ")),
        ),
        "TIMESTAMPTZ": either(
            due_timestamptz,
            bad_dues(
                "TIMESTAMPTZ",
                "infinity",
                "-infinity",
                "9999-12-31 23:59:59-14",
                "0001-01-01 00:00:00+00",
                far=lambda d: d.isoformat(sep=" ") + "+00",
            ),
        ),
        "DOUBLE": lambda ctx, i: st.one_of(ctx.doubles(), null(False)),
        "BOOLEAN": lambda ctx, i: st.one_of(BOOLEANS, null(False)),
        "BIGINT": lambda ctx, i: st.just(Cell("1735725600", False)),
    },
)

COLUMNS: dict[str, Column] = {
    "request_id": REQUEST_ID,
    "user_id": ids(lambda ctx: ctx.users, "no-such-user"),
    "contact_id": ids(lambda ctx: ctx.contacts, UNKNOWN_CONTACT),
    "type": choice(APOLLO_RULES.task_types, null_ok=False),
    "status": choice(APOLLO_RULES.statuses, null_ok=True),
    "priority": choice(APOLLO_RULES.priorities, null_ok=True),
    "due_at": DUE_AT,
    "note": optional_text(65_535),
    "title": optional_text(1_000),
}


@dataclass
class Table:
    types: dict[str, str]
    rows: list[dict[str, Cell]]

    def valid_rows(self) -> list[int]:
        return [n for n, row in enumerate(self.rows, 1) if all(c.valid for c in row.values())]

    def expected_tasks(self) -> Counter[tuple[Any, ...]]:
        """What the vendor must hold after a push: one task per valid row."""
        tasks: Counter[tuple[Any, ...]] = Counter()
        for n in self.valid_rows():
            v = {name: cell.value for name, cell in self.rows[n - 1].items()}
            due = v["due_at"].strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
            tasks[
                (
                    v["contact_id"],
                    v["user_id"],
                    v["type"],
                    v["status"] or "scheduled",
                    v["priority"] or "medium",
                    due,
                    v["title"],
                    v["note"],
                )
            ] += 1
        return tasks

    def create_sql(self, ctx: Context) -> list[str]:
        columns = ", ".join(f"{name} {ctx.t(t)}" for name, t in self.types.items())
        statements = [f"DROP TABLE IF EXISTS {TABLE}", f"CREATE TABLE {TABLE} ({columns})"]
        for row in self.rows:
            values = ", ".join(row[name].sql for name in self.types)
            statements.append(f"INSERT INTO {TABLE} VALUES ({values})")
        return statements


@st.composite
def tables(draw: st.DrawFn, ctx: Context) -> Table:
    """A table whose hostile columns get any SQL type and value; the others sane ones only,
    so that most tables have rows to create next to the rows to reject."""
    names = sorted(COLUMNS)
    few = st.sets(st.sampled_from(names), min_size=1, max_size=2)
    one = st.sampled_from(names).map(lambda name: {name})
    hostile = draw(st.one_of(one, one, few, st.sets(st.sampled_from(names)), st.just(set())))
    types = {
        name: draw(st.sampled_from(sorted(column.wild if name in hostile else column.tame)))
        for name, column in COLUMNS.items()
    }

    def cells(name: str, i: int) -> st.SearchStrategy[Cell]:
        column, sql_type = COLUMNS[name], types[name]
        if name not in hostile:
            return column.tame[sql_type](ctx, i)
        if sql_type in column.tame:  # a sane type: hostile values next to sane ones
            return st.one_of(column.wild[sql_type](ctx, i), column.tame[sql_type](ctx, i))
        return column.wild[sql_type](ctx, i)

    n = draw(st.integers(1, 8))
    rows = [{name: draw(cells(name, i)) for name in COLUMNS} for i in range(1, n + 1)]
    table = Table(types, rows)
    valid = len(table.valid_rows())
    event(f"rows to create: {'none' if not valid else 'all' if valid == n else 'some'}")
    return table


def build(url: str, table: Table, ctx: Context) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            for statement in table.create_sql(ctx):
                driver.execute(statement)  # no bind-parameter parsing of generated text
    finally:
        engine.dispose()


# --- what every push must show -------------------------------------------------------------


def creates(sb: Any) -> int:
    return sum(1 for r in sb.requests() if r["path"] in CREATES and r["method"] == "POST")


def task_key(task: dict[str, Any]) -> tuple[Any, ...]:
    return (
        task["contact_id"],
        task["user_id"],
        task["type"],
        task["status"],
        task["priority"],
        task["due_at"],
        task["title"],
        task["note"],
    )


def assert_accounted(summary: PushSummary, table: Table) -> None:
    """Every input row exactly once: the rejected ones are exactly the oracle's invalid rows."""
    valid = table.valid_rows()
    invalid = sorted(set(range(1, len(table.rows) + 1)) - set(valid))
    assert summary.adds_up
    assert summary.rows_in == len(table.rows)
    assert (summary.already_delivered, summary.needs_review) == (0, 0), summary.format()
    rejected_rows = [row for row, _, _ in summary.rejections]
    assert sorted(rejected_rows) == invalid, summary.format()
    assert summary.rejected == len(invalid)
    for _, request_id, reason in summary.rejections:
        assert reason and "\n" not in reason and len(reason) < 500, reason
        assert request_id is None or len(request_id) <= 255


def assert_only_valid_sent(requests: list[dict[str, Any]], users: set[str]) -> None:
    """Every create call carried a well-formed task; only an unknown contact id (which only
    Apollo can tell) may be refused, and then with Apollo's 422."""
    for request in requests:
        body = request["body"]
        contacts = body.get("contact_ids") or [body.get("contact_id")]
        assert body["user_id"] in users
        assert body["type"] in APOLLO_RULES.task_types
        assert body["status"] in APOLLO_RULES.statuses
        assert body["priority"] in APOLLO_RULES.priorities
        due = datetime.fromisoformat(body["due_at"])
        assert datetime(1970, 1, 1, tzinfo=UTC) <= due < datetime(2100, 1, 1, tzinfo=UTC)
        for name in ("title", "note"):
            assert body.get(name) is None or (type(body[name]) is str and body[name].strip())
        assert all(type(c) is str and c for c in contacts)
        assert request["status"] == 200 or UNKNOWN_CONTACT in contacts, request


def push_both_ways(sb: Any, url: str, table: Table, pipelines: Path, schema: str) -> None:
    """Dry run (nothing sent), then a real push (exactly the valid rows become tasks)."""
    common: dict[str, Any] = {
        "table": TABLE,
        "warehouse": url,
        "api_key": sb.master_key,
        "base_url": sb.base_url,
        "ledger_schema": schema,
        "reconcile_wait_seconds": 1.0,
    }
    calls_before, tasks_before = creates(sb), len(sb.created())
    requests_before = len(sb.requests())
    try:
        dry = run_push(dry_run=True, **common)
        assert_accounted(dry, table)
        assert dry.would_create == len(table.valid_rows()) and dry.created == 0
        assert creates(sb) == calls_before

        real = run_push(pipelines_dir=str(pipelines), **common)
    finally:
        dispose_engine(url)
    assert_accounted(real, table)
    assert real.created == len(table.valid_rows()), real.format()
    sent = [
        r for r in sb.requests()[requests_before:] if r["path"] in CREATES and r["method"] == "POST"
    ]
    assert_only_valid_sent(sent, {u["id"] for u in sb.users()})
    made = Counter(task_key(t) for t in sb.created()[tasks_before:])
    assert made == table.expected_tasks()


@pytest.fixture
def context(sandbox: Any) -> Callable[[bool], Context]:
    users = [u["id"] for u in sandbox.users()[:3]]
    contacts = [c["id"] for c in sandbox.contacts(20)]
    return lambda postgres: Context(users, contacts, postgres)


@PROPERTY
@given(data=st.data())
def test_generated_duckdb_tables_push_every_row_accounted(
    data: st.DataObject, sandbox: Any, context: Callable[[bool], Context], tmp_path: Path
) -> None:
    ctx = context(False)
    table = data.draw(tables(ctx))
    folder = tmp_path / f"example-{next(_examples)}"
    folder.mkdir()
    url = f"duckdb:///{folder / 'warehouse.duckdb'}"
    build(url, table, ctx)
    push_both_ways(sandbox, url, table, folder / "pipelines", "apollo_push")


@pytest.mark.postgres
@settings(PROPERTY, max_examples=examples(quick=5, deep=40))
@given(data=st.data())
def test_generated_postgres_tables_push_every_row_accounted(
    data: st.DataObject,
    sandbox: Any,
    context: Callable[[bool], Context],
    postgres_url: str,
    tmp_path: Path,
) -> None:
    ctx = context(True)
    table = data.draw(tables(ctx))
    example = next(_examples)
    build(postgres_url, table, ctx)
    # One database for all examples: a fresh ledger schema each, so nothing is already delivered.
    push_both_ways(
        sandbox, postgres_url, table, tmp_path / f"pipelines-{example}", f"ledger_{example}"
    )


# --- the cases from the issue, by hand -----------------------------------------------------


def duck(tmp_path: Path, *statements: str) -> str:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        for statement in statements:
            driver.execute(statement)
    engine.dispose()
    return url


def test_one_overflowing_due_at_rejects_only_its_row(sandbox: Any, tmp_path: Path) -> None:
    user, (c1, c2) = sandbox.users()[0]["id"], [c["id"] for c in sandbox.contacts(2)]
    url = duck(
        tmp_path,
        f"CREATE TABLE {TABLE} AS SELECT * FROM (VALUES"
        f" ('ok', '{user}', '{c1}', 'call', '2025-07-01T09:00:00Z', CAST(NULL AS BOOLEAN)),"
        f" ('far', '{user}', '{c2}', 'call', '9999-12-31T23:59:59-14:00', NULL),"
        f" ('flag', '{user}', '{c2}', 'call', '2025-07-01T09:00:00Z', FALSE)"
        ") AS t(request_id, user_id, contact_id, type, due_at, title)",
    )
    summary = run_push(
        table=TABLE,
        warehouse=url,
        api_key=sandbox.master_key,
        base_url=sandbox.base_url,
        pipelines_dir=str(tmp_path / "pipelines"),
        reconcile_wait_seconds=1.0,
    )
    assert (summary.rows_in, summary.created, summary.rejected) == (3, 1, 2)
    assert {request_id: why for _, request_id, why in summary.rejections} == {
        "far": "due_at '9999-12-31T23:59:59-14:00' is outside 1970-01-01..2099-12-31 (UTC):"
        " give a due date in that window",
        "flag": "title holds a boolean (False), not text: cast the column to text in the query"
        " if that value is meant",
    }
    # The boolean title did not turn the row into a titled single create.
    assert [
        r["path"] for r in sandbox.requests() if r["method"] == "POST" and r["path"] in CREATES
    ] == ["/api/v1/tasks/bulk_create"]
    assert [t["contact_id"] for t in sandbox.created()] == [c1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"table": ""}, "--table is empty: give a table name such as marts.followups"),
        ({"table": "  "}, "--table is empty: give a table name such as marts.followups"),
        (
            {"table": "a.b.c.d"},
            "--table 'a.b.c.d' is not a table name: give table or schema.table (or use --query"
            " for anything else)",
        ),
        (
            {"table": "main..t"},
            "--table 'main..t' is not a table name: give table or schema.table (or use --query"
            " for anything else)",
        ),
        (
            {"table": "nope"},
            "cannot read --table 'nope' from the warehouse: Catalog Error: Table with name nope"
            " does not exist!",
        ),
        ({"query": ""}, "--query is empty: give one SELECT that returns the rows to push"),
        ({"query": "-- nothing\n/* here */ ;"}, "--query holds only comments: give one SELECT"),
        (
            {"query": f"SELECT * FROM {TABLE}; SELECT * FROM {TABLE} WHERE false"},
            "--query holds 2 SQL statements: give exactly one SELECT (only one statement's rows"
            " could be pushed)",
        ),
        (
            {"query": f"DELETE FROM {TABLE}"},
            "--query starts with 'DELETE', not SELECT: give one query that reads the rows to push"
            " (SELECT or WITH ... SELECT)",
        ),
        (
            {"query": f"WITH x AS (SELECT 1) INSERT INTO {TABLE} (request_id) SELECT 'z'"},
            "--query would INSERT: a push input only reads; write the rows to a table first",
        ),
        (
            {"query": "SELECT 1 AS request_id, 2 AS Request_Id"},
            "--query has column request_id more than once: keep one (the push could not tell"
            " which is meant)",
        ),
        (
            {"query": f"SELECT * FROM {TABLE} WHERE"},
            "cannot read --query from the warehouse: Parser Error: syntax error at end of input",
        ),
        ({"table": TABLE, "query": "SELECT 1"}, "give exactly one of --table or --query"),
        ({}, "give exactly one of --table or --query"),
    ],
)
def test_bad_table_or_query_is_one_error_before_anything_is_sent(
    sandbox: Any, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    url = duck(tmp_path, f"CREATE TABLE {TABLE} (request_id VARCHAR, due_at VARCHAR)")
    with pytest.raises(InputError) as raised:
        run_push(
            warehouse=url,
            api_key=sandbox.master_key,
            base_url=sandbox.base_url,
            pipelines_dir=str(tmp_path / "pipelines"),
            **change,
        )
    assert str(raised.value) == message
    assert sandbox.requests() == []
    engine = sa.create_engine(url)
    with engine.connect() as conn:  # the query's INSERT/DELETE did not run
        assert conn.execute(sa.text(f"SELECT count(*) FROM {TABLE}")).scalar() == 0
        names = {r[0] for r in conn.execute(sa.text("SELECT schema_name FROM duckdb_schemas()"))}
    engine.dispose()
    assert "apollo_push" not in names  # no ledger either


def test_queries_that_read_are_accepted_as_written(tmp_path: Path) -> None:
    url = duck(tmp_path, f"CREATE TABLE {TABLE} (request_id VARCHAR, note VARCHAR)")
    query = (
        "-- a comment; with a semicolon\n"
        "WITH x AS (SELECT 'a;b' AS request_id, 'at 10:00 :b {''k'': 1}' AS note)\n"
        "SELECT * FROM x; /* trailing */"
    )
    try:
        rows = read_input(url, query=query)
        from_first = read_input(url, query=f"FROM {TABLE}")
    finally:
        dispose_engine(url)
    assert [(r["request_id"], r["note"]) for r in rows] == [("a;b", "at 10:00 :b {'k': 1}")]
    assert from_first == []


def test_cli_bad_table_is_one_line(sandbox: Any, tmp_path: Path) -> None:
    url = duck(tmp_path, f"CREATE TABLE {TABLE} (request_id VARCHAR)")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sales_tasks.pipelines.cli",
            "push",
            "--table",
            "a.b.c.d",
            "--warehouse",
            url,
        ],
        cwd=ROOT,
        env=subprocess_env(APOLLO_API_KEY=sandbox.master_key, APOLLO_BASE_URL=sandbox.base_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == EXIT_ERROR
    assert done.stderr == (
        "error: --table 'a.b.c.d' is not a table name: give table or schema.table (or use"
        " --query for anything else)\n"
    )
    assert sandbox.requests() == []


def _read_postgres_values(postgres_url: str, values: str, columns: str) -> list[dict[str, Any]]:
    """Create the input table from a VALUES list on PostgreSQL and read it as a push does."""
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(f"CREATE TABLE {TABLE} AS SELECT * FROM (VALUES {values}) AS t({columns})")
        )
    engine.dispose()
    try:
        return read_input(postgres_url, table=TABLE)
    finally:
        dispose_engine(postgres_url)


@pytest.mark.postgres
def test_postgres_infinity_dates_reject_rows_instead_of_failing_the_read(
    postgres_url: str,
) -> None:
    rows = _read_postgres_values(
        postgres_url,
        "('inf', DATE 'infinity'), ('neg', DATE '-infinity'), ('bc', DATE '0044-03-15 BC'),"
        " ('ok', DATE '2025-01-01')",
        "request_id, due_at",
    )
    assert {r["request_id"]: r["due_at"] for r in rows} == {
        "inf": "infinity",
        "neg": "-infinity",
        "bc": "0044-03-15 BC",
        "ok": "2025-01-01",
    }
    complete = {"user_id": "u1", "contact_id": "c1", "type": "call"}
    reasons = [validate_row({**complete, **r}, APOLLO_RULES).reason for r in rows]
    window = "is outside 1970-01-01..2099-12-31 (UTC): give a due date in that window"
    finite = "not a finite date-time; give one such as 2025-02-15T08:10:30Z"
    assert reasons == [
        f"bad due_at 'infinity': {finite}",
        f"bad due_at '-infinity': {finite}",
        f"due_at '0044-03-15 BC' {window}",
        None,
    ]


@pytest.mark.postgres
def test_postgres_infinity_date_in_an_id_column_is_rejected_not_taken_as_an_id(
    postgres_url: str,
) -> None:
    """A DATE 'infinity' arrives as text (Python cannot hold it) but is still a date/time."""
    from sales_tasks.destinations.core.contract import INPUT_REJECTION

    rows = {
        r["request_id"]: r
        for r in _read_postgres_values(
            postgres_url, "('inf', DATE 'infinity'), ('ok', NULL::DATE)", "request_id, contact_id"
        )
    }
    assert rows["inf"][INPUT_REJECTION] == (
        "contact_id holds a date/time ('infinity'), not text: cast the column to text in the"
        " query if that value is meant"
    )
    assert rows["ok"].get(INPUT_REJECTION) is None
