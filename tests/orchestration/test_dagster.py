"""The Dagster definitions, materialized for real against the sandbox into DuckDB, twice."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from sandbox import Sandbox
from tests.orchestration.checks import PUSH_ROWS, assert_run, table_counts

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
    from pipelines.orchestration.dagster_defs import defs

    return defs()


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


def test_materialize_twice_loads_and_pushes_without_duplicates(
    job_env: None,
    orchestration_sandbox: Sandbox,
    warehouse: Path,
) -> None:
    definitions = _definitions()
    instance = dg.DagsterInstance.ephemeral()
    assets = [a for a in definitions.assets or [] if isinstance(a, dg.AssetsDefinition)]

    result = dg.materialize(assets, resources=definitions.resources, instance=instance)
    assert result.success
    counts = assert_run(warehouse, orchestration_sandbox, run=1)
    # Exactly one asset per table the extract loaded (dlt's own `_dlt_*` tables aside).
    loaded = {name.split(".", 1)[1] for name in counts if name.startswith("apollo.")}
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
    assets = [a for a in definitions.assets or [] if isinstance(a, dg.AssetsDefinition)]
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
    assets = [a for a in definitions.assets or [] if isinstance(a, dg.AssetsDefinition)]
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
