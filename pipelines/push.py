"""`sales-tasks push VENDOR` (and `push` under the alias command): warehouse rows (a table or a SQL query) →
a vendor's tasks, each exactly once.

One module for every vendor: the vendor's sink (`sales_tasks.destinations.registry`) supplies its settings,
its input contract and its own flags. `run_push` is the one factory the CLI, the Airflow DAG and
the Dagster asset call. It reads the whole input (so duplicate request_ids are found), then runs a
dlt pipeline into the vendor's destination (`<vendor>_tasks`), whose engine keeps the delivery
ledger in the warehouse. Pipeline state is deliberately irrelevant: pending load packages are
dropped at the start, the ledger is the only memory.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sales_tasks.destinations.core.summary import PushSummary
from sales_tasks.pipelines import push_lifecycle
from sales_tasks.pipelines.stopping import stops_on_signals

__all__ = ["PushSummary", "register", "run_push"]

INPUT_TABLE = "task_rows"


def _alias_vendor() -> str:
    """The vendor of `push` under the alias command (`SourceSpec.alias`), the default sink."""
    from sales_tasks.pipelines.vendors import alias_spec

    return str(alias_spec().name)


@contextmanager
def _quiet_dlt() -> Iterator[None]:
    # dlt logs every failed load job with a traceback; the run ends in one line instead.
    dlt_logger = logging.getLogger("dlt")
    level = dlt_logger.level
    dlt_logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        dlt_logger.setLevel(level)


def _input_resource(rows: list[dict[str, Any]], input_columns: tuple[str, ...]) -> Any:
    import dlt
    import pyarrow as pa

    from sales_tasks.destinations.core.contract import INPUT_REJECTION, ROW_NUMBER

    # Text columns throughout: dlt must not turn ISO strings into timestamps (it would lose
    # whether an offset was given) nor split a column into variants on a bad value. An Arrow
    # table goes through dlt's extract and normalise as columns (parquet), not row by row,
    # which at 50,000 rows saves seconds before the first call.
    texts = (*input_columns, INPUT_REJECTION)
    schema = pa.schema(
        [pa.field(name, pa.string()) for name in texts]
        + [pa.field(ROW_NUMBER, pa.int64(), nullable=False)]
    )
    table = pa.Table.from_pydict(
        {name: [r.get(name) for r in rows] for name in (*texts, ROW_NUMBER)}, schema=schema
    )
    columns: dict[str, Any] = {name: {"data_type": "text", "nullable": True} for name in texts}
    columns[ROW_NUMBER] = {"data_type": "bigint", "nullable": False}

    @dlt.resource(name=INPUT_TABLE, columns=columns, write_disposition="append")
    def task_rows() -> Iterator[Any]:
        yield table

    return task_rows


@stops_on_signals("push")
def run_push(
    *,
    sink: Any = None,
    table: str | None = None,
    query: str | None = None,
    warehouse: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    dry_run: bool = False,
    resend_unknown: bool = False,
    retry_rejected: bool = False,
    max_contacts_per_call: int | None = None,
    ledger_schema: str | None = None,
    pipelines_dir: str | None = None,
    progress: bool | Callable[[str], None] = False,
    reconcile_wait_seconds: float | None = None,
    calls_in_flight: int | None = None,
    pipeline_name: str | None = None,
    wait_seconds: float = 0.0,
    account: str | None = None,
    **vendor_settings: Any,
) -> PushSummary:
    """Push the rows of `table` or `query` to a vendor as tasks; see the module docstring.

    Args:
        sink: the vendor's `TaskSink` (`sales_tasks.destinations.registry.sink(name)`); default the alias
            command's vendor's.
        warehouse: SQLAlchemy URL or DuckDB file path; default the sink's
            (`<vendor>_tasks.duckdb`). The delivery ledger lives there too
            (`<ledger_schema>.delivery_ledger`).
        api_key, base_url, max_contacts_per_call, ledger_schema, reconcile_wait_seconds,
            calls_in_flight: None reads dlt config (`sales_tasks.destinations.<vendor>.settings`: argument >
            `DESTINATION__<VENDOR>_TASKS__*` > `<VENDOR>_API_KEY`/`<VENDOR>_BASE_URL` > toml >
            default).
        pipeline_name: the dlt pipeline; default derived from the job (`sales_tasks.pipelines.jobs`).
        account: the account's name in the ledger key (default: config, else the base URL's
            host and port). When `[accounts.<vendor>.<account>]` is configured
            (`sales_tasks.pipelines.accounts`), its key and base URL fill what `api_key` / `base_url` leave
            out. A named account is part of the job: its own pipeline name and lock.
        wait_seconds: how long to wait for another run of the same job to end (0: refuse).
        progress: show progress on stderr (live on a terminal, a line every 10 s otherwise),
            or give a function that receives the lines (Dagster's `context.log.info`).
        dry_run: plan only: read input and ledger, look up emails, send and write nothing.
        resend_unknown: send again rows an earlier run left needing review.
        retry_rejected: offer again rows the vendor refused in an earlier run although they did
            not change since (by default such a row is reported rejected with the reason the
            ledger kept, and costs no call).
        reconcile_wait_seconds: how long a created task may take to show in the vendor's list.
        calls_in_flight: create calls sent at once (default: the vendor's settings class, shown
            by `--help`; each is still recorded in the ledger before it goes out and after it
            answers).
        vendor_settings: the vendor's own settings, by name (e.g. a time zone);
            None reads config, as for the others.

    Raises:
        VendorApiError: the run stopped (401/403, retries exhausted); one line for a person.
        JobBusyError: another run of this push job is going on this machine.
        LedgerBusyError: another push holds this ledger (PostgreSQL advisory lock, or another
            thread of this process).
        WarehouseBusyError: the DuckDB file is open in another process (e.g. another push).
    """
    import dlt
    from dlt.pipeline.exceptions import PipelineStepFailed

    from sales_tasks.clients.core.values import account_name
    from sales_tasks.destinations.core import destination as delivery
    from sales_tasks.destinations.core.settings import SettingError, default_account
    from sales_tasks.destinations.core.warehouse import dispose_engine, read_input, warehouse_url
    from sales_tasks.destinations.registry import sink as sink_of
    from sales_tasks.pipelines.accounts import configured_account
    from sales_tasks.pipelines.jobs import (
        job_lock,
        pipeline_name_for,
        push_identity,
        working_folder,
    )
    from sales_tasks.pipelines.progress import RunProgress, push_sample

    started = time.monotonic()
    display: RunProgress | None = None
    sink = sink if sink is not None else sink_of(_alias_vendor())
    label = f"{sink.vendor_key} push"
    if max_contacts_per_call is not None:
        vendor_settings["max_contacts_per_call"] = max_contacts_per_call

    def say(message: str) -> None:
        if display is not None:
            display.say(message)
        elif progress:
            _progress_line(progress, f"{label}: {message}")

    if account:
        # One rule for account names (`sales_tasks.clients.core.values.account_name`): `Acme` and ` acme `
        # are the account `acme`, one ledger key, not three copies of the same tasks.
        try:
            account = account_name(account)
        except ValueError as exc:
            raise SettingError(str(exc)) from None
    named = configured_account(sink.vendor_key, account)
    if named is not None:
        api_key = api_key or named.api_key
        base_url = base_url or named.base_url
    settings = sink.settings(
        api_key=api_key,
        base_url=base_url,
        ledger_schema=ledger_schema,
        reconcile_wait_seconds=reconcile_wait_seconds,
        calls_in_flight=calls_in_flight,
        account=account,
        **vendor_settings,
    )
    url = warehouse_url(
        warehouse or settings.warehouse or sink.default_warehouse, must_exist=table is not None
    )
    identity = push_identity(
        vendor=sink.vendor_key,
        base_url=settings.base_url,
        warehouse_url=url,
        ledger_schema=settings.ledger_schema,
        account=None
        if settings.account == default_account(settings.base_url)
        else settings.account,
    )
    name = pipeline_name or pipeline_name_for(identity, pipelines_dir)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    # A dry run writes nothing, so it does not wait for (or block) a running push.
    lock = (
        contextlib.nullcontext()
        if dry_run
        else job_lock(identity, working_folder(name, pipelines_dir), wait_seconds=wait_seconds)
    )
    with lock:
        try:
            # Builds the client, ledger and engine without I/O; the vendor's contract says
            # which input columns to read.
            run = delivery.open_run(
                sink,
                settings,
                run_id=run_id,
                warehouse_url=url,
                resend_unknown=resend_unknown,
                retry_rejected=retry_rejected,
                progress=say,
            )
            try:
                rows = _read_waiting(
                    lambda: read_input(url, table=table, query=query, rules=run.vendor.rules),
                    wait_seconds=0.0 if dry_run else wait_seconds,
                )
            except BaseException:
                run.close()
                raise
            say(f"read {len(rows)} row(s) from the warehouse")
            if progress:
                emit = progress if callable(progress) else None
                display = RunProgress(
                    label, "rows", lambda: push_sample(run, len(rows)), emit=emit
                ).start()
            try:
                if dry_run:
                    run.engine.plan(rows)
                else:
                    # The ledger's lock first: a second push stops here, before dlt wraps it.
                    run.engine.begin(max(0.0, wait_seconds - (time.monotonic() - started)))
                    pipeline = dlt.pipeline(
                        pipeline_name=name,
                        pipelines_dir=pipelines_dir,  # type: ignore[arg-type]
                        destination=delivery.task_destination(sink, run=run),
                        dataset_name=settings.ledger_schema,
                    )
                    # The ledger is the only memory: a package left by an earlier failed run of
                    # this job is discarded (its rows are in this run's input if they matter).
                    pipeline = pipeline.drop()
                    try:
                        with _quiet_dlt():
                            pipeline.run(_input_resource(rows, run.vendor.rules.input_columns()))
                    except PipelineStepFailed as exc:
                        if run.error is not None:
                            raise run.error from exc
                        raise
                    finally:
                        # dlt keeps each load package (the input rows, notes, emails) in the
                        # working folder; the ledger holds what a rerun needs, so none is kept.
                        pipeline.drop()
                summary = _summarize(run, rows, dry_run=dry_run)
            finally:
                if display is not None:
                    display.stop()
                run.close()
        finally:
            dispose_engine(url)
    summary.duration_seconds = time.monotonic() - started
    return summary


def _read_waiting(read: Callable[[], list[dict[str, Any]]], *, wait_seconds: float) -> Any:
    """`read()`, waiting up to `wait_seconds` while the DuckDB file is open in another process
    (another push of the same warehouse): `--wait` covers every lock a push can meet."""
    from sales_tasks.destinations.core.warehouse import WarehouseBusyError

    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        try:
            return read()
        except WarehouseBusyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(0.25, max(0.0, deadline - time.monotonic())))


def _progress_line(progress: bool | Callable[[str], None], line: str) -> None:
    if callable(progress):
        progress(line)
    else:
        sys.stderr.write(line + "\n")


def _summarize(run: Any, rows: list[dict[str, Any]], *, dry_run: bool) -> PushSummary:
    """The run's summary over the whole input (`DeliveryEngine.summary`)."""
    summary: PushSummary = run.engine.summary(rows, dry_run=dry_run)
    return summary


def _vendor_of(name: str) -> str:
    from sales_tasks.destinations.registry import sink_named

    return name if sink_named(name) is not None else _alias_vendor()


def _default_calls_in_flight(sink: Any) -> int:
    """The vendor's default `calls_in_flight`, read from its settings class (what `--help`
    shows must be what a push uses)."""
    import typing

    from sales_tasks.destinations.core.settings import TaskSinkConfiguration

    config = typing.get_type_hints(type(sink).settings).get("return", TaskSinkConfiguration)
    return int(config().calls_in_flight)


def register(sub: Any, name: str = "push") -> None:
    """Add the push of vendor `name` (`sales-tasks push NAME`), or the alias vendor's under the
    verb."""
    from sales_tasks.destinations.registry import sink as sink_of
    from sales_tasks.pipelines.jobs import add_job_arguments

    vendor = _vendor_of(name)
    sink = sink_of(vendor)
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=f"create {sink.title} tasks from warehouse rows, each exactly once",
        description=sink.push_description,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--table", help="input table, e.g. marts.followups")
    source.add_argument("--query", help="input SQL query")
    parser.add_argument(
        "--warehouse",
        help="SQLAlchemy URL (postgresql://..., duckdb:///file) or DuckDB file;"
        f" default {sink.default_warehouse}",
    )
    parser.add_argument(
        "--base-url",
        help=f"{sink.title} base URL (default: config or {vendor.upper()}_BASE_URL)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show the planned calls; send nothing"
    )
    parser.add_argument(
        "--resend-unknown",
        action="store_true",
        help="send again rows an earlier run left needing review (may duplicate a task)",
    )
    parser.add_argument(
        "--retry-rejected",
        action="store_true",
        help="offer again rows the vendor refused in an earlier run although they did not"
        " change (default: reported rejected with the kept reason, no call)",
    )
    sink.add_arguments(parser)
    parser.add_argument(
        "--ledger-schema",
        default=None,
        metavar="SCHEMA",
        help=f"schema of the delivery ledger (default: config, else {vendor}_push)",
    )
    parser.add_argument("--reconcile-wait", type=float, default=None, metavar="SECONDS")
    parser.add_argument(
        "--calls-in-flight",
        type=int,
        default=None,
        metavar="N",
        help=f"create calls sent at once (default: config, else {_default_calls_in_flight(sink)})",
    )
    parser.add_argument(
        "--account",
        default=None,
        metavar="NAME",
        help="the account's name in the ledger (default: config, else the base URL's host);"
        " a configured account ([accounts.VENDOR.NAME]) also gives the key and base URL",
    )
    add_job_arguments(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    push_lifecycle.add_arguments(parser)
    parser.set_defaults(run=run, push_vendor=vendor)


def run(args: argparse.Namespace) -> int:
    from sales_tasks.destinations.registry import sink as sink_of
    from sales_tasks.pipelines.exit_codes import EXIT_NEEDS_REVIEW, EXIT_OK, EXIT_REJECTED

    sink = sink_of(getattr(args, "push_vendor", None) or _alias_vendor())
    if push_lifecycle.wanted(args):
        return push_lifecycle.run(args, sink)
    summary = run_push(
        sink=sink,
        table=args.table,
        query=args.query,
        warehouse=args.warehouse,
        base_url=args.base_url,
        dry_run=args.dry_run,
        resend_unknown=args.resend_unknown,
        retry_rejected=args.retry_rejected,
        ledger_schema=args.ledger_schema,
        pipelines_dir=args.pipelines_dir,
        progress=not args.quiet,
        reconcile_wait_seconds=args.reconcile_wait,
        calls_in_flight=args.calls_in_flight,
        pipeline_name=args.pipeline_name,
        wait_seconds=args.wait,
        account=args.account,
        **sink.settings_from_args(args),
    )
    sys.stdout.write(summary.format() + "\n")
    if summary.has_needs_review:
        sys.stdout.write(
            f"some rows need review: check them in {sink.title}, then rerun with"
            " --resend-unknown to send the ones that are missing\n"
        )
        return EXIT_NEEDS_REVIEW
    if summary.rejected:
        top, count = summary.rejection_reasons[0]
        sys.stderr.write(
            f"error: {summary.rejected} of {summary.rows_in} row(s) rejected and not sent"
            f" (most: {count} x {top}); fix them in the input and run the push again\n"
        )
        return EXIT_REJECTED
    return EXIT_OK
