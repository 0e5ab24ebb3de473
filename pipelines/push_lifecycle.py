"""`sales-tasks push VENDOR --mode upsert|mirror`, `--plan` and `--apply PLAN_ID`.

The create path is `sales_tasks.pipelines.push.run_push`, unchanged; this module plans the whole
run first (creates from the delivery engine's dry run, changes to delivered tasks from
`sales_tasks.destinations.core.lifecycle`), stores the plan in the ledger's schema
(`plan_table.py`), checks the guard and, unless only planning, runs the creates through
`run_push` and the changes through the `ChangeApplier` (`lifecycle_apply.py`), under the
ledger's run lock. `--apply PLAN_ID` makes the plan again from the input and the ledger as they
are now and runs the stored one only when the two are equal (else `PlanRefusedError`, exit 8,
naming the request_ids that differ).

A vendor changes delivered tasks through its `ChangeVendor` (`destinations/core/changes.py`),
made by a factory `(client, settings)` found in the package of its `TaskSink` (e.g.
`sales_tasks.destinations.<vendor>`): the attribute `<VENDOR>_CHANGES`, else `make_change_vendor`
or `open_changes` of its module `changes` (`change_vendor_for`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sales_tasks.clients.core.errors import ActionableError
from sales_tasks.pipelines.exit_codes import EXIT_PLAN_REFUSED

MODES = ("create", "upsert", "mirror")


class PlanRefusedError(ActionableError, RuntimeError):
    """Nothing was sent: a stale plan, an applied one, or more closes than the guard allows."""

    exit_code = EXIT_PLAN_REFUSED


class NoChangeVendorError(ActionableError, ValueError):
    """The vendor has no `changes` module: only `--mode create` works for it."""

    exit_code = 2


def change_factory(sink: Any) -> Callable[[Any, Any], Any] | None:
    """The vendor's `ChangeVendor` factory `(client, settings)`, found in the package that holds
    its `TaskSink`: its attribute `<VENDOR>_CHANGES` (vendor key in capitals), else
    `make_change_vendor` or `open_changes` of its module `changes`; None when it has none."""
    package = sys.modules[type(sink).__module__].__package__ or type(sink).__module__
    factory = getattr(importlib.import_module(package), f"{sink.vendor_key.upper()}_CHANGES", None)
    if callable(factory):
        return cast(Callable[[Any, Any], Any], factory)
    name = f"{package}.changes"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None
    factory = getattr(module, "make_change_vendor", None) or getattr(module, "open_changes", None)
    return cast(Callable[[Any, Any], Any], factory) if callable(factory) else None


def change_vendor_for(sink: Any, client: Any, settings: Any) -> Any:
    """The vendor's `ChangeVendor` over the push's client (`change_factory`).

    Raises:
        NoChangeVendorError: the vendor has none.
    """
    factory = change_factory(sink)
    if factory is None:
        raise NoChangeVendorError(
            f"{sink.title} cannot change delivered tasks yet (its destination package has no"
            f" {sink.vendor_key.upper()}_CHANGES): use --mode create"
        )
    return factory(client, settings)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The lifecycle flags of `push VENDOR`."""
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="create",
        help="create: new request_ids only (default); upsert: also change delivered tasks whose"
        " row changed; mirror: upsert, and cancel delivered tasks whose row left the input",
    )
    parser.add_argument(
        "--plan",
        action="store_true",
        help="store and show the creates, updates and closes; send nothing",
    )
    parser.add_argument(
        "--apply",
        metavar="PLAN_ID",
        default=None,
        help="run a stored plan, only if the input and the ledger still match it",
    )
    parser.add_argument(
        "--max-close",
        type=int,
        default=None,
        metavar="N",
        help="mirror: refuse to cancel more than N tasks whose rows left the input (default:"
        " 10%% of the open delivered tasks, at least 10)",
    )
    parser.add_argument(
        "--allow-mass-close",
        action="store_true",
        help="mirror: cancel however many tasks left the input",
    )
    parser.add_argument(
        "--overwrite-manual",
        action="store_true",
        help="change tasks a person changed in the vendor since the push wrote them",
    )


def wanted(args: argparse.Namespace) -> bool:
    """Whether the push runs through this module (any lifecycle flag)."""
    return bool(getattr(args, "mode", "create") != "create" or args.plan or args.apply)


