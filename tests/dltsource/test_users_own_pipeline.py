"""Each vendor's source run by a user's own `dlt.pipeline(...).run(source())`, as dlt users run
verified sources: configured by dlt's config alone, limited with `add_limit`, narrowed with
`with_resources`; real HTTP to the sandbox, real DuckDB files.

The short env vars (`APOLLO_API_KEY`, `APOLLO_BASE_URL`, ...) are the ones each source's
docstring promises; `SOURCES__<VENDOR>__<KEY>` is dlt's own spelling of the same settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest

from sales_tasks.pipelines.extract import finish_extract, run_extract
from sales_tasks.sources.apollo import ScanReport, apollo_source
from sales_tasks.sources.apollo.current_state import known_task_ids as apollo_known_ids
from sales_tasks.sources.reply import ReplyScanReport, reply_source
from sales_tasks.sources.reply.current_state import known_task_ids as reply_known_ids
from sales_tasks.sources.saleshandy import SaleshandyScanReport, saleshandy_source
from sales_tasks.sources.saleshandy.current_state import known_task_ids as saleshandy_known_ids
from tests.reply.test_reply_extract_e2e import list_calls as reply_list_calls
from tests.reply.test_reply_extract_e2e import served as reply_served
from tests.saleshandy.sh_extract_support import list_calls as sh_list_calls
from tests.saleshandy.sh_extract_support import served_tasks as sh_served
from tests.source.helpers import search_calls as apollo_list_calls
from tests.source.helpers import served_tasks as apollo_served

TASKS = 300
PAGE = 50
# Reply paces itself at its documented 100 requests a minute; the sandbox's limits are raised
# and so are the client's (a setting of the source), so the test waits on nothing.
REPLY_FAST = {"rate_limits": {"minute": 10**6, "hour": 10**7}}


@dataclass(frozen=True)
class Vendor:
    name: str
    source: Callable[..., Any]
    key: Callable[[Any], str]
    page_setting: str  # the source's page-size argument
    served: Callable[[Any], list[dict[str, Any]]]
    list_calls: Callable[[Any], list[dict[str, Any]]]
    cli_extract: Callable[..., Any]
    sandbox: dict[str, Any]
    settings: dict[str, str]  # other settings, as dlt env vars


VENDORS = {
    "apollo": Vendor(
        "apollo",
        apollo_source,
        lambda sb: sb.master_key,
        "per_page",
        apollo_served,
        apollo_list_calls,
        partial(run_extract, "apollo"),
        {},
        {},
    ),
    "saleshandy": Vendor(
        "saleshandy",
        saleshandy_source,
        lambda sb: sb.api_key,
        "page_size",
        sh_served,
        sh_list_calls,
        partial(run_extract, "saleshandy"),
        {},
        {},
    ),
    "reply": Vendor(
        "reply",
        reply_source,
        lambda sb: sb.api_key,
        "top",
        reply_served,
        reply_list_calls,
        partial(run_extract, "reply"),
        REPLY_FAST,
        {"SOURCES__REPLY__RATE_LIMITS": "100000/1"},
    ),
}


@pytest.fixture(params=sorted(VENDORS))
def vendor(request: pytest.FixtureRequest) -> Vendor:
    return VENDORS[request.param]


@pytest.fixture
def configured(
    vendor: Vendor,
    sandbox_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """A sandbox of `vendor`, its key and URL in the short env vars the docstrings promise, and
    no other config place set."""
    sb = sandbox_factory(vendor.name, tasks=TASKS, **vendor.sandbox)
    upper = vendor.name.upper()
    for key in ("API_KEY", "BASE_URL"):
        monkeypatch.delenv(f"SOURCES__{upper}__{key}", raising=False)
    monkeypatch.setenv(f"{upper}_API_KEY", vendor.key(sb))
    monkeypatch.setenv(f"{upper}_BASE_URL", sb.base_url)
    monkeypatch.setenv(f"SOURCES__{upper}__{vendor.page_setting.upper()}", str(PAGE))
    for name, value in vendor.settings.items():
        monkeypatch.setenv(name, value)
    yield sb


def _pipeline(tmp_path: Path, name: str, dataset: str) -> Any:
    return dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(str(tmp_path / f"{name}.duckdb")),
        dataset_name=dataset,
        pipelines_dir=str(tmp_path / "pipelines"),
    )


def _rows(tmp_path: Path, file: str, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(tmp_path / file), read_only=True) as con:
        return con.sql(sql).fetchall()


def _tables(tmp_path: Path, file: str, dataset: str) -> set[str]:
    sql = (
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        f" AND table_schema = '{dataset}' AND table_name NOT LIKE '_dlt%'"
    )
    return {r[0] for r in _rows(tmp_path, file, sql)}


def test_the_short_env_vars_alone_configure_a_users_pipeline_and_load_every_task(
    vendor: Vendor, configured: Any, tmp_path: Path
) -> None:
    pipeline = _pipeline(tmp_path, "mine", "my_tasks")
    pipeline.run(vendor.source())
    loaded = _rows(tmp_path, "mine.duckdb", "SELECT id, count(*) FROM my_tasks.tasks GROUP BY id")
    assert all(n == 1 for _, n in loaded)  # no duplicates
    assert sorted(str(i) for i, _ in loaded) == sorted(
        str(t["id"]) for t in vendor.served(configured)
    )


def test_dlts_own_env_vars_win_over_the_short_ones(
    vendor: Vendor, configured: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upper = vendor.name.upper()
    monkeypatch.setenv(f"{upper}_API_KEY", "a-wrong-key")
    monkeypatch.setenv(f"{upper}_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv(f"SOURCES__{upper}__API_KEY", vendor.key(configured))
    monkeypatch.setenv(f"SOURCES__{upper}__BASE_URL", configured.base_url)
    pipeline = _pipeline(tmp_path, "mine", "my_tasks")
    pipeline.run(vendor.source())
    assert _rows(tmp_path, "mine.duckdb", "SELECT count(DISTINCT id) FROM my_tasks.tasks") == [
        (TASKS,)
    ]


def test_add_limit_reads_that_many_pages_of_the_vendors_list(
    vendor: Vendor, configured: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if vendor.name != "reply":  # Reply reads one page at a time anyway
        monkeypatch.setenv(f"SOURCES__{vendor.name.upper()}__CONCURRENCY", "1")
    pipeline = _pipeline(tmp_path, "mine", "my_tasks")
    configured.clear_requests()
    pipeline.run(vendor.source().add_limit(2))
    assert _rows(
        tmp_path, "mine.duckdb", "SELECT count(*), count(DISTINCT id) FROM my_tasks.tasks"
    ) == [(2 * PAGE, 2 * PAGE)]
    # Two pages asked for, and at most the one a scan asks for ahead; a full read is 6 or more.
    assert 2 <= len(vendor.list_calls(configured)) <= 3


def test_with_resources_loads_only_the_tables_asked_for(
    vendor: Vendor, configured: Any, tmp_path: Path
) -> None:
    pipeline = _pipeline(tmp_path, "mine", "my_tasks")
    pipeline.run(vendor.source().with_resources("tasks"))
    assert _tables(tmp_path, "mine.duckdb", "my_tasks") == {"tasks"}
    assert _rows(tmp_path, "mine.duckdb", "SELECT count(DISTINCT id) FROM my_tasks.tasks") == [
        (TASKS,)
    ]


def test_a_narrowed_source_is_limited_too(vendor: Vendor, configured: Any, tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, "mine", "my_tasks")
    pipeline.run(vendor.source().with_resources("tasks").add_limit(1))
    assert _rows(tmp_path, "mine.duckdb", "SELECT count(DISTINCT id) FROM my_tasks.tasks") == [
        (PAGE,)
    ]


def test_a_users_pipeline_gets_the_tables_and_rows_the_cli_loads(
    vendor: Vendor, configured: Any, tmp_path: Path
) -> None:
    pipeline = _pipeline(tmp_path, "mine", vendor.name)
    pipeline.run(vendor.source())
    vendor.cli_extract(
        duckdb_path=str(tmp_path / "cli.duckdb"), pipelines_dir=str(tmp_path / "cli-pipelines")
    )
    ours = _tables(tmp_path, "mine.duckdb", vendor.name)
    cli = _tables(tmp_path, "cli.duckdb", vendor.name)
    # The CLI adds its account binding (and, on its own, nothing else as a table).
    assert ours <= cli and all(t.startswith("_") for t in cli - ours), cli - ours
    sql = f"SELECT id, status FROM {vendor.name}.tasks ORDER BY id"
    assert _rows(tmp_path, "mine.duckdb", sql) == _rows(tmp_path, "cli.duckdb", sql)


REPORTS = {"apollo": ScanReport, "saleshandy": SaleshandyScanReport, "reply": ReplyScanReport}
KNOWN_IDS = {
    "apollo": apollo_known_ids,
    "saleshandy": saleshandy_known_ids,
    "reply": reply_known_ids,
}


def _views(tmp_path: Path, file: str) -> set[tuple[str, str]]:
    sql = "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'VIEW'"
    return {(s, t) for s, t in _rows(tmp_path, file, sql)}


def test_a_users_pipeline_removes_deleted_tasks_and_builds_the_views_as_docs_say(
    vendor: Vendor, configured: Any, tmp_path: Path
) -> None:
    """docs/dlt-source.md, "What the command adds": pass `known_ids` and call `finish_extract`
    after the load, and a user's own pipeline ends each run as the CLI's does: tasks deleted at
    the vendor gone, the vendor's and the `sales_tasks` views built over the same tables."""
    pipeline = _pipeline(tmp_path, "mine", vendor.name)
    first = REPORTS[vendor.name]()
    pipeline.run(vendor.source(report=first, known_ids=KNOWN_IDS[vendor.name](pipeline)))
    finish_extract(pipeline, first, vendor=vendor.name)
    served = [t["id"] for t in vendor.served(configured)]
    gone = sorted(served, key=str)[:2]
    for task_id in gone:
        configured.delete_task(task_id)

    second = REPORTS[vendor.name]()
    pipeline.run(vendor.source(report=second, known_ids=KNOWN_IDS[vendor.name](pipeline)))
    assert finish_extract(pipeline, second, vendor=vendor.name) == 2
    now = sorted(str(t["id"]) for t in vendor.served(configured))
    assert len(now) == TASKS - 2
    ids = _rows(tmp_path, "mine.duckdb", f"SELECT id FROM {vendor.name}.tasks ORDER BY id")
    assert sorted(str(i) for (i,) in ids) == now
    in_view = _rows(tmp_path, "mine.duckdb", "SELECT task_id FROM sales_tasks.all_tasks")
    assert sorted(str(i) for (i,) in in_view) == now

    vendor.cli_extract(
        duckdb_path=str(tmp_path / "cli.duckdb"), pipelines_dir=str(tmp_path / "cli-pipelines")
    )
    assert _views(tmp_path, "mine.duckdb") == _views(tmp_path, "cli.duckdb")
