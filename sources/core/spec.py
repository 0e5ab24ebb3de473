"""What a vendor's source hands the generic extract: one `SourceSpec` value.

The extract's twin of the push's `TaskSink` (`sales_tasks.destinations.core.sink`) and the sandbox's
`Emulator` (`sales_tasks.sandbox.core.emulator`). A vendor package `sources/<vendor>/` holds a module
`spec.py` with `SPEC = SourceSpec(...)`; the command line, the orchestrators, the unified views
and the demo find it there (`sales_tasks.pipelines.vendors`), so no list outside the vendor's folders names
it. The spec declares:

- who it is: `name` (as typed: `sales-tasks extract NAME`), `title` (as its docs spell it),
  `short` (in summary lines);
- its extract command: help, description, `options` (each vendor flag as a `CliOption` value; the
  shared flags, destination, account, job, `--strict`, `--progress`, are the generic command's)
  and `configure`, which turns the options into one run's pieces (`SourceRun`);
- its run summary (`summary_type`, a subclass of `ExtractSummary`), its seen-ids table, the
  analyst views it adds to its dataset (`models`), its projection into the unified views
  (`view`), its progress line (`progress_sample`) and its part of the demo (`demo`);
- `alias`: the legacy command (a command name kept for existing scripts) that runs this vendor's commands without the
  vendor word, for the one vendor that has one.

Nothing here does I/O; a spec is read when a command, a schedule or a view needs it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TExecute = Callable[..., Any]
# (table name, its columns) of a loaded dataset, for the views a spec adds.
THasTable = Callable[[str], bool]

TIME = "TIMESTAMP WITH TIME ZONE"


@dataclass(frozen=True)
class CliOption:
    """One vendor flag of the extract command, declared as data.

    `dest` is the keyword the vendor's `configure` takes (and the argparse destination);
    `bounds` (low, high) is checked before the run starts: out of range, the command prints
    `error: FLAG must be between LOW and HIGH` (or `at least LOW`) and exits 2 (usage).
    Everything else is passed to `argparse.add_argument` as it is.

    Example: `CliOption("--per-page", "per_page", "page size", type=int, bounds=(1, 200))`.
    """

    flag: str
    dest: str
    help: str
    type: Callable[[str], Any] | None = None
    choices: Sequence[str] | None = None
    bounds: tuple[int, int | None] | None = None
    hidden: bool = False
    # An argparse action for a flag that takes no value (`store_true`); None when it takes one.
    action: str | None = None

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        kwargs: dict[str, Any] = {"dest": self.dest, "default": None}
        if self.action is not None:
            kwargs["action"] = self.action
        if self.type is not None:
            kwargs["type"] = self.type
        if self.choices is not None:
            kwargs["choices"] = tuple(self.choices)
        kwargs["help"] = argparse.SUPPRESS if self.hidden else self.help
        parser.add_argument(self.flag, **kwargs)

    def problem(self, value: Any) -> str | None:
        """The usage error of `value` (None: fine or not given)."""
        if value is None or self.bounds is None:
            return None
        low, high = self.bounds
        if high is None:
            return None if value >= low else f"{self.flag} must be at least {low}"
        return None if low <= value <= high else f"{self.flag} must be between {low} and {high}"


@dataclass
class SourceRun:
    """One extract run's vendor pieces, built by `SourceSpec.configure` from its options.

    Attributes:
        api_key: the resolved key (kept as a fingerprint by the job, never printed).
        base_url: the resolved base URL (part of the job's identity).
        new_report: makes the run's report from the progress callback it must call per page.
        new_source: makes the dlt source from that report and the job's pipeline (lazy: no
            HTTP until the load runs; the pipeline lets a source read what is loaded already).
        summary_fields: fields of the summary read from the report, on top of the shared ones.
        progress_options: options of the progress display (`emit`, `console`, `interval`).
    """

    api_key: str
    base_url: str
    new_report: Callable[[Callable[..., None]], Any]
    new_source: Callable[[Any, Any], Any]
    summary_fields: Callable[[Any], dict[str, Any]] | None = None
    progress_options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ExtractSummary:
    """What one extract run did, for people (`format`) and orchestrators (the fields).

    A vendor whose summary reads differently subclasses it and names the class in its spec.
    """

    run_id: str
    rows: dict[str, int]
    pages: int
    requests: int
    retries: int
    rate_limited: int
    duration_s: float
    complete: bool
    total_entries: int | None
    unreachable: int
    removed: int | None
    per_page_used: int
    destination: str
    warnings: list[str] = field(default_factory=list)
    vendor: str = ""  # the vendor's name in the summary's lines (`SourceSpec.short`)
    # The vendor's tables in the order its summary lists them (the run report last); tables
    # not named here follow in the order they were first loaded.
    table_order: tuple[str, ...] = ("tasks",)
    # An incremental run (`sales_tasks.sources.core.incremental`) reads part of the list and deletes nothing.
    full_scan: bool = True
    scan_plan: str = ""  # why the run was full or incremental (empty: always full)
    full_scan_requests: int | None = None  # what the last complete full scan cost
    # The vendor's quota (`sales_tasks.sources.core.quota`): calls estimated, and left when last heard from.
    calls_estimated: int | None = None
    calls_left: int | None = None

    def shortfall(self) -> str:
        """What an incomplete run lacked, in words (the warnings say why)."""
        if self.total_entries is None:
            return f"{self.vendor} did not say how many tasks exist"
        if self.unreachable:
            return (
                f"{self.unreachable} of {self.total_entries} {self.vendor} tasks could not be"
                " reached"
            )
        return (
            f"the {self.vendor} scan could not be proved complete"
            f" ({self.rows.get('tasks', 0)} tasks read)"
        )

    def incomplete_warning(self) -> str:
        """The command line's stderr line for an incomplete run without `--strict`."""
        shortfall = (
            f"{self.unreachable} {self.vendor} tasks could not be reached"
            if self.total_entries is not None and self.unreachable
            else self.shortfall()
        )
        return f"{shortfall}; the data is incomplete (use --strict to fail the run)"

    def verdict(self) -> str:
        if self.complete and not self.full_scan:
            of = f" of {self.total_entries}" if self.total_entries is not None else ""
            return (
                f"complete (incremental): {self.rows.get('tasks', 0)} open or newly done tasks"
                f" read{of} in {self.vendor}"
            )
        if self.complete:
            return f"complete: all {self.total_entries} tasks in {self.vendor} were read"
        if self.total_entries is not None and self.unreachable:
            reached = self.total_entries - self.unreachable
            return (
                f"INCOMPLETE: {self.unreachable} of {self.total_entries} tasks could not be"
                f" reached ({reached} loaded); nothing was deleted"
            )
        return f"INCOMPLETE: {self.shortfall()}; nothing was deleted"

    def rows_line(self) -> str:
        order, report = self.table_order, "extract_runs"
        names = [n for n in order if n != report and (n in self.rows or n == "tasks")]
        names += [n for n in self.rows if n not in order and n != report]
        names += [report] if report in self.rows else []
        return ", ".join(f"{name} {self.rows.get(name, 0)}" for name in names)

    def traffic_line(self) -> str:
        return (
            f"{self.pages} pages (per_page {self.per_page_used}), {self.requests} requests,"
            f" {self.retries} retries, {self.rate_limited} rate-limited (429),"
            f" {self.duration_s:.1f}s"
        )

    def format(self) -> str:
        removed = (
            f"{self.removed} task(s) deleted in {self.vendor} removed from tasks"
            if self.removed is not None
            else "no rows removed (incremental run: the next full scan removes deleted tasks)"
            if not self.full_scan
            else "no rows removed (incomplete scan)"
        )
        lines = [
            f"{self.vendor} extract {self.verdict()}",
            f"  into {self.destination}",
            f"  rows: {self.rows_line()}",
            f"  {self.traffic_line()}",
            f"  {removed}",
        ]
        if self.calls_left is not None:
            estimated = (
                f" (estimated {self.calls_estimated})" if self.calls_estimated is not None else ""
            )
            lines.append(f"  quota: {self.requests} calls used{estimated}, {self.calls_left} left")
        if self.scan_plan:
            cost = (
                f"; the last full scan cost {self.full_scan_requests} requests"
                if self.full_scan_requests is not None
                else ""
            )
            lines.append(f"  scan: {self.scan_plan}{cost}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True)
class VendorView:
    """Where one vendor's tables hold each column of the unified views (`sales_tasks.pipelines.unified`):
    all columns of its `tasks` table, except the tables named here, which are joined on `id`
    when the dataset has them.

    Args:
        marker: the table that marks a dataset this vendor's extract loaded (its seen ids).
        owners: a table of owners (`id`, `name`, `email`), joined on `owner_id`.
        contacts: a table of contacts (`id`, `email`), joined on `contact_id`.
        contact_email: else, a column of `tasks` holding the contact's email.
        due_cast: the type of the due column (a DATE is the start of that day, in UTC).
        vendor_type: SQL for the vendor's type code from the plain column's SQL and the
            projection (`sales_tasks.pipelines.unified.Projection`: `has(table, column)`, `col(column)`),
            e.g. to join a subtype to it; None uses the column as it is.
    """

    marker: str
    contact_id: str
    owner_id: str
    type: str
    due: str
    priority: str | None = "priority"
    due_cast: str = TIME
    owners: str | None = None
    contacts: str | None = None
    contact_email: str | None = None
    vendor_type: Callable[[Any, str], str] | None = None


@dataclass(frozen=True)
class DemoPart:
    """A vendor's part of `sales-tasks demo`: its sandbox's size, the SQL that picks the
    follow-ups to push back, and how to read them back from the vendor.

    Args:
        tasks: the sandbox's tasks.
        followups_sql: `(due day YYYY-MM-DD, dataset)` -> the push's input query.
        read_back: `(sandbox handle, task ids)` -> rows showing the pushed tasks as the vendor
            answers for them (over HTTP to the sandbox).
        read_back_header: the column names of those rows.
        summarise: `(duckdb connection, dataset)` -> `(heading, header, rows)` tables the demo
            prints after the run (an analyst's first questions), or None.
    """

    tasks: int
    followups_sql: Callable[[str, str], str]
    read_back: Callable[[Any, list[str]], list[tuple[Any, ...]]]
    read_back_header: tuple[str, ...]
    summarise: (
        Callable[[Any, str], list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]] | None
    ) = None
    sandbox_key: Callable[[Any], str] = lambda sb: str(sb.api_key)


