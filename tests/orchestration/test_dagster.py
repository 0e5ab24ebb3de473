"""The Dagster definitions, materialized for real against the sandbox into DuckDB, twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from sales_tasks.sandbox import Sandbox
from tests.orchestration.checks import (
    OTHER_PUSH_ROWS,
    PUSH_ROWS,
    assert_other_vendor_run,
    assert_run,
    other_vendor_env,
    table_counts,
)

# At least these; the exact set is whatever the extract loads (see the materialize test).
EXTRACT_TABLES = {
    "tasks",
    "contacts",
    "accounts",
    "contact_phone_numbers",
    "task_type_counts",
    "extract_runs",
    "_apollo_seen_task_ids",
}


def _dlt_asset_tables(definitions: dg.Definitions) -> set[str]:
    keys = definitions.resolve_asset_graph().get_all_asset_keys()
    return {
        key.to_user_string().removeprefix("dlt_apollo_")
        for key in keys
        if key.to_user_string().startswith("dlt_apollo_")
    }


def _definitions() -> dg.Definitions:
    from sales_tasks.pipelines.orchestration.dagster_defs import defs

    return defs()


def _apollo_assets(definitions: dg.Definitions) -> list[dg.AssetsDefinition]:
    """Apollo's assets (the other vendors' are tested in their own runs)."""
    return [
        a
        for a in definitions.assets or []
        if isinstance(a, dg.AssetsDefinition) and set(a.group_names_by_key.values()) == {"apollo"}
    ]


def test_definitions_have_one_asset_per_table_and_a_schedule() -> None:
    definitions = _definitions()
    graph = definitions.resolve_asset_graph()
    assert _dlt_asset_tables(definitions) >= EXTRACT_TABLES
    push = graph.get(dg.AssetKey("apollo_push"))
    assert {k.to_user_string() for k in push.parent_keys} == {
        "dlt_apollo_tasks",
        "dlt_apollo_contacts",
    }
    schedule = definitions.resolve_schedule_def("apollo_tasks_schedule")
    assert schedule.cron_schedule == "@daily"
    job = definitions.resolve_job_def("apollo_tasks_job")
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} >= {
        "apollo_push",
        "dlt_apollo_tasks",
    }
    assert job.partitions_def is None  # no account configured: today's unpartitioned job
    # Every vendor of `settings.VENDOR_EXTRACTS` has its extract, push, job and schedule.
    for vendor in ("saleshandy", "reply"):
        push = graph.get(dg.AssetKey(f"{vendor}_push"))
        assert {k.to_user_string() for k in push.parent_keys} == {f"{vendor}_extract"}
        definitions.resolve_job_def(f"{vendor}_tasks_job")
        definitions.resolve_schedule_def(f"{vendor}_tasks_schedule")


def test_materialize_twice_loads_and_pushes_without_duplicates(
    job_env: None,
    orchestration_sandbox: Sandbox,
    warehouse: Path,
) -> None:
    from sales_tasks.pipelines.accounts import ACCOUNT_TABLE

    definitions = _definitions()
    instance = dg.DagsterInstance.ephemeral()
    assets = _apollo_assets(definitions)

    result = dg.materialize(assets, resources=definitions.resources, instance=instance)
    assert result.success
    counts = assert_run(warehouse, orchestration_sandbox, run=1)
    # Exactly one asset per table the extract loaded (dlt's own `_dlt_*` tables and the
    # account's row aside).
    loaded = {name.split(".", 1)[1] for name in counts if name.startswith("apollo.")}
    assert counts["apollo." + ACCOUNT_TABLE] == 1
    loaded.discard(ACCOUNT_TABLE)
    assert {t for t in loaded if not t.startswith("_dlt_")} == _dlt_asset_tables(definitions)
    push = result.asset_materializations_for_node("apollo_push")[0].metadata
    assert push["created"].value == PUSH_ROWS
    # Progress and summaries go through `context.log`: they are in the run's event log.
    messages = [e.user_message for e in instance.all_logs(result.run_id)]
    assert any(m.startswith("apollo extract: 300/300 tasks (100%)") for m in messages), messages
    assert any(m.startswith("apollo push: read 5 row(s)") for m in messages), messages

    orchestration_sandbox.clear_requests()
    result = dg.materialize(assets, resources=definitions.resources, instance=instance)
    assert result.success
    assert_run(warehouse, orchestration_sandbox, run=2)
    push = result.asset_materializations_for_node("apollo_push")[0].metadata
    assert push["created"].value == 0
    assert push["already_delivered"].value == PUSH_ROWS
    assert table_counts(warehouse)["apollo.extract_runs"] == 2


def test_push_without_configured_input_sends_nothing(
    job_env: None, orchestration_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APOLLO_TASKS__PUSH_QUERY")
    definitions = _definitions()
    assets = _apollo_assets(definitions)
    result = dg.materialize(
        assets,
        selection=[dg.AssetKey("apollo_push")],
        resources=definitions.resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    push = result.asset_materializations_for_node("apollo_push")[0].metadata
    assert push["skipped"].value is True
    assert orchestration_sandbox.created() == []
    assert orchestration_sandbox.requests() == []


def test_push_with_rejected_rows_fails_the_asset_without_retries(
    job_env: None, orchestration_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the CLI's exit code 5: rows that never reached Apollo must not look green."""
    from tests.orchestration.checks import REJECTED_QUERY

    monkeypatch.setenv("APOLLO_TASKS__PUSH_QUERY", REJECTED_QUERY)
    definitions = _definitions()
    assets = _apollo_assets(definitions)
    result = dg.materialize(
        assets,
        selection=[dg.AssetKey("apollo_push")],
        resources=definitions.resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "1 row(s) rejected and not sent" in str(failure.event_specific_data)
    assert orchestration_sandbox.created() == []


def test_one_partition_per_account_materialized_over_three_accounts(
    accounts_env: None,
    account_sandboxes: dict[str, Sandbox],
    served: dict[str, set[str]],
    warehouse: Path,
) -> None:
    """Each account a partition of the extract and push assets, its own job, its own data."""
    from tests.orchestration.checks import ACCOUNTS, account_key, assert_accounts_run

    definitions = _definitions()
    assets = _apollo_assets(definitions)
    job = definitions.resolve_job_def("apollo_tasks_job")
    assert job.partitions_def is not None
    assert list(job.partitions_def.get_partition_keys()) == sorted(ACCOUNTS)
    # The schedule asks for one run per account, for Dagster to spread over its workers.
    schedule = definitions.resolve_schedule_def("apollo_tasks_schedule")
    tick = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 12, 2, 6, tzinfo=UTC),
        repository_def=definitions.get_repository_def(),
    )
    requests = schedule.evaluate_tick(tick).run_requests or []
    assert sorted(r.partition_key for r in requests) == sorted(ACCOUNTS)
    assert len({r.run_key for r in requests}) == len(ACCOUNTS)

    instance = dg.DagsterInstance.ephemeral()
    for run in (1, 2):
        if run == 2:
            for sb in account_sandboxes.values():
                sb.clear_requests()
        for name in ACCOUNTS:
            result = dg.materialize(
                assets, partition_key=name, resources=definitions.resources, instance=instance
            )
            assert result.success
            push = result.asset_materializations_for_node("apollo_push")[0]
            assert push.partition == name
            assert push.metadata["created"].value == (PUSH_ROWS if run == 1 else 0)
            messages = " ".join(str(e.user_message) for e in instance.all_logs(result.run_id))
            assert f"({name} into apollo_{name})" in messages
            assert account_key(name) not in messages
        assert_accounts_run(warehouse, account_sandboxes, served, run=run)


