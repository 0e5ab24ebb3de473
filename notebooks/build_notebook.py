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
    from sales_tasks.pipelines.demo import run_demo

    run_demo(duckdb_path=str(DEMO_FILE), tasks=int(os.environ.get("APOLLO_DEMO_TASKS", "20000")))

con = duckdb.connect(str(DEMO_FILE), read_only=True)
con.execute("SET TimeZone = 'UTC'")  # weeks and weekdays in UTC, as the data is
def sql(query: str) -> pd.DataFrame:
    return con.sql(query).df()

# The data is as of the last extract: the week it ran in is not over in the data.
AS_OF = sql("SELECT max(started_at) AS as_of FROM apollo.extract_runs")["as_of"][0]
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
    md("""## Overdue work by owner, against each owner's workload

A busy owner has more overdue tasks simply by having more tasks, so the chart shows the *share*
of each owner's open tasks that are overdue (`apollo.overdue_tasks` over `apollo.open_tasks`,
two of the analyst models created after every extract). Owners are ordered by workload, the
busiest on top."""),
    code("""overdue = sql(\"\"\"
    WITH workload AS (
        SELECT owner_id, count(*) AS tasks FROM apollo.tasks_enriched GROUP BY ALL
    ), open AS (
        SELECT owner_id, any_value(coalesce(owner_name, owner_email, owner_id)) AS owner,
               count(*) AS open
        FROM apollo.open_tasks GROUP BY ALL
    ), late AS (
        SELECT owner_id, count(*) AS overdue, median(days_overdue) AS median_days_overdue
        FROM apollo.overdue_tasks GROUP BY ALL
    )
    SELECT o.owner, w.tasks, o.open, coalesce(l.overdue, 0) AS overdue,
           coalesce(l.overdue, 0) / o.open AS overdue_share, l.median_days_overdue
    FROM open o JOIN workload w USING (owner_id) LEFT JOIN late l USING (owner_id)
    ORDER BY w.tasks DESC
\"\"\")
shown = overdue.iloc[::-1]  # barh draws bottom-up: the busiest owner on top
fig, ax = plt.subplots(figsize=(9, 0.45 * len(shown) + 1.5))
ax.barh(shown["owner"], shown["overdue_share"] * 100)
for y, row in enumerate(shown.itertuples()):
    ax.annotate(f"{row.overdue:,} of {row.open:,} open", (row.overdue_share * 100, y),
                xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
ax.set_xlim(0, 115)
ax.set_xlabel("% of the owner's open tasks that are overdue")
ax.set_title("Overdue share of open tasks by owner (busiest owner on top)")
plt.tight_layout()
plt.show()
overdue.assign(overdue_share=(overdue["overdue_share"] * 100).round(1))"""),
    md("""## Created vs completed and skipped per week

A skipped task is finished work too (`sales_tasks.pipelines.models.weekly_flow_sql`). Only complete weeks
are drawn: the week the extract ran in is not over in the data (a line ending there would drop
for no reason), nor is the week the data starts in, when it starts after a Monday."""),
    code("""from sales_tasks.pipelines.models import weekly_flow_sql

weekly = sql(weekly_flow_sql("apollo", AS_OF))
partial = weekly[~weekly["complete"]]
weekly = weekly[weekly["complete"]].drop(columns="complete")
print("left out, not complete weeks:", ", ".join(f"{w:%Y-%m-%d}" for w in partial["week"]) or "none")
ax = weekly.set_index("week")[["created", "completed", "skipped"]].plot(
    figsize=(10, 4),
    title=f"Tasks created vs completed and skipped per week (complete weeks before {AS_OF:%Y-%m-%d})",
)
ax.set_ylabel("tasks")
ax.set_ylim(bottom=0)
plt.tight_layout()
plt.show()
weekly.tail(8)"""),
    md("""## Time to completion by type

`apollo.task_outcomes` has the hours from creation to completion (or skip). Types differ by
orders of magnitude (a call is done in hours, a LinkedIn step takes days), so the axis is
logarithmic; each box is labelled with its median, and types are ordered by it."""),
    code("""outcomes = sql(\"\"\"
    SELECT type, hours_to_outcome AS hours
    FROM apollo.task_outcomes
    WHERE outcome = 'completed' AND hours_to_outcome > 0
\"\"\")
medians = outcomes.groupby("type")["hours"].median().sort_values(ascending=False)
fig, ax = plt.subplots(figsize=(9, 0.5 * len(medians) + 1.5))
ax.boxplot(
    [outcomes.loc[outcomes["type"] == t, "hours"] for t in medians.index],
    orientation="horizontal", tick_labels=list(medians.index), showfliers=False,
    medianprops={"color": "crimson", "linewidth": 2},
)
for y, median in enumerate(medians, start=1):
    label = f"median {median:.1f} h" if median < 48 else f"median {median / 24:.1f} d"
    ax.annotate(label, (median, y), xytext=(0, 11), textcoords="offset points",
                ha="center", fontsize=8, color="crimson")
ax.set_xscale("log")
ax.set_xlabel("hours from created to completed (log scale)")
ax.set_title("Created to completed, by type (box: middle half, whiskers: 1.5 IQR)")
plt.tight_layout()
plt.show()
summary = outcomes.groupby("type")["hours"].describe()[["count", "25%", "50%", "75%"]].round(1)
summary.astype({"count": int}).loc[medians.index]"""),
    md("""## Across vendors: overdue share per owner, wherever the tasks live

The demo file holds Apollo, Saleshandy and Reply.io datasets; `sales_tasks.open_by_owner` is one
view over all three in the shared vocabulary. Each bar is an owner's overdue tasks as a share of
their open tasks, so a busy owner is not "worse" just for having more work."""),
    code("""across = sql(\"\"\"
SELECT vendor, owner, open_tasks, overdue_tasks, CAST(overdue_share AS DOUBLE) AS overdue_share
FROM sales_tasks.open_by_owner
WHERE open_tasks >= 5
ORDER BY overdue_share DESC
LIMIT 20
\"\"\")
colors = {"apollo": "tab:blue", "saleshandy": "tab:orange", "reply": "tab:green"}
fig, ax = plt.subplots(figsize=(9, 6))
labels = [f"{o} ({v})" for v, o in zip(across["vendor"], across["owner"], strict=True)]
ax.barh(labels, across["overdue_share"], color=[colors[v] for v in across["vendor"]])
for y, (n, m) in enumerate(zip(across["overdue_tasks"], across["open_tasks"], strict=True)):
    ax.text(0.01, y, f"{n} of {m} open", va="center", fontsize=8, color="white")
ax.invert_yaxis()
ax.set_xlim(0, 1)
ax.set_xlabel("overdue share of open tasks")
ax.set_title("Overdue share per owner across vendors (owners with 5+ open tasks)")
plt.tight_layout()
plt.show()
across"""),
    md("""## Cross-vendor push, planned (dry run)

Overdue Apollo calls become Reply.io call tasks: one query over the unified view, in the shared
vocabulary (`task_type = 'call'`). The demo's Reply sandbox stands in for a Reply account that
holds the same people (a team moving tools), so the notebook adds those contacts to it first.
Dry run: every row is validated and resolved, nothing is sent or written."""),
    code("""from sales_tasks.destinations.registry import sink
from sales_tasks.pipelines.push import run_push
from sales_tasks.sandbox import running_sandbox

MOVE_SQL = \"\"\"
SELECT 'moved-' || task_id AS request_id, contact_email, 'call' AS task_type,
       CAST(date_trunc('day', now()) + INTERVAL 1 DAY + INTERVAL 9 HOUR AS TIMESTAMPTZ)
           AS start_at,
       CAST(date_trunc('day', now()) + INTERVAL 1 DAY + INTERVAL 10 HOUR AS TIMESTAMPTZ)
           AS due_to,
       'Call {{firstName}}: follow-up moved from Apollo' AS body
FROM sales_tasks.all_tasks
WHERE vendor = 'apollo' AND type = 'call' AND is_overdue AND contact_email IS NOT NULL
ORDER BY due_at
LIMIT 25
\"\"\"
con = duckdb.connect(str(DEMO_FILE), read_only=True)
moving = sql(MOVE_SQL)
con.close()
with running_sandbox(vendor="reply", tasks=300, seed=1) as reply:
    for email in moving["contact_email"]:
        reply.add_contact(email)
    cross = run_push(
        sink=sink("reply"),
        query=MOVE_SQL,
        warehouse=str(DEMO_FILE),
        dry_run=True,
        api_key=reply.api_key,
        base_url=reply.base_url,
    )
    assert reply.created() == [], "a dry run creates nothing"
print("cross-vendor push (dry run):")
print(cross.format())
assert cross.adds_up and cross.would_create == len(moving)
con = duckdb.connect(str(DEMO_FILE), read_only=True)  # for the cells below"""),
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
    code("""from sales_tasks.pipelines.demo import sandbox_for_demo_file
from sales_tasks.pipelines.push import run_push

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
    md("""## The life of a task: status changes between extracts

`tasks` holds each task as it is now; `task_status_history` holds every status each extract saw
(dlt's scd2: a version per status, from the extract that first saw it to the one that saw the
next). The demo file above comes from one extract, so this section makes a history to look at:
`sales_tasks.pipelines.history_demo` extracts a sandbox four times, completing, skipping and reopening tasks
in between as people do in Apollo. The queries are `sales_tasks.sources.core.history`'s
(`docs/task-history.md`). The extracts here are seconds apart, so the durations are seconds;
on a schedule they are the hours between runs."""),
    code("""from sales_tasks.pipelines.history_demo import run_history_demo
from sales_tasks.sources.core.history import reopen_counts_sql, time_in_status_sql, versions_sql

HISTORY_FILE = Path(os.environ.get("APOLLO_HISTORY_DUCKDB", ROOT / "apollo_history_demo.duckdb"))
if not HISTORY_FILE.exists():
    print("changes made between extracts:", run_history_demo(str(HISTORY_FILE)))
con = duckdb.connect(str(HISTORY_FILE), read_only=True)
moves = sql(f\"\"\"
    SELECT previous || ' → ' || shared_status AS change, count(*) AS tasks
    FROM ({versions_sql("apollo")}) AS v
    WHERE previous IS NOT NULL
    GROUP BY ALL ORDER BY tasks
\"\"\")
reopens = sql(f"SELECT reopens, count(*) AS tasks FROM ({reopen_counts_sql('apollo')}) AS r GROUP BY ALL ORDER BY reopens")
fig, ax = plt.subplots(figsize=(9, 0.5 * len(moves) + 1.5))
ax.barh(moves["change"], moves["tasks"], color="tab:purple")
for y, n in enumerate(moves["tasks"]):
    ax.annotate(f"{n:,}", (n, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
ax.set_xlabel("status changes seen between extracts (shared vocabulary)")
ax.set_title("How tasks moved between extracts: closed, and reopened")
plt.tight_layout()
plt.show()
print("tasks by times reopened:", dict(zip(reopens["reopens"], reopens["tasks"], strict=True)))
spans = sql(time_in_status_sql("apollo"))
spans.assign(mean_seconds_ended=(spans["mean_hours_ended"] * 3600).round(1)).drop(
    columns=["mean_hours_ended", "mean_hours_so_far"]
)"""),
]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbf.write(nb, __import__("pathlib").Path(__file__).with_name("task_analytics.ipynb"))
