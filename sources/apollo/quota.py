"""Apollo's quota before a run: the run's search calls against what Apollo says is left.

Facts relied on:
- `POST /api/v1/usage_stats/api_usage_stats` needs a master key (VENDOR-SPECS 3.5, "(master
  key) (AS L4776)") and answers, per endpoint keyed like `["api/v1/tasks", "search"]`,
  `{minute|hour|day: {limit, consumed, left_over}}` (NOTES section 1, "Users, contacts, usage";
  the spec's example). The example's `left_over` equals `limit` although `consumed` is not 0, so
  what is left is read as the smaller of `left_over` and `limit - consumed`.
- Windows are fixed, per team and per endpoint, per minute, hour and day at once (NOTES section 1,
  "Rate limits"). A 429 naming an hourly or daily quota ends the run (waiting cannot help,
  `sales_tasks.clients.apollo.profile`), so a run must fit in what is left of the hour and of the
  day; the minute window only paces it.
- Successful answers carry `x-hourly-requests-left` and `x-24-hour-requests-left` (seen live) or
  `x-daily-requests-left` (older docs) (NOTES section 1; VENDOR-SPECS 3.1): read when the usage
  stats cannot be (a key scoped to task search only: 403 there).
- Apollo sends no reset time, in the stats or the headers: the refusal says so.

Two checks, each refusing before the task search calls it guards:
- **before the first search call**, when an earlier finished run of the same job left its calls
  in the shared ledger (`sales_tasks.sources.core.budget`): that count against the usage stats;
- **after the first page** (which the scan reads anyway): its `total_entries` and the per_page
  served give the pages; a complete scan reads them twice (the verification pass,
  `sales_tasks.sources.apollo.scan`) plus a last look at page 1: `2 * pages + 1` search calls
  (`1` for an empty list). Over the display cap the scan splits the search: the estimate is then
  a floor. The usage stats read for the first check serve the second (less the page read).
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.apollo.endpoints import TASKS_SEARCH, USAGE_STATS, quota_key
from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient, FatalApiError, RetriableApiError, RetryPolicy
from sales_tasks.clients.core.paginators import page_count
from sales_tasks.clients.core.values import lenient_int
from sales_tasks.sources.apollo.pagination import PageInfo, effective_per_page
from sales_tasks.sources.core.quota import check_quota

SEARCH_STATS_KEY = '["api/v1/tasks", "search"]'
# The windows a run must fit in (the minute one only paces it), as the stats and headers name them.
QUOTA_WINDOWS = ("hour", "day")
STATS_MAX_WAIT_S = 10.0
LEFT_HEADERS = {
    "hour": ("x-hourly-requests-left",),
    "day": ("x-24-hour-requests-left", "x-daily-requests-left"),
}


def estimate_calls(info: PageInfo, per_page: int) -> int | None:
    """The search calls of a complete scan, from the first page (None: no total)."""
    total = info.total_entries
    if total is None:
        return None
    if total <= 0:
        return 1
    pages = page_count(total, effective_per_page(per_page, info))
    return 2 * pages + 1


def left_in_stats(stats: Any) -> int | None:
    """What task search has left of its hour and day, from the usage stats (None: not there)."""
    entry = stats.get(SEARCH_STATS_KEY) if isinstance(stats, dict) else None
    if not isinstance(entry, dict):
        return None
    found: list[int] = []
    for window in QUOTA_WINDOWS:
        figures = entry.get(window)
        if not isinstance(figures, dict):
            continue
        limit, consumed = lenient_int(figures.get("limit")), lenient_int(figures.get("consumed"))
        candidates = [lenient_int(figures.get("left_over"))]
        if limit is not None and consumed is not None:
            candidates.append(max(0, limit - consumed))
        if known := [c for c in candidates if c is not None]:
            found.append(min(known))
    return min(found) if found else None


def left_in_headers(headers: dict[str, str]) -> int | None:
    """What the hour and day headers of a search answer say is left (None: not sent)."""
    found = [
        lenient_int(headers.get(name))
        for window in QUOTA_WINDOWS
        for name in LEFT_HEADERS[window]
        if name in headers
    ]
    known = [v for v in found if v is not None]
    return min(known) if known else None


class ApolloQuota:
    """The quota check of one Apollo scan: `before_pages` after the first page, `after_scan`
    when the scan ends (what is left then, for the summary and `extract_runs`)."""

    def __init__(self, client: ApiClient, report: Any, *, use_remaining: bool = False) -> None:
        self.client = client
        self.report = report
        self.use_remaining = use_remaining
        self._stats_left: int | None = None  # what the usage stats said before the first page
        self._stats_why = ""

    def before_first(self) -> None:
        """Refuse the run before its first search call when the job's last finished run made
        more calls than the usage stats say are left (nothing to compare: checked later)."""
        budget = getattr(self.report, "quota_budget", None)
        estimate = budget.last_calls(True) if budget is not None else None
        if estimate is None:
            return  # a first run: its first page gives the estimate
        self._stats_left, self._stats_why = self._read_stats()
        if self._stats_left is None:
            return  # the check after the first page reads the rate headers and says why
        check_quota(
            self.report,
            vendor="Apollo",
            estimate=estimate,
            left=self._stats_left,
            resets_at=None,
            use_remaining=self.use_remaining,
            basis=f" (the last run's calls; per POST {USAGE_STATS}, task search's hour and day)",
            stage="before its first task search",
        )

    def before_pages(self, info: PageInfo, per_page: int) -> None:
        """Refuse the run (`QuotaExceededError`) when its estimate exceeds what is left."""
        estimate = estimate_calls(info, per_page)
        if self._stats_left is not None:  # read before the first page, which spent one call
            left: int | None = max(0, self._stats_left - 1)
            basis = f" (per POST {USAGE_STATS}, task search's hour and day)"
        else:
            left, basis = self._read_left()
        check_quota(
            self.report,
            vendor="Apollo",
            estimate=estimate,
            left=left,
            resets_at=None,
            use_remaining=self.use_remaining,
            basis=basis,
            stage="after its first page, before reading the rest",
        )

    def after_scan(self) -> None:
        """What task search has left after the scan, from its last answer's headers."""
        left = left_in_headers(self.client.governor.last_headers(quota_key(TASKS_SEARCH)))
        if left is not None:
            self.report.calls_left = left

    def _read_left(self) -> tuple[int | None, str]:
        """What is left and where it was read; warns when neither source says."""
        left, why = (None, self._stats_why) if self._stats_why else self._read_stats()
        if left is not None:
            return left, f" (per POST {USAGE_STATS}, task search's hour and day)"
        headers = self.client.governor.last_headers(quota_key(TASKS_SEARCH))
        left = left_in_headers(headers)
        if left is not None:
            self.report.warn(
                f"Apollo's usage stats could not be read ({why}): the quota was checked with"
                " the rate headers of task search's first page instead"
            )
            return left, " (per the x-hourly/x-24-hour-requests-left headers of the first page)"
        self.report.warn(
            f"Apollo's quota could not be read (usage stats: {why}; no rate headers on task"
            " search's answer): the run was not checked against it"
        )
        return None, ""

    def _read_stats(self) -> tuple[int | None, str]:
        """What the usage stats say task search has left, or why they could not say."""
        why = ""
        # Its own client, which waits at most a few seconds (a burst 429), never for a spent
        # window of the stats' own quota: an unreadable quota must not hold the run. Its calls
        # count in the run's.
        client = self.client
        once = ApiClient(
            client.base_url,
            auth=client.auth,
            profile=APOLLO_PROFILE,
            retry=RetryPolicy(max_attempts=2, max_rate_limit_wait=STATS_MAX_WAIT_S),
            max_connections=1,
        )
        try:
            with once:
                stats = once.request_json("POST", USAGE_STATS, endpoint=quota_key(USAGE_STATS))
        except (FatalApiError, RetriableApiError) as exc:
            why = client.safe_message(exc)
        else:
            left = left_in_stats(stats)
            if left is not None:
                return left, ""
            why = f"its answer had no figures for {SEARCH_STATS_KEY}"
        finally:
            client.stats.add(**once.stats.as_dict())
        return None, why
