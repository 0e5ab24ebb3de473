"""A dataset holds one account: the first extract binds it, another account is refused in one
line (exit code 6) before its vendor is asked anything, and the owner's rows stay as they were.
The binding names the account, its base URL and a fingerprint of its key, never the key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sales_tasks.pipelines.accounts import (
    ACCOUNT_TABLE,
    DatasetOwnedError,
    DatasetOwner,
    key_fingerprint,
)
from sales_tasks.pipelines.cli import sales_main
from sales_tasks.pipelines.exit_codes import EXIT_DATASET_OWNED
from sales_tasks.sandbox import running_sandbox
from tests.mirror.drill import KITS, REPLY_LIMITS, TASKS_SMALL, Warehouse


@pytest.fixture(autouse=True)
def _no_vendor_config(monkeypatch: pytest.MonkeyPatch) -> None:
    prefixes = ("APOLLO_", "SALESHANDY_", "REPLY_", "SOURCES__", "DESTINATION__", "ACCOUNTS__")
    for name in list(os.environ):
        if name.startswith(prefixes):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SOURCES__REPLY__RATE_LIMITS", REPLY_LIMITS)


def _cli(monkeypatch: pytest.MonkeyPatch, vendor: str, sb: Any, tmp_path: Path, *args: str) -> int:
    monkeypatch.setenv(KITS[vendor].key_env, KITS[vendor].key(sb))
    return sales_main(
        ["extract", vendor, "--base-url", sb.base_url, "--duckdb-path", str(tmp_path / "w.duckdb"),
         "--pipelines-dir", str(tmp_path / "pipelines"), *args]
    )  # fmt: skip


def _rows(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("vendor", sorted(KITS))
def test_a_second_account_is_refused_in_one_line_before_anything_is_read(
    vendor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    kit = KITS[vendor]
    with kit.start(1) as first, kit.start(2) as second:
        assert _cli(monkeypatch, vendor, first, tmp_path, "--dataset", "shared") == 0
        capsys.readouterr()
        owned = Warehouse.duckdb(tmp_path).snapshot("shared")
        assert len(owned) == TASKS_SMALL
        second.clear_requests()

        code = _cli(monkeypatch, vendor, second, tmp_path, "--dataset", "shared")

        out = capsys.readouterr()
        assert code == EXIT_DATASET_OWNED == 6
        host_a = first.base_url.removeprefix("http://")
        host_b = second.base_url.removeprefix("http://")
        assert out.out == "" and out.err.count("\n") == 1, out
        assert out.err == (
            f"error: dataset shared belongs to {vendor} account {host_a}; this run is {vendor}"
            f" account {host_b}, so nothing was read and nothing was changed: give this account"
            f" its own dataset with --dataset NAME (with --account NAME the default is"
            f" {vendor}_NAME), or run as the owning account\n"
        )
        assert second.requests() == []  # its vendor was asked nothing
        assert Warehouse.duckdb(tmp_path).snapshot("shared") == owned
        assert _rows(tmp_path, f"SELECT vendor, account FROM shared.{ACCOUNT_TABLE}") == [
            (vendor, host_a)
        ]
        # Its own dataset is fine, and the owner's next run still is.
        assert _cli(monkeypatch, vendor, second, tmp_path, "--dataset", "other") == 0
        assert _cli(monkeypatch, vendor, first, tmp_path, "--dataset", "shared") == 0
        assert Warehouse.duckdb(tmp_path).snapshot("shared") == owned


def test_two_keys_on_one_base_url_without_account_are_two_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    keys = ["key-one-xxxxxxxxxxxx", "key-two-xxxxxxxxxxxx"]
    with running_sandbox(vendor="saleshandy", tasks=TASKS_SMALL, seed=3, api_keys=keys) as sb:
        sb.api_key = keys[0]
        assert _cli(monkeypatch, "saleshandy", sb, tmp_path) == 0  # the default dataset
        sb.api_key = keys[1]
        capsys.readouterr()
        assert _cli(monkeypatch, "saleshandy", sb, tmp_path) == EXIT_DATASET_OWNED
        err = capsys.readouterr().err
        assert "with another API key" in err and "delete the row of" in err
        assert keys[0] not in err and keys[1] not in err
        sb.api_key = keys[0]
        assert _cli(monkeypatch, "saleshandy", sb, tmp_path) == 0
    stored = _rows(tmp_path, f"SELECT * FROM saleshandy.{ACCOUNT_TABLE}")
    assert len(stored) == 1 and key_fingerprint(keys[0]) in stored[0]
    assert not any(k in repr(stored) for k in keys)


def test_the_fingerprint_tells_keys_apart_and_never_shows_one() -> None:
    one, two = key_fingerprint("secret-key-1"), key_fingerprint("secret-key-2")
    assert one and two and one != two and len(one) == 16 == len(two)
    assert one == key_fingerprint("secret-key-1")  # stable across runs and machines
    assert "secret" not in one and key_fingerprint(None) is None and key_fingerprint("") is None


@pytest.mark.parametrize(
    ("owner", "held", "same"),
    [
        (DatasetOwner("apollo", "acme", "https://a", "f1", named=True), ("apollo", " ACME ", "f2"), True),
        (DatasetOwner("apollo", "acme", "https://a", "f1", named=True), ("apollo", "globex", "f1"), False),
        (DatasetOwner("apollo", "acme", "https://a", "f1", named=True), ("reply", "acme", "f1"), False),
        (DatasetOwner("apollo", "h:1", "https://h:1", "f1"), ("apollo", "H:1", "f1"), True),
        (DatasetOwner("apollo", "h:1", "https://h:1", "f1"), ("apollo", "h:1", "f2"), False),
        (DatasetOwner("apollo", "h:1", "https://h:1", "f1"), ("apollo", "h:1", None), True),
    ],
)  # fmt: skip
def test_the_same_account_is_the_same_vendor_and_name_and_for_a_host_the_same_key(
    owner: DatasetOwner, held: tuple[str, str, str | None], same: bool
) -> None:
    assert owner.owns(*held) is same


def test_a_first_run_with_a_wrong_key_leaves_the_dataset_unbound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    keys = ["right-key-xxxxxxxxxx"]
    with running_sandbox(vendor="saleshandy", tasks=TASKS_SMALL, seed=4, api_keys=keys) as sb:
        sb.api_key = "wrong-key-xxxxxxxxxx"
        assert _cli(monkeypatch, "saleshandy", sb, tmp_path) == 1
        assert _rows(tmp_path, f"SELECT count(*) FROM saleshandy.{ACCOUNT_TABLE}") == [(0,)]
        sb.api_key = keys[0]
        assert _cli(monkeypatch, "saleshandy", sb, tmp_path) == 0
    assert _rows(tmp_path, "SELECT count(*) FROM saleshandy.tasks") == [(TASKS_SMALL,)]


def test_a_dataset_from_before_bindings_is_kept_by_its_account_and_refused_to_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = KITS["saleshandy"]
    with kit.start(5) as first, kit.start(6) as second:
        assert _cli(monkeypatch, "saleshandy", first, tmp_path) == 0
        host = first.base_url.removeprefix("http://")
        with duckdb.connect(str(tmp_path / "w.duckdb")) as con:  # the table as it was written
            con.execute(f"DROP TABLE saleshandy.{ACCOUNT_TABLE}")
            con.execute(
                f"CREATE TABLE saleshandy.{ACCOUNT_TABLE} (vendor VARCHAR NOT NULL,"
                " account VARCHAR NOT NULL, host VARCHAR NOT NULL)"
            )
            con.execute(
                f"INSERT INTO saleshandy.{ACCOUNT_TABLE} VALUES ('saleshandy', ?, ?)", [host, host]
            )
        with pytest.raises(DatasetOwnedError, match=f"belongs to saleshandy account {host}"):
            kit.extract(second, duckdb_path=str(tmp_path / "w.duckdb"),
                        pipelines_dir=str(tmp_path / "pipelines"))  # fmt: skip
        assert _cli(monkeypatch, "saleshandy", first, tmp_path) == 0
    assert _rows(tmp_path, f"SELECT * FROM saleshandy.{ACCOUNT_TABLE}") == [
        ("saleshandy", host, host, first.base_url, key_fingerprint(first.api_key))
    ]
