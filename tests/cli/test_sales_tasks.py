"""`sales-tasks VERB VENDOR` against `apollo-tasks VERB`: the same runs, the same answers.

Every parity case runs both programs against sandboxes (in this process, `tests/cli_runner.py`;
one case per verb runs both installed console scripts as real processes) and compares what a
scheduler and a person see: the exit code, stdout and the `error:` line (paths of
the run's own folder and the run's duration are the only differences allowed). The other cases
are the new command's own: unknown or missing verbs and vendors in one line, help that lists
verbs and vendors, and a registry entry that cannot be imported being an error.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from sales_tasks.pipelines import cli
from sales_tasks.pipelines import vendors as vendor_registry
from sales_tasks.pipelines.exit_codes import (
    EXIT_ERROR,
    EXIT_INCOMPLETE,
    EXIT_NEEDS_REVIEW,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
)
from sales_tasks.pipelines.vendors import VENDORS, vendors_with
from tests.cli_runner import run_cli
from tests.sink.conftest import INPUT_TABLE, ledger, subprocess_env, task_rows, write_input

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BULK = "/api/v1/tasks/bulk_create"
# The same command line, as each program spells it.
SPELLINGS = {
    "extract": (["apollo-tasks", "extract"], ["sales-tasks", "extract", "apollo"]),
    "push": (["apollo-tasks", "push"], ["sales-tasks", "push", "apollo"]),
    "sandbox": (["apollo-tasks", "sandbox"], ["sales-tasks", "sandbox", "apollo"]),
}


def _run(
    words: list[str],
    *args: str,
    key: str,
    folder: Path,
    base_url: str | None = None,
    process: bool = False,
) -> tuple[int, str, str]:
    """One program, `<dir>` in `args` being `folder`: in this process (`tests/cli_runner.py`), or
    the console script as a real process with `process=True` (one parity case per verb, so
    both entry points stay covered); (exit code, stdout, stderr) with `folder` written `<dir>`
    again and durations as `N.Ns`."""
    folder.mkdir(parents=True, exist_ok=True)
    env = subprocess_env(APOLLO_API_KEY=key, DESTINATION__APOLLO_TASKS__RECONCILE_WAIT_SECONDS="1")
    if base_url:
        env["APOLLO_BASE_URL"] = base_url
    argv = [*words[1:], *(a.replace("<dir>", str(folder)) for a in args)]
    done = run_cli(argv, program=words[0], env=env, cwd=ROOT, process=process)
    # The quota left differs between two runs on one sandbox: the first one spent some.
    clean = [re.sub(r"(quota: .*), \d+ left", r"\1, N left",
                    re.sub(r"\d+\.\ds\b", "N.Ns", text.replace(str(folder), "<dir>")))
             for text in (done.stdout, done.stderr)]  # fmt: skip
    assert key not in done.stdout + done.stderr
    return done.returncode, clean[0], clean[1]


def _both(verb: str, tmp_path: Path, *args: str, **kwargs: Any) -> list[tuple[int, str, str]]:
    """The same command through both programs, each with a folder of its own (`<dir>`); in
    process unless `process=True`."""
    return [_run(words, *args, folder=tmp_path / words[0], **kwargs) for words in SPELLINGS[verb]]


def _tasks(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {row[0] for row in con.sql("SELECT id FROM apollo.tasks").fetchall()}


def _extract_args(sb: Any, *extra: str) -> list[str]:
    return ["--base-url", sb.base_url, "--duckdb-path", "<dir>/t.duckdb",
            "--pipelines-dir", "<dir>/pipelines", *extra]  # fmt: skip


def test_extract_same_exit_code_summary_and_rows(sandbox: Any, tmp_path: Path) -> None:
    (code_a, out_a, err_a), (code_s, out_s, err_s) = _both(
        "extract", tmp_path, *_extract_args(sandbox), key=sandbox.master_key, process=True
    )
    assert code_a == code_s == EXIT_OK, err_a + err_s
    assert out_a == out_s and err_a == err_s
    assert out_a.startswith("Apollo extract complete: all 300 tasks in Apollo were read\n")
    assert "  into duckdb <dir>/t.duckdb, dataset apollo\n" in out_a
    assert _tasks(tmp_path / "apollo-tasks" / "t.duckdb") == _tasks(
        tmp_path / "sales-tasks" / "t.duckdb"
    )
    assert len(_tasks(tmp_path / "sales-tasks" / "t.duckdb")) == 300


def test_extract_strict_incomplete_exits_3_in_both(make_sandbox: Any, tmp_path: Path) -> None:
    sb = make_sandbox(max_records=60, filters="ignore")
    (code_a, out_a, err_a), (code_s, out_s, err_s) = _both(
        "extract",
        tmp_path,
        *_extract_args(sb, "--max-records", "60", "--strict"),
        key=sb.master_key,
    )
    assert code_a == code_s == EXIT_INCOMPLETE
    assert out_a == out_s and "INCOMPLETE" in out_a
    assert err_a == err_s and "could not be reached" in err_a


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["--per-page", "500"], EXIT_USAGE, "error: --per-page must be between 1 and 200"),
        ([], EXIT_ERROR, "needs a master API key"),
    ],
    ids=["bad-flag", "plain-key-403"],
)
def test_extract_errors_same_one_line_and_code(
    sandbox: Any, tmp_path: Path, args: list[str], code: int, line: str
) -> None:
    runs = _both("extract", tmp_path, *_extract_args(sandbox, *args), key=sandbox.plain_key)
    (code_a, out_a, err_a), (code_s, out_s, err_s) = runs
    assert code_a == code_s == code
    errors = [[x for x in err.splitlines() if x.startswith("error:")] for err in (err_a, err_s)]
    assert errors[0] == errors[1] and len(errors[0]) == 1 and line in errors[0][0], errors
    assert out_a == out_s == ""


def _push_args(sb: Any, warehouse_url: str, schema: str, *extra: str) -> list[str]:
    return ["--table", INPUT_TABLE, "--warehouse", warehouse_url, "--base-url", sb.base_url,
            "--ledger-schema", schema, "--pipelines-dir", "<dir>/pipelines", "--quiet",
            *extra]  # fmt: skip


def _same_seed_sandboxes(make_sandbox: Any, **config: Any) -> tuple[Any, Any]:
    first, second = make_sandbox(**config), make_sandbox(**config)
    assert [c["id"] for c in first.contacts(8)] == [c["id"] for c in second.contacts(8)]
    return first, second


def test_push_same_exit_codes_and_summaries_then_rerun_sends_nothing(
    make_sandbox: Any, warehouse_url: str, tmp_path: Path
) -> None:
    """One input, one warehouse, two ledgers and two vendors' sandboxes: the two programs create
    the same tasks, reject the same rows, exit 5 alike, and their reruns create nothing."""
    sandboxes = _same_seed_sandboxes(make_sandbox)
    # The push's real processes: the first push into DuckDB; the rest runs in this process.
    real = warehouse_url.startswith("duckdb")
    good = task_rows(sandboxes[0], 4)
    rows = [*good, {**good[0], "request_id": "r-type", "type": "lunch"}]
    write_input(warehouse_url, rows)
    for attempt in ("first", "rerun"):
        results = []
        for words, sb, schema in zip(
            SPELLINGS["push"], sandboxes, ("push_a", "push_s"), strict=True
        ):
            args = _push_args(sb, warehouse_url, schema)
            results.append(
                _run(words, *args, key=sb.master_key, folder=tmp_path / words[0],
                     process=real and attempt == "first")
            )  # fmt: skip
        (code_a, out_a, err_a), (code_s, out_s, err_s) = results
        assert code_a == code_s == EXIT_REJECTED, (attempt, err_a, err_s)
        assert out_a == out_s and err_a == err_s, attempt
        done = "4 created" if attempt == "first" else "0 created"
        assert out_a.startswith(f"push: 5 row(s) in = {done} + 1 rejected"), out_a
        assert "error: 1 of 5 row(s) rejected and not sent" in err_a
        for sb in sandboxes:
            assert sorted(t["contact_id"] for t in sb.created()) == sorted(
                r["contact_id"] for r in good
            )
    assert ledger(warehouse_url, "push_a").keys() == ledger(warehouse_url, "push_s").keys()


def test_push_needs_review_and_forbidden_key_same_codes(make_sandbox: Any, tmp_path: Path) -> None:
    # Apollo ignores the contact filter and its display cap hides most of the list: the lost
    # call cannot be settled, so both spellings must exit with needs review.
    sandboxes = _same_seed_sandboxes(make_sandbox, filters="ignore", max_records=60)
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    write_input(url, task_rows(sandboxes[0], 3))
    forbidden = [
        _run(words, *_push_args(sb, url, "forbidden"), key=sb.plain_key, folder=tmp_path / "f")
        for words, sb in zip(SPELLINGS["push"], sandboxes, strict=True)
    ]
    assert [r[0] for r in forbidden] == [EXIT_ERROR, EXIT_ERROR]
    assert forbidden[0][1:] == forbidden[1][1:] and "master API key" in forbidden[0][2]
    assert all(sb.created() == [] for sb in sandboxes)
    review = []
    for words, sb, schema in zip(SPELLINGS["push"], sandboxes, ("ra", "rs"), strict=True):
        sb.script_faults([{"path": BULK, "fault": "drop_after_create", "count": 1}])
        review.append(_run(words, *_push_args(sb, url, schema), key=sb.master_key,
                           folder=tmp_path / "r"))  # fmt: skip
    assert [r[0] for r in review] == [EXIT_NEEDS_REVIEW, EXIT_NEEDS_REVIEW]
    assert review[0][1:] == review[1][1:] and "3 need review" in review[0][1]


def _serve(words: list[str], tmp_path: Path) -> tuple[int, list[str], int]:
    """Start a sandbox, read its banner, ask it for tasks, stop it with Ctrl-C."""
    proc = subprocess.Popen(
        [str(BIN / words[0]), *words[1:], "--port", "0", "--tasks", "30", "--seed", "3"],
        cwd=tmp_path,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(6)]
        base_url = banner[0].rsplit(" ", 1)[-1].strip()
        assert base_url.startswith("http://127.0.0.1:"), banner
        answer = httpx.post(
            f"{base_url}/api/v1/tasks/search",
            params={"per_page": 100},
            headers={"x-api-key": "sandbox-master-key"},
        )
        served = len(answer.json()["tasks"])
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    port = base_url.rsplit(":", 1)[-1]
    return proc.returncode, [line.replace(port, "PORT") for line in banner], served


def test_sandbox_same_banner_data_and_stop(tmp_path: Path) -> None:
    (code_a, banner_a, served_a), (code_s, banner_s, served_s) = (
        _serve(words, tmp_path) for words in SPELLINGS["sandbox"]
    )
    assert banner_a == banner_s
    assert banner_a[0] == "Apollo sandbox listening on http://127.0.0.1:PORT\n"
    assert served_a == served_s == 30
    assert code_a == code_s == EXIT_OK  # Ctrl-C is how a sandbox is meant to stop


@pytest.mark.parametrize("verb", ["extract", "push", "sandbox"])
def test_unknown_vendor_is_one_line_listing_the_known_ones(
    verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.sales_main([verb, "hubspot", "--base-url", "http://127.0.0.1:1"]) == EXIT_USAGE
    out = capsys.readouterr()
    assert out.out == ""
    known = ", ".join(vendors_with(verb))
    assert out.err == f"error: unknown vendor 'hubspot' for {verb}: choose one of {known}\n"


def test_unknown_vendor_as_a_real_process(tmp_path: Path) -> None:
    code, out, err = _run(
        ["sales-tasks", "push", "nope"], key="k-123", folder=tmp_path, process=True
    )
    assert (code, out) == (EXIT_USAGE, "")
    pushes = ", ".join(vendors_with("push"))
    assert err == f"error: unknown vendor 'nope' for push: choose one of {pushes}\n"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ([], "no command given: sales-tasks VERB VENDOR [flags] (VERB one of extract, push,"
             f" sandbox; VENDOR one of {', '.join(VENDORS)}) or sales-tasks demo"),
        (["-v", "--traceback"], "no command given"),
        (["pull"], "unknown command 'pull': choose one of extract, push, sandbox, demo"),
        (["extract"], "extract needs a vendor: sales-tasks extract VENDOR [flags], VENDOR one of"
                      " apollo"),
        (["push", "--table", "t"], "push needs a vendor: sales-tasks push VENDOR"),
    ],
    ids=["nothing", "only-flags", "unknown-verb", "no-vendor", "flags-before-vendor"],
)  # fmt: skip
def test_missing_or_unknown_verb_or_vendor_is_one_usage_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.sales_main(argv) == EXIT_USAGE
    out = capsys.readouterr()
    assert out.out == "" and len(out.err.splitlines()) == 1
    assert out.err.startswith(f"error: {says}"), out.err


def test_apollo_tasks_without_a_command_answers_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main([])
    assert stopped.value.code == EXIT_USAGE
    assert capsys.readouterr().err == (
        "usage: apollo-tasks [-h] [--traceback] [-v] COMMAND ...\n"
        "apollo-tasks: error: the following arguments are required: COMMAND\n"
    )


def _help(*argv: str) -> str:
    """`PROGRAM [WORDS] --help` as the installed console script, a real process."""
    done = subprocess.run(
        [str(BIN / argv[0]), *argv[1:], "--help"],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == EXIT_OK and done.stderr == "", done.stderr
    return done.stdout


PROGRAMS = {"sales-tasks": cli.sales_main, "apollo-tasks": cli.main}


def _help_in_process(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The same help from the console script's entry function, in this process (no interpreter
    to start: the process boundary is `_help`'s)."""
    with pytest.raises(SystemExit) as ended:
        PROGRAMS[argv[0]]([*argv[1:], "--help"])
    out = capsys.readouterr()
    assert ended.value.code == EXIT_OK and out.err == "", out.err
    return out.out


