"""Apollo's completeness proof reads every page twice; the second read answers a page whose bytes
the first read decoded from what that page held, without decoding it
(`sales_tasks.sources.apollo.page_memo`). Held to the plain way (every page decoded,
`TaskScanner(reuse_pages=False)`) while tasks are deleted, created and changed at any request of
either pass: the same rows, the same verdict and warnings, and so the same deletions (a run
deletes the known tasks it did not read, only when the verdict is complete).

The changes are made by the sandbox itself at the k-th search request (`on_request`), and the
scan reads one page at a time, so both ways see the same changes at the same point. Each way
gets its own sandbox of the same seed. A change stamps the wall clock (a created task's id and
`created_at`, a completed task's `completed_at`), so such stamps are compared as "recent", and
created tasks by their note.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient
from sales_tasks.sandbox import Sandbox, running_sandbox
from sales_tasks.sources.apollo.batch import Batch
from sales_tasks.sources.apollo.report import ScanReport
from sales_tasks.sources.apollo.scan import TaskScanner
from tests.source.helpers import SEARCH, served_tasks

TASKS, PER_PAGE = 200, 50
PAGES = TASKS // PER_PAGE  # a pass; the scan sends 2 * PAGES + 1 searches on a list held still

changes = st.lists(
    st.tuples(
        st.integers(0, 2 * PAGES),  # before the (k+1)-th search request
        st.sampled_from(["delete", "create", "change"]),
        st.integers(0, TASKS - 1),  # the task at this position (delete, change)
    ),
    max_size=3,
)


def _schedule(sb: Sandbox, plan: list[tuple[int, str, int]]) -> None:
    served = [t["id"] for t in served_tasks(sb, PER_PAGE)]
    user, contact = sb.users()[0]["id"], sb.contacts(1)[0]["id"]
    entries = []
    for n, (after, kind, position) in enumerate(plan):
        target = f"/_sandbox/tasks/{served[position]}"
        do: dict[str, Any] = {
            "delete": {"method": "DELETE", "path": target},
            "change": {"method": "PATCH", "path": target, "body": {"status": "completed"}},
            "create": {
                "method": "POST",
                "path": "/api/v1/tasks",
                "headers": {"x-api-key": sb.master_key},
                "body": {
                    "user_id": user,
                    "contact_id": contact,
                    "type": "call",
                    "status": "scheduled",
                    "due_at": "2030-01-01T09:00:00Z",
                    "note": f"made-{n}",
                },
            },
        }[kind]
        entries.append({"path": SEARCH, "method": "POST", "after": after, "do": do})
    sb.on_request(entries)


def _row(row: dict[str, Any], seeded: set[str], since: datetime) -> Any:
    """The row, with the stamps of a change made during the test (wall clock) made equal."""
    if row["id"] not in seeded:
        return ("created", row["note"])
    return {k: "recent" if isinstance(v, datetime) and v >= since else v for k, v in row.items()}


def _scan(plan: list[tuple[int, str, int]], reuse_pages: bool) -> dict[str, Any]:
    """One scan of a fresh sandbox with `plan` scheduled; what a run makes of it."""
    with running_sandbox(vendor="apollo", tasks=TASKS, seed=7) as sb:
        seeded = {t["id"] for t in served_tasks(sb, PER_PAGE)}
        since = datetime.now(UTC) - timedelta(minutes=5)
        _schedule(sb, plan)
        report = ScanReport()
        rows: list[Any] = []
        with ApiClient(sb.base_url, sb.master_key, profile=APOLLO_PROFILE) as client:
            scanner = TaskScanner(
                client, report, per_page=PER_PAGE, concurrency=1, reuse_pages=reuse_pages
            )
            for item in scanner:
                if isinstance(item, Batch) and item.tasks is not None:
                    rows += item.tasks.to_pylist()
        read = {r["id"] for r in rows}
        return {
            "rows": sorted((_row(r, seeded, since) for r in rows), key=str),
            "complete": report.complete,
            "warnings": report.warnings,
            "tasks_seen": report.tasks_seen,
            "unreachable": report.unreachable,
            "duplicates": report.duplicates,
            # What a run deletes: the tasks known from the last run (all seeded) not read now.
            "deletions": sorted(seeded - read) if report.complete else [],
            "searches": len(sb.requests(SEARCH)),
        }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes)
def test_the_second_read_shortcut_matches_decoding_every_page(
    plan: list[tuple[int, str, int]],
) -> None:
    assert _scan(plan, reuse_pages=True) == _scan(plan, reuse_pages=False)


def test_a_list_held_still_is_proved_without_decoding_its_pages_again(make_sandbox: Any) -> None:
    sb = make_sandbox(tasks=TASKS)
    report = ScanReport()
    with ApiClient(sb.base_url, sb.master_key, profile=APOLLO_PROFILE) as client:
        scanner = TaskScanner(client, report, per_page=PER_PAGE, concurrency=2)
        tasks = sum(len(i.tasks) for i in scanner if isinstance(i, Batch) and i.tasks is not None)
        memo = scanner.search.memo

    assert report.complete and tasks == TASKS
    assert memo is not None and memo.hits == PAGES - 1  # pages 2.. of the second pass
    assert len(sb.requests(SEARCH)) == 2 * PAGES + 1


def test_a_page_changed_between_the_reads_is_decoded_and_the_proof_holds(
    make_sandbox: Any,
) -> None:
    """A status change moves no task: the changed page is decoded, the others are not."""
    sb = make_sandbox(tasks=TASKS)
    target = served_tasks(sb, PER_PAGE)[PER_PAGE * 2]["id"]  # on page 3
    body = {"status": "completed"}
    do = {"method": "PATCH", "path": f"/_sandbox/tasks/{target}", "body": body}
    sb.on_request([{"path": SEARCH, "method": "POST", "after": PAGES, "do": do}])
    report = ScanReport()
    with ApiClient(sb.base_url, sb.master_key, profile=APOLLO_PROFILE) as client:
        scanner = TaskScanner(client, report, per_page=PER_PAGE, concurrency=1)
        for _ in scanner:
            pass
        memo = scanner.search.memo

    assert report.complete
    assert memo is not None and memo.hits == PAGES - 2
