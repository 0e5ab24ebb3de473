"""The dlt settings our extract gives its own pipeline (`sales_tasks.pipelines.run_settings`):
`extract.next_item_mode = "fifo"` and, for the DuckDB file it opens, `load.workers`. They hold for
that pipeline during its run only: a user's own pipeline in the same process, during or after the
run, resolves dlt's defaults, and a user's own setting wins over ours.

What a pipeline resolved is read from dlt's own trace of its run
(`pipeline.last_trace.resolved_config_values`: key, value, provider).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dlt
import pytest

from sales_tasks.pipelines.extract import DUCKDB_LOAD_WORKERS
from sales_tasks.pipelines.run_settings import PROVIDER_NAME, run_defaults
from sales_tasks.sandbox import Sandbox
from tests.source.helpers import extract, query

SETTINGS = ("next_item_mode", "workers")


def _resolved(pipeline: Any) -> dict[str, tuple[Any, str]]:
    """`section.key` -> (value, provider) of the settings above, as the pipeline's run resolved
    them (dlt's defaults are not in the trace)."""
    return {
        ".".join((*v.sections, v.key)): (v.value, v.provider_name)
        for v in pipeline.last_trace.resolved_config_values
        if v.key in SETTINGS
    }


def _our_pipeline(tmp_path: Path) -> Any:
    """Our extract's pipeline (its name is derived from the job), attached from its folder."""
    pipelines = tmp_path / "pipelines"
    (name,) = [p for p in os.listdir(pipelines) if (pipelines / p / "state.json").exists()]
    return dlt.attach(pipeline_name=name, pipelines_dir=str(pipelines))


@dlt.resource(name="numbers")
def _numbers() -> Any:
    yield [{"n": n} for n in range(3)]


def _users_pipeline(tmp_path: Path, name: str = "users_own") -> Any:
    pipeline = dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(str(tmp_path / f"{name}.duckdb")),
        pipelines_dir=str(tmp_path / "users_pipelines"),
    )
    pipeline.run(_numbers())
    return pipeline


@pytest.fixture
def apollo(sandbox_factory: Any) -> Sandbox:
    sandbox: Sandbox = sandbox_factory("apollo", tasks=120)
    return sandbox


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EXTRACT__NEXT_ITEM_MODE", "LOAD__WORKERS"):
        monkeypatch.delenv(name, raising=False)


def test_our_extract_runs_fifo_and_few_load_workers_and_a_users_pipeline_after_it_does_not(
    apollo: Sandbox, tmp_path: Path
) -> None:
    summary = extract(apollo, tmp_path, per_page=25)

    assert summary.complete
    assert query(tmp_path, "SELECT count(*) FROM apollo.tasks") == [(120,)]
    assert _resolved(_our_pipeline(tmp_path)) == {
        "extract.next_item_mode": ("fifo", PROVIDER_NAME),
        "load.workers": (DUCKDB_LOAD_WORKERS, PROVIDER_NAME),
    }
    # Nothing of ours is left in dlt's configuration: a user's pipeline gets dlt's defaults.
    assert _resolved(_users_pipeline(tmp_path)) == {}


def test_a_users_own_settings_win_over_ours(
    apollo: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTRACT__NEXT_ITEM_MODE", "round_robin")
    monkeypatch.setenv("LOAD__WORKERS", "7")

    extract(apollo, tmp_path, per_page=25)

    assert _resolved(_our_pipeline(tmp_path)) == {
        "extract.next_item_mode": ("round_robin", "Environment Variables"),
        "load.workers": ("7", "Environment Variables"),  # the text of the variable
    }


def test_a_users_pipeline_running_during_ours_gets_dlt_defaults(tmp_path: Path) -> None:
    settings = {"extract.next_item_mode": "fifo", "load.workers": 1}
    with run_defaults("ours", settings):
        users = _users_pipeline(tmp_path)
        ours = _users_pipeline(tmp_path, name="ours")

    assert _resolved(users) == {}
    assert _resolved(ours) == {
        "extract.next_item_mode": ("fifo", PROVIDER_NAME),
        "load.workers": (1, PROVIDER_NAME),
    }