@dataclass
class LifecycleSummary:
    """What an upsert or mirror run planned and did."""

    title: str
    plan_id: str
    mode: str
    lines: list[Any] = field(default_factory=list)  # PlannedChange
    plan: Any = None  # LifecyclePlan
    report: Any = None  # ApplyReport (None: only planned)
    push: Any = None  # the creates' PushSummary
    max_close: int = 0
    guard: str = ""  # a plan the guard would stop: how to apply it

    @property
    def rejected(self) -> dict[str, str]:
        found = dict(self.plan.rejected)
        if self.report is not None:
            found.update(self.report.rejected)
        return found

    @property
    def needs_review(self) -> dict[str, str]:
        found = dict(self.plan.manual)
        if self.report is not None:
            found.update(self.report.unsettled)
        return found

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "complete": 0, "skip": 0, "cancel": 0}
        for line in self.lines:
            counts[line.kind] += 1
        return counts

    def format(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts().items())
        head = f"{self.title} push --mode {self.mode}, plan {self.plan_id}: {counts}"
        out = [head + ("" if self.report is not None else " (planned; nothing sent)")]
        for line in self.lines:
            fields = ", ".join(f"{k}={v}" for k, v in sorted(line.fields.items()))
            out.append(f"  {line.kind} {line.request_id}" + (f": {fields}" if fields else ""))
        if self.report is None:
            out.append(f"  apply it with: --apply {self.plan_id}")
            if self.guard:
                out.append(f"  {self.guard}")
        else:
            r = self.report
            out.append(
                f"  {len(r.done)} change(s) made ({len(r.already)} already so), {r.calls}"
                f" change call(s), {r.reads + self.plan.reads} task(s) read back"
            )
            for request_id, decision in sorted(r.settled.items()):
                out.append(f"  interrupted change of {request_id}: {decision}")
        if self.push is not None:
            out.append(f"  creates: {self.push.created} created, {self.push.calls} call(s)")
        for request_id in sorted(set(self.plan.gone)):
            out.append(f"  gone from the vendor: {request_id}")
        for request_id, why in sorted(self.needs_review.items()):
            out.append(f"  needs review {request_id}: {why}")
        for request_id, why in sorted(self.rejected.items()):
            out.append(f"  rejected {request_id}: {why}")
        return "\n".join(out)


