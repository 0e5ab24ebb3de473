"""Exit codes of `sales-tasks` and its alias command, for schedulers (Airflow, Dagster, cron).

A module of its own, importing nothing, so the commands (`sales_tasks.pipelines.extract`, `sales_tasks.pipelines.push`,
`sales_tasks.pipelines.jobs`) and the CLI that dispatches to them all read the codes from one place without
importing each other.

0 only when every row made it. A push that rejects rows exits 5: the rows did not reach the vendor
and will not until their data is fixed, so a green task would hide them; rerunning is safe
(delivered rows are never resent) and exits 5 again until then. Needs review (4) wins over
rejected: it asks a person to look first. An extract into a dataset that belongs to another
account exits 6 before reading anything (`sales_tasks.pipelines.accounts.claim_dataset`): a rerun exits 6
again until the run is given its own dataset. An extract that needs more calls than the vendor's
quota has left exits 7 before reading any task (`sales_tasks.sources.core.quota`), unless told to use what is
left (`--use-remaining-quota`). A push that refuses to act exits 8 before sending anything: `--apply`
of a plan the input or ledger no longer matches, or a mirror run that would close more tasks than
its guard allows (`sales_tasks.pipelines.push_lifecycle`).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1  # the run stopped: the one line on stderr says why and what to do
EXIT_USAGE = 2  # bad arguments (argparse's own code), an unknown vendor or a missing one
EXIT_INCOMPLETE = 3  # `extract --strict` when part of the data could not be fetched
EXIT_NEEDS_REVIEW = 4  # `push` left rows whose delivery could not be decided
EXIT_REJECTED = 5  # `push` rejected rows (bad data, unknown user or contact, the vendor's 422)
EXIT_DATASET_OWNED = 6  # `extract` into a dataset bound to another account: nothing was read
EXIT_QUOTA = 7  # `extract` would need more calls than the vendor's quota has left: nothing read
EXIT_PLAN_REFUSED = 8  # `push --apply` of a stale plan, or mirror's close guard: nothing was sent
EXIT_BUSY = 75  # sysexits' EX_TEMPFAIL: another run of the same job is going, try again later
EXIT_INTERRUPTED = (
    130  # SIGINT / Ctrl-C (a SIGTERM stop exits 143, see `sales_tasks.pipelines.stopping`)
)