@dataclass(frozen=True)
class SourceSpec:
    """One vendor's source, as the generic extract and everything downstream of it read it.

    Attributes:
        name: the vendor's word on the command line and in config (`<name>_tasks`).
        title: the vendor as its docs spell it (help, lists of vendors).
        short: the vendor's name in summary and progress lines.
        help / description: the extract command's --help texts.
        base_url_help: help of `--base-url`.
        default_dataset / default_duckdb_file: where a run loads when told nothing.
        options: the vendor's own flags (`CliOption`), in --help order.
        configure: `(api_key=, base_url=, **options) -> SourceRun`; resolves the options
            through the vendor's dlt config and raises `ValueError` (a setting the vendor
            would refuse) or the vendor's missing-key error before any request.
        seen_table: the source's table of the ids a run read; a run that does not load it (an
            orchestrator materialising some tables only) deletes nothing.
        view: the vendor's projection into the unified views.
        summary_type: the run summary's class.
        table_order: the order the summary lists the vendor's tables.
        models: `(execute, dataset, has_table) -> view names`, the analyst views the vendor
            adds to its own dataset after each load (None: none).
        progress_sample: `report -> ProgressSample fields`, when the generic progress line
            (tasks read of the vendor's total, pages read of planned) does not fit.
        demo: the vendor's part of `sales-tasks demo` (None: left out).
        describe: `() -> dlt source` built without a key and without a request, naming the
            tables a run loads; orchestrators describe one asset per table with it (None: the
            vendor's extract is one asset).
        alias: the legacy command that runs this vendor's commands without the vendor word.
        order: where the vendor sorts in lists (lower first; then by name).
    """

    name: str
    title: str
    short: str
    help: str
    description: str
    base_url_help: str
    default_dataset: str
    default_duckdb_file: str
    configure: Callable[..., SourceRun]
    seen_table: str
    view: VendorView
    options: tuple[CliOption, ...] = ()
    summary_type: type[ExtractSummary] = ExtractSummary
    table_order: tuple[str, ...] = ("tasks", "extract_runs")
    models: Callable[[TExecute, str, THasTable], list[str]] | None = None
    progress_sample: Callable[[Any], Mapping[str, Any]] | None = None
    demo: DemoPart | None = None
    describe: Callable[[], Any] | None = None
    alias: str | None = None
    order: int = 100
    strict_help: str = "exit 3 when the scan could not be proved complete"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the vendor's own flags (`options`) to its extract command."""
        for option in self.options:
            option.add_to(parser)

    def usage_problem(self, args: argparse.Namespace) -> str | None:
        """The first flag out of its bounds, as a one-line usage error (None: all fine)."""
        for option in self.options:
            problem = option.problem(getattr(args, option.dest, None))
            if problem is not None:
                return problem
        return None

    def options_from_args(self, args: argparse.Namespace) -> dict[str, Any]:
        """The vendor's options as given on the command line, by `configure` keyword."""
        return {o.dest: getattr(args, o.dest) for o in self.options if hasattr(args, o.dest)}