def run_id_now() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def run_lifecycle_push(
    *,
    sink: Any,
    table: str | None = None,
    query: str | None = None,
    warehouse: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    mode: str = "upsert",
    plan_only: bool = False,
    apply_id: str | None = None,
    max_close: int | None = None,
    allow_mass_close: bool = False,
    overwrite_manual: bool = False,
    ledger_schema: str | None = None,
    account: str | None = None,
    pipelines_dir: str | None = None,
    on_checkpoint: Callable[[str], None] | None = None,
    **push_options: Any,
) -> LifecycleSummary:
    """Plan, and unless `plan_only` apply, one run (see the module docstring).

    Args:
        apply_id: run this stored plan (its mode wins over `mode`).
        max_close: the guard's limit (None: `lifecycle.default_max_close`).
        on_checkpoint: the applier's test hook (`lifecycle_apply.CHECKPOINTS`).
        push_options: passed to `run_push` for the creates.

    Raises:
        PlanRefusedError: a stale or applied plan, or the guard; nothing was sent.
        NoChangeVendorError: the vendor cannot change delivered tasks.
    """
    from sales_tasks.destinations.core.warehouse import dispose_engine, warehouse_url
    from sales_tasks.pipelines.push_runs import LifecycleRun

    settings = sink.settings(
        api_key=api_key,
        base_url=base_url,
        ledger_schema=ledger_schema,
        account=account,
        **settings_of(push_options),
    )
    url = warehouse_url(
        warehouse or settings.warehouse or sink.default_warehouse, must_exist=table is not None
    )
    run = LifecycleRun(
        sink,
        settings,
        url,
        run_id_now(),
        table=table,
        query=query,
        account=account,
        wait_seconds=float(push_options.get("wait_seconds") or 0.0),
    )
    try:
        run.open(on_checkpoint)
        stored = run.plans.read(apply_id) if apply_id else None
        if stored is not None:
            if stored.applied_at is not None:
                raise PlanRefusedError(
                    f"plan {apply_id} was applied at {stored.applied_at:%Y-%m-%d %H:%M:%S} UTC:"
                    " make a new one with --plan"
                )
            mode = stored.mode
        plan, lines = run.plan(mode, overwrite_manual=overwrite_manual)
        limit = max_close if max_close is not None else _default_limit(plan)
        summary = LifecycleSummary(sink.title, apply_id or uuid.uuid4().hex[:12], mode, lines)
        summary.plan, summary.max_close = plan, limit
        closes = len(plan.mirror_closes())
        if stored is not None:
            from sales_tasks.destinations.core.plan_table import stale_ids

            stale = stale_ids(stored.lines, lines)
            if stale:
                shown = ", ".join(stale[:20]) + (
                    f" and {len(stale) - 20} more" if len(stale) > 20 else ""
                )
                raise PlanRefusedError(
                    f"plan {apply_id} is stale: the input or the ledger changed since it was"
                    f" made, for {len(stale)} request_id(s): {shown}; nothing was sent: make a new"
                    " plan with --plan"
                )
        elif plan_only or not (closes > limit and not allow_mass_close):
            run.plans.write(summary.plan_id, mode, lines, summary.counts())
        if closes > limit and not allow_mass_close and plan_only:
            summary.guard = (
                f"the guard: {closes} cancel(s) of rows that left the input, more than {limit}:"
                f" apply with --max-close {closes} or --allow-mass-close"
            )
        elif closes > limit and not allow_mass_close:
            raise PlanRefusedError(
                f"mirror would cancel {closes} task(s) whose rows left the input, more than the"
                f" guard allows ({limit}): check the input; if it is right, rerun with"
                f" --max-close {closes} or --allow-mass-close; nothing was sent"
            )
        if plan_only:
            return summary
        summary.push, summary.report = run.apply(
            plan, lines, pipelines_dir=pipelines_dir, push_options=push_options
        )
        run.plans.mark_applied(summary.plan_id)
        return summary
    finally:
        run.close()
        dispose_engine(url)


def settings_of(push_options: dict[str, Any]) -> dict[str, Any]:
    """The `push_options` that are settings of the vendor (its own, e.g. the limits its calls
    are paced by, and the push's `calls_in_flight`, `reconcile_wait_seconds`): the changes'
    client is built with them too, not only the creates' (`run_push` takes every name it does
    not know as one)."""
    import inspect

    from sales_tasks.pipelines.push import run_push

    own = set(inspect.signature(run_push).parameters) - {
        "calls_in_flight",
        "reconcile_wait_seconds",
    }
    return {k: v for k, v in push_options.items() if k not in own}


def _default_limit(plan: Any) -> int:
    from sales_tasks.destinations.core.lifecycle import default_max_close

    return default_max_close(plan.open_delivered)


def run(args: argparse.Namespace, sink: Any) -> int:
    """`push VENDOR` with lifecycle flags: prints the summary; the exit code."""
    from sales_tasks.pipelines.exit_codes import EXIT_NEEDS_REVIEW, EXIT_OK, EXIT_REJECTED

    summary = run_lifecycle_push(
        sink=sink,
        table=args.table,
        query=args.query,
        warehouse=args.warehouse,
        base_url=args.base_url,
        mode=args.mode,
        plan_only=args.plan,
        apply_id=args.apply,
        max_close=args.max_close,
        allow_mass_close=args.allow_mass_close,
        overwrite_manual=args.overwrite_manual,
        ledger_schema=args.ledger_schema,
        account=args.account,
        pipelines_dir=args.pipelines_dir,
        resend_unknown=args.resend_unknown,
        retry_rejected=args.retry_rejected,
        wait_seconds=args.wait,
        reconcile_wait_seconds=args.reconcile_wait,
        calls_in_flight=args.calls_in_flight,
        **sink.settings_from_args(args),
    )
    sys.stdout.write(summary.format() + "\n")
    push = summary.push
    if summary.needs_review or (push is not None and push.has_needs_review):
        return EXIT_NEEDS_REVIEW
    if summary.rejected or (push is not None and push.rejected):
        return EXIT_REJECTED
    return EXIT_OK