def _after_usage(text: str) -> str:
    return text.split("\n\n", 1)[1]


def test_help_of_both_programs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # argparse's width off a terminal, as in a child process
    sales = _help("sales-tasks")
    assert _help_in_process(capsys, "sales-tasks") == sales  # in process: the same text
    assert sales.startswith(
        "usage: sales-tasks [-h] [--traceback] [-v] {extract,push,sandbox} VENDOR [flags]\n"
        "       sales-tasks [-h] [--traceback] [-v] demo [flags]\n"
    )
    verbs = re.findall(r"^    (\w+) ", sales, flags=re.MULTILINE)
    assert verbs == ["extract", "push", "sandbox", "demo"]
    assert "Vendors: apollo (Apollo.io)" in sales and "--traceback" in sales
    pushes = re.findall(
        r"^    (\w+)\b", _help_in_process(capsys, "sales-tasks", "push"), flags=re.MULTILINE
    )
    assert pushes == vendors_with("push") and pushes[0] == "apollo"

    alias = _help("apollo-tasks")
    assert _help_in_process(capsys, "apollo-tasks") == alias
    assert alias.startswith("usage: apollo-tasks [-h] [--traceback] [-v] COMMAND ...\n")
    assert re.findall(r"^    (\w+) ", alias, flags=re.MULTILINE) == [
        "sandbox", "extract", "push", "demo"
    ]  # fmt: skip
    assert "VENDOR" not in alias
    for verb, (alias_words, sales_words) in SPELLINGS.items():
        alias_help = _help_in_process(capsys, *alias_words)
        sales_help = _help_in_process(capsys, *sales_words)
        assert alias_help.startswith(f"usage: apollo-tasks {verb} [-h]")
        assert sales_help.startswith(f"usage: sales-tasks {verb} apollo [-h]")
        assert _after_usage(alias_help) == _after_usage(sales_help), verb  # the same flags
    assert _after_usage(_help_in_process(capsys, "apollo-tasks", "demo")) == _after_usage(
        _help_in_process(capsys, "sales-tasks", "demo")
    )