def test_a_vendor_whose_extract_is_missing_fails_alone_without_retries(
    job_env: None, orchestration_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sales_tasks.pipelines.orchestration import settings

    monkeypatch.setitem(settings.VENDOR_EXTRACTS, "reply", "pipelines.no_such_extract:run")
    definitions = _definitions()
    reply = [
        a
        for a in definitions.assets or []
        if isinstance(a, dg.AssetsDefinition) and dg.AssetKey("reply_extract") in a.keys
    ]
    result = dg.materialize(
        reply,
        resources=definitions.resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    text = str(failure.event_specific_data)
    assert "the reply extract (pipelines.no_such_extract:run) cannot be loaded" in text
    assert orchestration_sandbox.requests() == []  # and Apollo's assets were not touched


@pytest.mark.parametrize("vendor", ["saleshandy", "reply"])
def test_saleshandy_and_reply_assets_extract_then_push_once_over_two_runs(
    vendor: str,
    make_saleshandy_sandbox: Any,
    make_reply_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make = make_saleshandy_sandbox if vendor == "saleshandy" else make_reply_sandbox
    sb = make(tasks=200, subprocess=True)
    warehouse = tmp_path / f"{vendor}_warehouse.duckdb"
    other_vendor_env(vendor, sb, warehouse, monkeypatch)
    definitions = _definitions()
    instance = dg.DagsterInstance.ephemeral()
    assets = [
        a
        for a in definitions.assets or []
        if isinstance(a, dg.AssetsDefinition) and set(a.group_names_by_key.values()) == {vendor}
    ]
    assert {k.to_user_string() for a in assets for k in a.keys} >= {
        f"{vendor}_extract",
        f"{vendor}_push",
    }
    for run in (1, 2):
        result = dg.materialize(assets, resources=definitions.resources, instance=instance)
        assert result.success, run
        assert_other_vendor_run(vendor, sb, warehouse, tasks=200, run=run)
        push = result.asset_materializations_for_node(f"{vendor}_push")[0].metadata
        assert push["created"].value == (OTHER_PUSH_ROWS if run == 1 else 0)
