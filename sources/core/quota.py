"""Quota-aware runs: a run that cannot finish within the vendor's remaining quota refuses first.

Vendor-neutral. A source estimates its run's calls once it knows the list's size (a count or
total read first, or the last run's calls) and reads what is left of the vendor's quota where the
vendor says it (rate headers the client's governor keeps, `sales_tasks.clients.core.governor`; a
usage endpoint; or the documented limit less the calls made on the key): each vendor's quota
reader lives in its own source package. When the estimate exceeds what is left, the run stops there with
`QuotaExceededError`: one line with the numbers and the reset time, before any page of tasks is
read, and the command exits `EXIT_QUOTA` (7). `use_remaining_quota` (`--use-remaining-quota`)
runs anyway on what is left: the run then stops cleanly when the vendor refuses a call (what was
read is loaded, nothing is deleted). A run whose quota cannot be read is not checked (and says so).

The report keeps `calls_estimated` and `calls_left` (what the vendor said was left when the run
last heard from it), shown in the summary and in `extract_runs`.

Runs sharing one vendor key share its budget: when the job gave the report a `quota_budget`
(`sales_tasks.sources.core.budget.QuotaBudget`), the check subtracts what the other live runs on
the key reserved and reserves this run's estimate, atomically, before the list is read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sales_tasks.clients.core.errors import ActionableError

# `sales_tasks.pipelines.exit_codes.EXIT_QUOTA` (kept equal by a test; sources do not import pipelines).
EXIT_QUOTA = 7


class QuotaExceededError(ActionableError):
    """The run needs more calls than the vendor's quota has left: nothing was read."""

    exit_code = EXIT_QUOTA


def reset_text(resets_at: float | None) -> str:
    """When the quota resets, as people read it (UTC), or that the vendor did not say."""
    if resets_at is None:
        return "the vendor did not say when it resets"
    when = dt.datetime.fromtimestamp(resets_at, dt.UTC).replace(microsecond=0)
    return f"it resets at {when.isoformat().replace('+00:00', 'Z')}"


def check_quota(
    report: Any,
    *,
    vendor: str,
    estimate: int | None,
    left: int | None,
    resets_at: float | None,
    use_remaining: bool,
    basis: str = "",
    stage: str = "before reading any task",
) -> None:
    """Record the estimate and what is left on `report`; refuse a run that cannot finish.

    Args:
        basis: where `left` (and the estimate) came from, said in the refusal (" (read from
            ...)"); empty says nothing more.
        stage: when the refusal comes, in the message (`after its first page, ...`).

    Raises:
        QuotaExceededError: `estimate` > `left` (less what other live runs on the key
            reserved) and not `use_remaining`.
    """
    report.calls_estimated = estimate
    report.calls_left = left
    budget = getattr(report, "quota_budget", None)
    held = None
    if budget is not None and estimate is not None:
        held = budget.reserve(report.run_id, estimate, left, force=use_remaining)
    if budget is not None and budget.problem is not None:
        report.warn(
            f"the quota ledger shared by runs on this key could not be used ({budget.problem}):"
            " this run was checked on its own"
        )
    others = held.others_calls if held is not None else 0
    if left is None or estimate is None or estimate <= left - others:
        return
    reserved = (
        f" ({others} reserved by {held.others_runs} other run(s) on the same key)"
        if held is not None and held.others_runs
        else ""
    )
    numbers = (
        f"about {estimate} calls, but {vendor}'s quota has {left} left{reserved}{basis};"
        f" {reset_text(resets_at)}"
    )
    if use_remaining:
        report.warn(f"run started on what is left of the quota: it needs {numbers}")
        return
    raise QuotaExceededError(
        f"{vendor} run refused {stage}: it needs {numbers}. Run after the reset,"
        " or pass --use-remaining-quota to read what the quota allows (nothing is deleted then)"
    )


def quota_options() -> tuple[Any, ...]:
    """The extract flag of a vendor whose runs check its quota first (a `CliOption`)."""
    from sales_tasks.sources.core.spec import CliOption

    return (
        CliOption(
            "--use-remaining-quota",
            "use_remaining_quota",
            "run even when what is left of the vendor's quota is smaller than the run's"
            f" estimated calls (otherwise the run refuses first and exits {EXIT_QUOTA})",
            action="store_true",
        ),
    )
