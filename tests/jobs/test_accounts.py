"""Many accounts of one vendor: `--account NAME` from dlt config, each account its own job and
dataset, recorded in `_sales_tasks_account`; unknown accounts fail in one line without a key."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from sales_tasks.pipelines.accounts import (
    ACCOUNT_TABLE,
    AccountConfigError,
    account_dataset,
    account_names,
    apply_account,
    resolve_account,
)
from sales_tasks.pipelines.cli import sales_main
from sales_tasks.pipelines.extract import extract_job, run_extract
from sales_tasks.pipelines.jobs import JobBusyError, JobLock, extract_identity, push_identity
from sales_tasks.pipelines.push import run_push
from tests.cli_runner import run_cli
from tests.sink.conftest import ledger, subprocess_env, task_rows, write_input
from tests.source.helpers import served_tasks

ROOT = Path(__file__).resolve().parents[2]
KEYS = {name: f"key-{name}-{'x' * 12}" for name in ("alpha", "gamma", "beta", "delta")}


@pytest.fixture(autouse=True)
def _no_vendor_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: no Apollo key, base URL or account from the outer environment."""
    for name in list(os.environ):
        if name.startswith(("APOLLO_", "SOURCES__APOLLO__", "DESTINATION__", "ACCOUNTS__")):
            monkeypatch.delenv(name)


def _configure(monkeypatch: pytest.MonkeyPatch, name: str, sb: Any, key: str) -> None:
    monkeypatch.setenv(f"ACCOUNTS__APOLLO__{name.upper()}__API_KEY", key)
    monkeypatch.setenv(f"ACCOUNTS__APOLLO__{name.upper()}__BASE_URL", sb.base_url)


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _schemas(path: Path) -> set[str]:
    rows = _rows(path, "SELECT DISTINCT table_schema FROM information_schema.tables")
    return {str(r[0]) for r in rows}


