"""A status history to look at: repeated extracts from a vendor's local sandbox, with statuses
changed in between as people change them at the vendor (for the notebook and
`docs/task-history.md`).

Each round extracts every task (`run_extract`, as the command does), then changes a share of
them through the sandbox's own hooks (`set_status`, in the shared vocabulary's names): open
tasks completed or skipped (a vendor without skipping cancels), a few closed ones reopened.
The statuses come from the history itself (`shared_status` of each task's current version). `task_status_history` (`sales_tasks.sources.core.history`) keeps what each extract saw. Rounds are
seconds apart, so its durations are too; on a schedule they are the hours between extracts.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import duckdb

from sales_tasks.pipelines.extract import run_extract
from sales_tasks.pipelines.vendors import alias_spec, source_specs
from sales_tasks.sandbox import running_sandbox

CLOSED = ("completed", "skipped")


def run_history_demo(
    duckdb_path: str,
    *,
    vendor: str | None = None,
    tasks: int = 600,
    rounds: int = 4,
    seed: int = 7,
    close_share: float = 0.5,
    reopen_share: float = 0.01,
) -> dict[str, int]:
    """Extract a fresh sandbox of `vendor` `rounds` times into `duckdb_path`, changing statuses
    in between; returns how many of each change were made (`completed`, `skipped`, `reopened`).

    Args:
        vendor: a discovered vendor; default the alias command's (`SourceSpec.alias`).
        close_share: of the open tasks, the share completed or skipped before the next round.
        reopen_share: of the closed tasks, the share reopened before the next round.
    """
    spec = source_specs()[vendor] if vendor else alias_spec()
    rng = random.Random(seed)
    changes = {"completed": 0, "skipped": 0, "reopened": 0}
    with (
        running_sandbox(vendor=spec.name, tasks=tasks, seed=seed) as sb,
        tempfile.TemporaryDirectory(prefix="history-demo-") as pipelines_dir,
    ):
        for round_no in range(rounds):
            summary = run_extract(
                spec.name,
                api_key=sb.api_key,
                base_url=sb.base_url,
                duckdb_path=duckdb_path,
                pipelines_dir=str(Path(pipelines_dir)),
            )
            if not summary.complete:
                raise RuntimeError(f"history demo: extract {round_no + 1} was not complete")
            if round_no == rounds - 1:
                break
            with duckdb.connect(duckdb_path, read_only=True) as con:
                current = con.sql(
                    "SELECT id, shared_status FROM"
                    f" {spec.default_dataset}.task_status_history"
                    " WHERE _dlt_valid_to IS NULL ORDER BY id"
                ).fetchall()
            for task_id, shared in current:
                draw = rng.random()
                if shared == "open" and draw < close_share:
                    outcome = "completed" if rng.random() < 0.75 else "skipped"
                    sb.set_status(task_id, outcome)
                    changes[outcome] += 1
                elif shared in CLOSED and draw < reopen_share:
                    sb.set_status(task_id, "open")
                    changes["reopened"] += 1
    return changes
