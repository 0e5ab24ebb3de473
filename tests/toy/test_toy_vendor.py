"""A vendor is its folders: the toy vendor in `tests/toy/vendor/` (a client, a source with its
spec, a sink and an emulator, in the folders `docs/add-a-vendor.md` lists) joins the packages'
search path and, with no edit anywhere else, `sales-tasks extract toy`, `push toy` and
`sandbox toy` work: real HTTP to its emulator on 127.0.0.1, real DuckDB, tasks pushed once.
The standard kit (`tests/kit`) runs over the toy too, from the same folders."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sales_tasks.pipelines import cli
from sales_tasks.pipelines.exit_codes import EXIT_OK, EXIT_USAGE
from tests.kit.vendor import tree_files

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TREE = HERE / "vendor"
DOC = ROOT / "docs" / "add-a-vendor.md"


def recipe_folders() -> list[str]:
    """The top-level folders the recipe lists, in its order (`clients`, `sources`, ...)."""
    text = DOC.read_text()
    block = text[text.index("<!-- vendor-folders -->") : text.index("<!-- /vendor-folders -->")]
    return re.findall(r"^- `([a-z]+)/acme/`", block, flags=re.MULTILINE)


def toy_files() -> dict[str, str]:
    return tree_files(TREE)


@pytest.fixture
def toy(vendor_folders: Callable[[Mapping[str, str]], Path]) -> Path:
    return vendor_folders(toy_files())


def test_the_toy_has_exactly_the_folders_the_recipe_lists() -> None:
    folders = recipe_folders()
    assert folders == ["clients", "sources", "destinations", "sandbox", "tests"]
    code = sorted({rel.split("/")[0] for rel in toy_files()})
    # The vendor's tests folder is this one (`tests/toy/`); the other four hold its code.
    assert code == sorted(f for f in folders if f != "tests")
    assert {rel.split("/")[1] for rel in toy_files()} == {"toy"}
    assert HERE == ROOT / "tests" / "toy"


def test_every_verb_finds_the_toy(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sales_tasks.pipelines.vendors import VENDORS, vendors_with

    assert VENDORS["toy"].title == "Toy"
    assert all("toy" in vendors_with(verb) for verb in ("extract", "push", "sandbox"))
    for verb in ("extract", "push", "sandbox"):
        with pytest.raises(SystemExit) as stopped:
            cli.sales_main([verb, "toy", "--help"])
        assert stopped.value.code == EXIT_OK
        assert capsys.readouterr().out.startswith(f"usage: sales-tasks {verb} toy [-h]")
    assert cli.sales_main(["extract", "toy", "--per-page", "0"]) == EXIT_USAGE
    assert capsys.readouterr().err == "error: --per-page must be between 1 and 50\n"


def test_sandbox_toy_serves_what_its_flags_say(toy: Path) -> None:
    """`sales-tasks sandbox toy --tasks 7`: the parsed flags make the config it serves."""
    import httpx

    from sales_tasks.sandbox import running_sandbox
    from sales_tasks.sandbox.registry import emulator

    args = cli.build_sales_parser().parse_args(["sandbox", "toy", "--tasks", "7", "--port", "0"])
    assert args.sandbox_vendor == "toy"
    config = emulator("toy").config_from_args(args)
    with running_sandbox(config, vendor="toy") as sb:
        answer = httpx.get(
            f"{sb.base_url}/v1/tasks", headers={"x-api-key": sb.api_key}, trust_env=False
        )
        refused = httpx.get(f"{sb.base_url}/v1/tasks", trust_env=False)
    assert answer.json()["total"] == 7 and len(answer.json()["tasks"]) == 7
    assert refused.status_code == 401


def _posts(sb: Any) -> int:
    return sum(1 for r in sb.requests("/v1/tasks") if r["method"] == "POST")


def test_extract_and_push_toy_from_the_command_line(
    toy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sales_tasks.sandbox import running_sandbox

    path = tmp_path / "warehouse.duckdb"
    folder = tmp_path / "dlt"
    with running_sandbox(vendor="toy", tasks=40) as sb:
        monkeypatch.setenv("TOY_API_KEY", sb.api_key)
        common = ["--duckdb-path", str(path), "--pipelines-dir", str(folder)]
        common += ["--base-url", sb.base_url]
        assert cli.sales_main(["extract", "toy", *common, "--per-page", "15"]) == EXIT_OK
        out = capsys.readouterr().out
        assert out.startswith("Toy extract complete: all 40 tasks in Toy were read\n"), out
        assert "  3 pages (per_page 15)" in out
        with duckdb.connect(str(path)) as con:
            assert con.sql("SELECT count(DISTINCT id), count(*) FROM toy.tasks").fetchone() == (
                40,
                40,
            )
            unified = con.sql(
                "SELECT count(*), min(vendor), count(DISTINCT type) FROM sales_tasks.all_tasks"
            ).fetchone()
            assert unified == (40, "toy", 3)
            con.sql(
                "CREATE TABLE followups AS SELECT * FROM (VALUES"
                " ('f1', 'c9001', 'call', '2030-01-02T09:00:00Z', 'first'),"
                " ('f2', 'c9002', 'email', '2030-01-03T09:00:00Z', 'second'))"
                " AS t(request_id, contact_id, type, due_at, note)"
            )
        push = ["push", "toy", "--table", "followups", "--warehouse", str(path), "-q"]
        push += ["--base-url", sb.base_url, "--pipelines-dir", str(folder)]
        assert cli.sales_main(push) == EXIT_OK, capsys.readouterr().err
        assert _posts(sb) == 2
        assert cli.sales_main(push) == EXIT_OK  # a rerun: the ledger has both
        assert _posts(sb) == 2
        capsys.readouterr()
        assert cli.sales_main(["extract", "toy", *common]) == EXIT_OK
        assert "all 42 tasks in Toy were read" in capsys.readouterr().out
    with duckdb.connect(str(path), read_only=True) as con:
        pushed = con.sql(
            "SELECT contact_id, type, note FROM toy.tasks WHERE contact_id LIKE 'c9%'"
            " ORDER BY contact_id"
        ).fetchall()
    assert pushed == [("c9001", "call", "first"), ("c9002", "email", "second")]
