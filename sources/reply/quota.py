"""Reply's quota before a run: the last run's calls against the documented hourly limit.

Facts relied on:
- 100 requests a minute and 3,000 an hour **per user**, shared by every app acting for that user
  (VENDOR-SPECS 1.1, RD rate-limits; NOTES section 3, "Limits"); the plan's figures are the
  source's `rate_limits` (default `100/60,3000/3600`).
- Reply documents no budget headers: only `Retry-After` on a 429 (VENDOR-SPECS 1.2; NOTES
  section 3). So what is left is not read from Reply: it is the documented limit of the longest
  window less the calls the runs on the same key made within it (the shared ledger,
  `sales_tasks.sources.core.budget`). Calls other integrations of the user made are not seen:
  the refusal says so.
- The list answers `{items, hasMore}` without a total (VENDOR-SPECS 1.3), so the estimate is the
  last run's calls: a full scan's from the source state (`last_full_requests`, also in a user's
  own pipeline), else the ledger's last run of the same kind for this job. A first run cannot
  estimate: it says so and runs. Reply says nothing of when a window resets.
- Only a window of an hour or more is a quota: a plan given as shorter windows only (`rate_limits`
  such as `5/1`) paces a run across them, and nothing is checked.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.reply.profile import parse_limits
from sales_tasks.sources.core.incremental import RunPlan
from sales_tasks.sources.core.quota import check_quota

QUOTA_WINDOW_S = 3600.0


class ReplyQuota:
    """The quota check of one Reply run: `before_list` before its first call, `after_scan` for
    what is left at the end (the summary and `extract_runs`)."""

    def __init__(self, report: Any, rate_limits: str, *, use_remaining: bool = False) -> None:
        self.report = report
        # A quota is the hour (or longer) window; shorter ones only pace a run across windows.
        long = [lim for lim in parse_limits(rate_limits) if lim[1] >= QUOTA_WINDOW_S]
        quota = max(long, key=lambda lim: lim[1]) if long else None
        self.limit: int | None = quota[0] if quota is not None else None
        self.window: float = quota[1] if quota is not None else 0.0
        self.use_remaining = use_remaining
        self.left: int | None = None

    def before_list(self, plan: RunPlan) -> None:
        """Refuse the run (`QuotaExceededError`) when its estimate exceeds what is left."""
        report = self.report
        if self.limit is None:
            return  # no window of an hour or more in `rate_limits`: nothing to run out of
        budget = getattr(report, "quota_budget", None)
        estimate = plan.last_full_requests if plan.full_scan else None
        if estimate is None and budget is not None:
            estimate = budget.last_calls(plan.full_scan)
        spent = budget.calls_since(self.window) if budget is not None else 0
        self.left = max(0, self.limit - spent)
        if estimate is None:
            report.warn(
                "Reply's quota was not checked: Reply gives no total and sends no quota headers,"
                " and no earlier run of this kind gives an estimate (the next run will have one)"
            )
        basis = (
            f" (Reply sends no quota headers: the last run's calls against the documented"
            f" {self.limit} per {self.window:g} s per user, less {spent} made on this key in"
            " that window; other integrations of the user are not counted)"
        )
        check_quota(
            report,
            vendor="Reply",
            estimate=estimate,
            left=self.left,
            resets_at=None,
            use_remaining=self.use_remaining,
            basis=basis,
        )

    def after_scan(self) -> None:
        """What the documented window has left after this run's calls."""
        if self.left is not None:
            self.report.calls_left = max(0, self.left - int(self.report.requests))
