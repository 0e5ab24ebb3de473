"""What a scheduled run reads (main environment: no orchestrator needed): the vendor's extract
from the table, the accounts it fans out over, and each account's run arguments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sales_tasks.pipelines.orchestration import settings


@pytest.fixture(autouse=True)
def _only_what_the_test_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("ACCOUNTS__", "APOLLO_TASKS__", "REPLY_TASKS__", "DESTINATION__")):
            monkeypatch.delenv(name)


def test_each_vendor_extract_is_found_in_the_table_or_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A vendor's source spec runs through the generic extract, bound to that vendor.
    assert settings.extract_function("apollo").__name__ == "run_apollo_extract"
    monkeypatch.setitem(settings.VENDOR_EXTRACTS, "reply", "pipelines.no_such_module:run_it")
    with pytest.raises(settings.OrchestrationSetupError) as missing:
        settings.extract_function("reply")
    message = str(missing.value)
    assert "\n" not in message
    assert message.startswith("the reply extract (pipelines.no_such_module:run_it) cannot be")
    monkeypatch.setitem(
        settings.VENDOR_EXTRACTS, "reply", "sales_tasks.pipelines.extract:no_such_function"
    )
    with pytest.raises(settings.OrchestrationSetupError, match="no_such_function"):
        settings.extract_function("reply")
    with pytest.raises(settings.OrchestrationSetupError, match="choose one of apollo"):
        settings.extract_function("hubspot")


def test_fan_out_is_the_configured_accounts_else_the_default_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert settings.accounts_to_run("apollo") == [None]
    monkeypatch.setenv("ACCOUNTS__APOLLO__WEST__API_KEY", "k-west")
    monkeypatch.setenv("ACCOUNTS__APOLLO__EAST__BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ACCOUNTS__REPLY__EAST__API_KEY", "k-reply")
    assert settings.accounts_to_run("apollo") == ["east", "west"]
    assert settings.accounts_to_run("reply") == ["east"]
    assert settings.accounts_to_run("saleshandy") == [None]


def test_each_account_runs_into_its_own_dataset_and_push_query(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("APOLLO_TASKS__WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("APOLLO_TASKS__DATASET", "crm")
    monkeypatch.setenv(
        "APOLLO_TASKS__PUSH_QUERY", "SELECT '{account}' AS a, * FROM {dataset}.followups"
    )
    job = settings.JobSettings.load()
    assert job.extract_kwargs("West-1")["dataset_name"] == "apollo_west_1"
    assert job.extract_kwargs("West-1")["account"] == "West-1"
    assert "account" not in job.extract_kwargs()  # the default account: today's arguments
    assert job.extract_kwargs()["dataset_name"] == "crm"
    assert job.push_kwargs("west")["query"] == "SELECT 'west' AS a, * FROM apollo_west.followups"
    assert job.push_kwargs("west")["account"] == "west"
    assert job.push_kwargs()["query"] == "SELECT '' AS a, * FROM crm.followups"
    assert job.is_duckdb

    monkeypatch.setenv("REPLY_TASKS__WAREHOUSE", "postgresql://u:p@127.0.0.1:1/db")
    reply = settings.JobSettings.load("reply")
    assert (reply.vendor, reply.dataset_of(None), reply.is_duckdb) == ("reply", "reply", False)
    assert settings.JobSettings.load().vendor == "apollo"