def test_a_registry_module_that_cannot_be_imported_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, a missing `sales_tasks.pipelines.push` made `push` vanish from the CLI without a word."""
    monkeypatch.setitem(vendor_registry.VERB_MODULES, "push", "pipelines.gone")
    vendor_registry.forget()
    try:
        for run in (cli.main, cli.sales_main):
            argv = ["extract", "--help"] if run is cli.main else ["extract", "apollo", "--help"]
            assert run(argv) == EXIT_ERROR
            err = capsys.readouterr().err
            assert err.startswith("error: the push command of vendor apollo (pipelines.gone)")
            assert len(err.splitlines()) == 1 and "No module named 'pipelines.gone'" in err
        with pytest.raises(ImportError, match="pipelines.gone"):
            cli.main(["--traceback", "extract"])
    finally:
        vendor_registry.forget()


ACME_SPEC = """
from dataclasses import replace

from sales_tasks.sources.apollo.spec import SPEC as _READS_LIKE

SPEC = replace(_READS_LIKE, name="acme", title="Acme", alias=None, order=50)
"""


def test_a_new_vendor_is_its_folder(
    vendor_folders: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder `sources/acme/` with a spec and nothing else: listed in help, dispatched, its
    flags checked, and `push` says it has none."""
    vendor_folders({"sources/acme/__init__.py": "", "sources/acme/spec.py": ACME_SPEC})
    with pytest.raises(SystemExit) as stopped:
        cli.sales_main(["--help"])
    assert stopped.value.code == EXIT_OK
    listed = " ".join(capsys.readouterr().out.split())  # argparse wraps the help
    assert "Vendors: apollo (Apollo.io), " in listed and ", acme (Acme)." in listed
    assert cli.sales_main(["extract", "acme", "--per-page", "0"]) == EXIT_USAGE
    assert capsys.readouterr().err == "error: --per-page must be between 1 and 200\n"
    assert cli.sales_main(["push", "acme"]) == EXIT_USAGE
    pushes = ", ".join(vendors_with("push"))
    assert (
        capsys.readouterr().err
        == f"error: vendor acme has no push command yet: push knows {pushes}\n"
    )


COMMAND_MODULES = (
    "sales_tasks.pipelines.extract", "sales_tasks.pipelines.push", "sales_tasks.pipelines.demo", "sales_tasks.pipelines.sandbox_cmd", "sales_tasks.pipelines.jobs"
)  # fmt: skip


def test_command_modules_do_not_import_the_cli() -> None:
    """extract used to import its exit codes from the CLI, which imports extract: a cycle."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; " + "; ".join(f"import {m}" for m in COMMAND_MODULES)
         + "; print('sales_tasks.pipelines.cli' in sys.modules)"],
        cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "False\n", done.stderr
