"""One rule for account names (extract and push), and a ledger schema that is only a name."""

from __future__ import annotations

import pytest

from sales_tasks.clients.core.values import account_name
from sales_tasks.destinations.core.settings import (
    SettingError,
    TaskSinkConfiguration,
    resolve_sink_settings,
)


@pytest.mark.parametrize("raw", ["acme", "Acme", " acme ", "ACME\t"])
def test_account_names_are_trimmed_and_case_insensitive(raw: str) -> None:
    assert account_name(raw) == "acme"


@pytest.mark.parametrize("raw", ["", " ", "acme corp", "a/b", "-acme", "x" * 64, "acme;drop"])
def test_other_account_names_are_refused_in_one_line(raw: str) -> None:
    with pytest.raises(ValueError, match="account name") as info:
        account_name(raw)
    assert "\n" not in str(info.value)


def _resolve(**explicit: object) -> TaskSinkConfiguration:
    return resolve_sink_settings(
        TaskSinkConfiguration(),
        "unit_test_tasks",
        {},
        {"base_url": "http://127.0.0.1:9", **explicit},
    )


def test_the_push_reads_account_names_by_the_same_rule() -> None:
    assert _resolve(account=" Acme-EMEA ").account == "acme-emea"
    assert _resolve().account == "127.0.0.1:9"  # the default: the base URL's host and port
    with pytest.raises(SettingError, match="account name"):
        _resolve(account="acme corp")


@pytest.mark.parametrize("schema", ['x"; drop table t; --', "a.b", "1abc", "a b", "x" * 64])
def test_a_ledger_schema_that_is_not_a_plain_name_is_refused(schema: str) -> None:
    with pytest.raises(SettingError, match="ledger schema"):
        _resolve(ledger_schema=schema)


def test_a_plain_ledger_schema_is_kept() -> None:
    assert _resolve(ledger_schema="Team_Push").ledger_schema == "Team_Push"
