# Regenerates task_analytics.ipynb (stored without outputs): .venv/bin/python notebooks/build_notebook.py
import nbformat as nbf

nb = nbf.v4.new_notebook()
md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell
nb.cells = [
    md("""# Apollo tasks: what the data says

This notebook reads the DuckDB file that `make demo` (or `apollo-tasks extract`) writes, answers the
questions a sales-ops analyst asks first with SQL, and ends by building a reverse-ETL input in SQL
and planning its push to Apollo (a dry run: nothing is sent).

It opens `apollo_demo.duckdb` at the project root, or the file named by `APOLLO_DEMO_DUCKDB`. When
the file is missing it runs the demo extract first (a local sandbox, no API key needed)."""),
    code("""import os
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import pandas as pd

ROOT = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
DEMO_FILE = Path(os.environ.get("APOLLO_DEMO_DUCKDB", ROOT / "apollo_demo.duckdb")).resolve()

if not DEMO_FILE.exists():
    from pipelines.demo import run_demo

    run_demo(duckdb_path=str(DEMO_FILE), tasks=int(os.environ.get("APOLLO_DEMO_TASKS", "20000")))

con = duckdb.connect(str(DEMO_FILE), read_only=True)
def sql(query: str) -> pd.DataFrame:
    return con.sql(query).df()

sql("SELECT count(*) AS tasks, min(created_at) AS first_created, max(created_at) AS last_created FROM apollo.tasks")"""),
    md("## Tasks by type and status"),
    code("""by_type = sql(\"\"\"
    SELECT type, status, count(*) AS tasks
    FROM apollo.tasks
    GROUP BY ALL
\"\"\").pivot(index="type", columns="status", values="tasks").fillna(0).astype(int)
by_type = by_type.loc[by_type.sum(axis=1).sort_values().index]
ax = by_type.plot.barh(stacked=True, figsize=(9, 4), title="Tasks by type and status")
ax.set_xlabel("tasks")
plt.tight_layout()
plt.show()
by_type"""),
    md("## Overdue work by owner\n\n`apollo.overdue_tasks` is one of the analyst models created after every extract."),
    code("""overdue = sql(\"\"\"
    SELECT coalesce(owner_name, owner_email, owner_id) AS owner,
           count(*) AS overdue,
           median(days_overdue) AS median_days_overdue
    FROM apollo.overdue_tasks
    GROUP BY ALL
    ORDER BY overdue DESC
\"\"\")
ax = overdue.set_index("owner")["overdue"].sort_values().plot.barh(
    figsize=(9, 4), title="Overdue scheduled tasks by owner"
)
ax.set_xlabel("overdue tasks")
plt.tight_layout()
plt.show()
overdue"""),
    md("## Created vs completed per week"),
    code("""weekly = sql(\"\"\"
    WITH created AS (
        SELECT date_trunc('week', created_at) AS week, count(*) AS created
        FROM apollo.tasks GROUP BY ALL
    ), completed AS (
        SELECT date_trunc('week', completed_at) AS week, count(*) AS completed
        FROM apollo.tasks WHERE completed_at IS NOT NULL GROUP BY ALL
    )
    SELECT coalesce(c.week, d.week) AS week,
           coalesce(created, 0) AS created,
           coalesce(completed, 0) AS completed
    FROM created c FULL OUTER JOIN completed d ON c.week = d.week
    ORDER BY week
\"\"\")
ax = weekly.set_index("week")[["created", "completed"]].plot(
    figsize=(10, 4), title="Tasks created vs completed per week"
)
ax.set_ylabel("tasks")
plt.tight_layout()
plt.show()
weekly.tail(8)"""),
    md("## Time to completion by type\n\n`apollo.task_outcomes` has the hours from creation to completion (or skip)."),
    code("""outcomes = sql(\"\"\"
    SELECT type, hours_to_outcome / 24.0 AS days_to_complete
    FROM apollo.task_outcomes
    WHERE outcome = 'completed' AND hours_to_outcome >= 0
\"\"\")
ax = outcomes.boxplot(
    column="days_to_complete", by="type", vert=False, figsize=(9, 4), showfliers=False
)
ax.set_title("Days from created to completed, by type")
ax.set_xlabel("days")
plt.suptitle("")
plt.tight_layout()
plt.show()
outcomes.groupby("type")["days_to_complete"].describe()[["count", "50%", "mean"]].round(1)"""),
    md("""## A reverse-ETL input, in SQL

Follow-up calls for contacts whose last task finished more than `N_DAYS` ago and who have nothing
scheduled. The columns are the push's input contract: `request_id` (stable, so a rerun creates
nothing twice), `user_id`, `contact_id`, `type`, `status`, `due_at`, `priority`, `note`."""),
    code("""N_DAYS = 30
FOLLOWUPS_SQL = f\"\"\"
WITH last_finished AS (
    SELECT contact_id, user_id,
           coalesce(completed_at, skipped_at) AS finished_at,
           row_number() OVER (PARTITION BY contact_id
                              ORDER BY coalesce(completed_at, skipped_at) DESC) AS rn
    FROM apollo.tasks
    WHERE status IN ('completed', 'skipped') AND contact_id IS NOT NULL
)
SELECT 'nb-followup-' || l.contact_id || '-' || CAST(CAST(l.finished_at AS DATE) AS VARCHAR)
           AS request_id,
       l.user_id,
       l.contact_id,
       'call' AS type,
       'scheduled' AS status,
       CAST(date_trunc('day', now()) + INTERVAL 1 DAY + INTERVAL 9 HOUR AS TIMESTAMPTZ) AS due_at,
       'medium' AS priority,
       'Check in: last touch over {N_DAYS} days ago' AS note
FROM last_finished l
WHERE l.rn = 1
  AND l.finished_at < now() - INTERVAL {N_DAYS} DAY
  AND NOT EXISTS (SELECT 1 FROM apollo.tasks o
                  WHERE o.contact_id = l.contact_id AND o.status = 'scheduled')
ORDER BY l.finished_at
LIMIT 50
\"\"\"
followups = sql(FOLLOWUPS_SQL)
print(f"{len(followups)} follow-up task(s) to create")
followups.head(10)"""),
    md("""## Plan the push (dry run)

`run_push(..., dry_run=True)` reads the same SQL, validates every row, consults the delivery ledger
and prints the bulk-create calls it would make. Nothing is sent and nothing is written. Rows that
are checked against Apollo (read-only calls): the same local sandbox account the demo file came
from (a demo file never points at a real account). To send to your account, run
`apollo-tasks push --query ... --warehouse apollo_demo.duckdb` with your key configured."""),
    code("""from pipelines.demo import sandbox_for_demo_file
from pipelines.push import run_push

con.close()  # the push opens the same file
with sandbox_for_demo_file(str(DEMO_FILE)) as apollo:
    print("checking rows against", apollo.description)
    plan = run_push(
        query=FOLLOWUPS_SQL,
        warehouse=str(DEMO_FILE),
        dry_run=True,
        api_key=apollo.api_key,
        base_url=apollo.base_url,
        account=apollo.account,
    )
print(plan.format())
assert plan.adds_up and plan.would_create + plan.already_delivered == len(followups)"""),
]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbf.write(nb, __import__("pathlib").Path(__file__).with_name("task_analytics.ipynb"))