def test_each_account_lands_in_its_own_dataset_with_its_own_key_and_account_row(
    make_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # alpha and gamma: two accounts on ONE base URL (the sandbox takes both keys); beta another.
    shared = make_sandbox(tasks=120, seed=1, master_keys=[KEYS["alpha"], KEYS["gamma"]])
    other = make_sandbox(tasks=80, seed=2, master_keys=[KEYS["beta"]])
    _configure(monkeypatch, "alpha", shared, KEYS["alpha"])
    _configure(monkeypatch, "gamma", shared, KEYS["gamma"])
    _configure(monkeypatch, "beta", other, KEYS["beta"])
    # The vendor's own key: the default account, used only by the run without --account.
    monkeypatch.setenv("APOLLO_API_KEY", KEYS["alpha"])
    monkeypatch.setenv("APOLLO_BASE_URL", shared.base_url)
    warehouse = tmp_path / "agency.duckdb"
    pipelines = tmp_path / "pipelines"

    assert account_names("apollo") == ["alpha", "beta", "gamma"]
    for account in ("alpha", "gamma", "beta", None):
        args = ["--account", account] if account else []
        code = sales_main(
            ["extract", "apollo", *args, "--duckdb-path", str(warehouse)]
            + ["--pipelines-dir", str(pipelines)]
        )
        assert code == 0
    out, err = capsys.readouterr()
    assert "dataset apollo_alpha" in out and "dataset apollo_beta" in out
    for key in KEYS.values():
        assert key not in out + err

    shared_ids = {t["id"] for t in served_tasks(shared)}
    other_ids = {t["id"] for t in served_tasks(other)}
    assert _schemas(warehouse) >= {"apollo", "apollo_alpha", "apollo_gamma", "apollo_beta"}
    shared_host = shared.base_url.removeprefix("http://")
    expected = {
        "apollo_alpha": (shared_ids, "alpha", shared_host),
        "apollo_gamma": (shared_ids, "gamma", shared_host),
        "apollo_beta": (other_ids, "beta", other.base_url.removeprefix("http://")),
        "apollo": (shared_ids, shared_host, shared_host),
    }
    for dataset, (ids, account, host) in expected.items():
        loaded = [r[0] for r in _rows(warehouse, f"SELECT id FROM {dataset}.tasks")]
        assert sorted(loaded) == sorted(ids), dataset  # all of its account, none of another
        assert _rows(warehouse, f"SELECT vendor, account, host FROM {dataset}.{ACCOUNT_TABLE}") == [
            ("apollo", account, host)
        ]
    # Each sandbox accepts only its accounts' keys: a run with another key would have failed
    # with 401, so every account used its own key at its own base URL.
    # Four jobs: four pipelines, two of them for the same base URL.
    assert len([p for p in pipelines.iterdir() if p.name.startswith("sales_tasks_apollo_")]) == 4


def test_two_accounts_of_one_base_url_are_two_jobs_and_the_default_keeps_its_name(
    tmp_path: Path,
) -> None:
    base = "http://127.0.0.1:8765"
    path = str(tmp_path / "w.duckdb")
    folder = str(tmp_path / "pipelines")
    alpha = extract_job(
        base_url=base, duckdb_path=path, dataset_name="x", account="alpha", pipelines_dir=folder
    )
    gamma = extract_job(
        base_url=base, duckdb_path=path, dataset_name="x", account="gamma", pipelines_dir=folder
    )
    default = extract_job(base_url=base, duckdb_path=path, dataset_name="x", pipelines_dir=folder)
    names = {alpha.pipeline_name, gamma.pipeline_name, default.pipeline_name}
    assert len(names) == 3
    assert alpha.pipeline_name == "sales_tasks_apollo_alpha"
    assert default.pipeline_name == "sales_tasks_apollo_127_0_0_1_8765"
    # A job without an account keeps the name (state, lock) it had before accounts existed.
    before = "\n".join(("extract", "apollo", base, default.identity.target, "x"))
    assert default.identity.digest == hashlib.sha256(before.encode()).hexdigest()[:12]
    assert (alpha.account.name, default.account.name) == ("alpha", "127.0.0.1:8765")

    first = JobLock(alpha.identity, alpha.working_folder).acquire()
    try:
        JobLock(gamma.identity, gamma.working_folder).acquire().release()  # another job: free
        with pytest.raises(JobBusyError):
            JobLock(alpha.identity, alpha.working_folder).acquire()  # the same job: busy
    finally:
        first.release()

    pushes = {
        push_identity(
            vendor="apollo",
            base_url=base,
            warehouse_url="duckdb:///w",
            ledger_schema="apollo_push",
            account=account,
        ).pipeline_name
        for account in ("alpha", "gamma", None)
    }
    assert len(pushes) == 3
    assert extract_identity(
        vendor="apollo", base_url=base, destination="duckdb", location=None, dataset="x",
        account="alpha",
    ).describe().startswith("apollo account alpha extract")  # fmt: skip


def test_unknown_account_or_one_without_key_is_one_line_naming_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("ACCOUNTS__APOLLO__ALPHA__API_KEY", KEYS["alpha"])
    monkeypatch.setenv("ACCOUNTS__APOLLO__KEYLESS__BASE_URL", "http://127.0.0.1:9")
    path = str(tmp_path / "w.duckdb")

    code = sales_main(["extract", "apollo", "--account", "nope", "--duckdb-path", path])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("error: apollo account 'nope' is not configured (configured: alpha")
    assert "ACCOUNTS__APOLLO__NOPE__API_KEY" in err and "[accounts.apollo.nope]" in err
    assert KEYS["alpha"] not in err

    code = sales_main(["extract", "apollo", "--account", "keyless", "--duckdb-path", path])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1
    assert "apollo account 'keyless' has no API key" in err
    assert "ACCOUNTS__APOLLO__KEYLESS__API_KEY" in err

    with pytest.raises(AccountConfigError, match="use letters, digits"):
        resolve_account("apollo", "two words")
    assert not (tmp_path / "w.duckdb").exists()  # nothing ran


def test_account_from_the_toml_files_on_the_command_line(make_sandbox: Any, tmp_path: Path) -> None:
    """The key in `.dlt/secrets.toml`, the base URL in `.dlt/config.toml`, as users write them."""
    sb = make_sandbox(tasks=40, seed=3, master_keys=[KEYS["delta"]])
    dlt_dir = tmp_path / ".dlt"
    dlt_dir.mkdir()
    (dlt_dir / "secrets.toml").write_text(f'[accounts.apollo.delta]\napi_key = "{KEYS["delta"]}"\n')
    (dlt_dir / "config.toml").write_text(f'[accounts.apollo.delta]\nbase_url = "{sb.base_url}"\n')
    env = {
        k: v
        for k, v in subprocess_env(PYTHONPATH=str(ROOT)).items()
        if not k.startswith(("APOLLO_", "SOURCES__", "DESTINATION__", "ACCOUNTS__"))
    }
    proc = run_cli(  # the alias command (`python -m sales_tasks.pipelines.cli`), in process
        ["extract", "--account", "delta"]
        + ["--duckdb-path", str(tmp_path / "w.duckdb"), "--pipelines-dir", str(tmp_path / "p")],
        program="apollo-tasks",
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert KEYS["delta"] not in proc.stdout + proc.stderr
    assert _rows(tmp_path / "w.duckdb", "SELECT count(*) FROM apollo_delta.tasks") == [(40,)]
    assert _rows(tmp_path / "w.duckdb", f"SELECT account FROM apollo_delta.{ACCOUNT_TABLE}") == [
        ("delta",)
    ]


def _push_input(sb: Any, rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A DuckDB warehouse holding `rows` valid push rows for `sb`'s contacts; its URL."""
    monkeypatch.setenv("DESTINATION__APOLLO_TASKS__RECONCILE_WAIT_SECONDS", "1")
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    write_input(url, task_rows(sb, rows))
    return url


def _push(url: str, account: str, tmp_path: Path) -> Any:
    return run_push(table="push_input", warehouse=url, account=account, pipelines_dir=str(tmp_path))


def test_push_with_account_uses_its_key_base_url_and_ledger_key(
    make_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha = make_sandbox(master_keys=[KEYS["alpha"]])
    beta = make_sandbox(master_keys=[KEYS["beta"]])
    _configure(monkeypatch, "alpha", alpha, KEYS["alpha"])
    _configure(monkeypatch, "beta", beta, KEYS["beta"])
    url = _push_input(beta, 3, tmp_path, monkeypatch)

    summary = _push(url, "beta", tmp_path)
    assert summary.created == 3
    assert len(beta.created()) == 3 and alpha.created() == []
    assert {row["account"] for row in ledger(url).values()} == {"beta"}

    # Accounts are configured: a misspelt one must not push with some default key.
    with pytest.raises(AccountConfigError, match="'betta' is not configured"):
        _push(url, "betta", tmp_path)
    summary = _push(url, "beta", tmp_path)
    assert (summary.created, summary.already_delivered) == (0, 3)
    assert len(beta.created()) == 3 and alpha.created() == []


def test_push_account_without_configured_accounts_only_names_the_ledger_account(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    monkeypatch.setenv("APOLLO_BASE_URL", sandbox.base_url)
    url = _push_input(sandbox, 2, tmp_path, monkeypatch)
    summary = _push(url, "team-1", tmp_path)
    assert summary.created == 2
    assert {row["account"] for row in ledger(url).values()} == {"team-1"}


def test_account_row_on_postgres(
    make_sandbox: Any, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = make_sandbox(tasks=30, seed=4, master_keys=[KEYS["beta"]])
    _configure(monkeypatch, "beta", sb, KEYS["beta"])
    summary = run_extract(
        destination="postgres",
        credentials=postgres_url,
        account="beta",
        pipelines_dir=str(tmp_path),
    )
    assert summary.complete and summary.rows["tasks"] == 30
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(f"SELECT vendor, account, host FROM apollo_beta.{ACCOUNT_TABLE}")
        ).all()
        tasks = conn.execute(sa.text("SELECT count(*) FROM apollo_beta.tasks")).scalar()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("apollo", "beta", sb.base_url.removeprefix("http://"))]
    assert tasks == 30


def test_names_sharing_a_dataset_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCOUNTS__APOLLO__EU-1__API_KEY", "k1")
    monkeypatch.setenv("ACCOUNTS__APOLLO__EU_1__API_KEY", "k2")
    with pytest.raises(AccountConfigError, match="would share the dataset apollo_eu_1"):
        account_names("apollo")


def test_apply_account_keeps_explicit_values_and_passes_through_without_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCOUNTS__APOLLO__ALPHA__API_KEY", KEYS["alpha"])
    monkeypatch.setenv("ACCOUNTS__APOLLO__ALPHA__BASE_URL", "http://127.0.0.1:9/")
    assert apply_account("apollo", None, base_url="http://b") == (None, "http://b", None, None)
    applied = apply_account("apollo", "alpha")
    assert applied == (KEYS["alpha"], "http://127.0.0.1:9", "apollo_alpha", "alpha")
    assert apply_account("apollo", "ALPHA", base_url="http://b", dataset="d")[1:] == (
        "http://b",
        "d",
        "alpha",
    )
    assert KEYS["alpha"] not in repr(resolve_account("apollo", "alpha"))


@given(st.text(min_size=1, max_size=120))
def test_account_dataset_is_always_a_safe_schema_name(name: str) -> None:
    dataset = account_dataset("apollo", name)
    assert re.fullmatch(r"[a-z][a-z0-9_]{0,62}", dataset), dataset
    assert dataset == account_dataset("apollo", name.upper()) or not name.isascii()


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{60,100}", fullmatch=True))
def test_long_account_names_keep_distinct_datasets(name: str) -> None:
    dataset = account_dataset("reply", name)
    assert len(dataset) <= 63
    assert dataset != account_dataset("reply", name + "z")


def test_dataset_names() -> None:
    assert account_dataset("apollo", "acme") == "apollo_acme"
    assert account_dataset("saleshandy", "Client-7 EU") == "saleshandy_client_7_eu"
    assert account_dataset("reply", "__x__") == "reply_x"
