"""The suite writes only into temporary folders: run some of its fixtures and tests, and look.

A nested pytest runs an extract test, a push test and the CLI error tests with a fresh, empty HOME
and no DLT_DATA_DIR (as on a developer's machine). Afterwards the fresh HOME is still empty, dlt's
default data dir (`~/.dlt`, or `/var/dlt` for root) holds nothing new of the nested run's, and
the checkout has no new or changed file. Nothing here depends on how long the run takes or on
what other processes on the machine do meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# One of each kind of fixture and write: extracts (dlt pipelines, DuckDB files), the CLI's error
# paths, a push (ledger, pipelines folder) on DuckDB and PostgreSQL, job identities and locks, and
# a `hypothesis` property drawing text (its caches: the constants it collects and the Unicode
# tables `st.text()` builds). Each is cheap: what is checked is where they write, not how much.
SAMPLE = [
    "tests/source/test_cli_errors.py",
    "tests/source/test_current_state.py::test_changed_tasks_are_updated_in_place",
    "tests/source/test_current_state.py::test_a_failing_run_loads_nothing",
    "tests/sink/test_push.py::test_dropped_connection_after_create_is_reconciled",
    "tests/jobs/test_identity.py",
    "tests/source/test_hotpath_shortcuts.py::test_seen_ids_match_a_set",
]
# Left out of the files above: more of the same writes, at a higher price (200 examples, each
# naming a job, 7 s; the property above writes the same hypothesis caches in under 1 s). A
# test renamed since is simply not there to leave out.
LEFT_OUT = [
    "tests/jobs/test_identity.py::test_every_name_a_job_may_take_is_a_schema_name_dlt_accepts"
]


def _tree(path: Path) -> dict[str, float]:
    if not path.exists():
        return {}
    return {
        str(p.relative_to(path)): p.stat().st_mtime
        for p in path.rglob("*")
        if not any(part.startswith(".venv") for part in p.relative_to(path).parts)
    }


def _ours(dlt_dir: Path, before: dict[str, float], after: dict[str, float], mark: str) -> list[str]:
    """What changed in dlt's default data dir because of the nested run.

    Other processes on the machine may use dlt's default dir while the nested run goes (their
    job locks land in `locks/`). A lock file names its job's destination, and every destination
    of the nested run lies under `mark` (its temporary folder), so a lock that does not mention
    `mark` is someone else's; any other new or changed entry counts as ours.
    """
    changed = [p for p, mtime in after.items() if before.get(p) != mtime]
    changed += [p for p in before if p not in after and not p.startswith("locks")]
    ours = []
    for rel in changed:
        path = dlt_dir / rel
        if rel == "locks" or (rel.startswith("locks/") and path.is_file()):
            if rel != "locks" and mark in path.read_text(errors="replace"):
                ours.append(rel)
            continue
        ours.append(rel)
    return ours


# The orchestrators' environments: `make test` syncs them while this suite runs
# (.ci/test-suite, .ci/test-orchestration); no test writes there.
ORCHESTRATOR_ENVS = (".venv-airflow/", ".venv-dagster/")


def _checkout_state() -> list[str]:
    """Every new, changed or ignored file in the checkout, bytecode caches (Python's own
    `__pycache__`, written by any child interpreter the first time a module is imported) and the
    orchestrators' environments (`ORCHESTRATOR_ENVS`) aside."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        line
        for line in status.splitlines()
        if "__pycache__/" not in line and not line[3:].strip('"').startswith(ORCHESTRATOR_ENVS)
    ]


def _default_dlt_dir(home: Path) -> Path:
    # dlt's rule (dlt.common.runtime.run_context): root uses /var/dlt, others ~/.dlt
    return Path("/var/dlt") if os.geteuid() == 0 else home / ".dlt"


# No time limit of its own: the nested run's tests each have the suite's per-test timeout
# (pyproject.toml), so a hang still ends, and a loaded machine only makes it slower.
@pytest.mark.timeout(0)
def test_running_the_suites_fixtures_writes_nothing_outside_temp_folders(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    home.mkdir()
    dlt_dir = _default_dlt_dir(home)
    before = (_tree(dlt_dir), _checkout_state())
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DLT_DATA_DIR", "MPLCONFIGDIR") and not k.startswith("PYTEST_")
    }
    env["HOME"] = str(home)
    # Every temporary folder of the nested run (its session HOME, tmp_path, DuckDB files) lies
    # under `nested`, which is how its dlt job locks are told from other processes' ones.
    nested = tmp_path / "nested"
    (nested / "tmp").mkdir(parents=True)
    env["TMPDIR"] = str(nested / "tmp")
    present = [t for t in SAMPLE if (ROOT / t.split("::")[0]).exists()]
    assert len(present) == len(SAMPLE), "the sample names tests that no longer exist"
    run = subprocess.run(
        # In this process's worker only (`-p no:xdist`): the outer run already uses the cores.
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist"]
        + ["--basetemp", str(nested / "basetemp"), *present]
        + [arg for test in LEFT_OUT for arg in ("--deselect", test)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "passed" in run.stdout
    assert list(home.iterdir()) == []
    after = (_tree(dlt_dir), _checkout_state())
    assert _ours(dlt_dir, before[0], after[0], str(nested)) == [], "dlt's default data dir changed"
    assert after[1] == before[1], "the checkout changed"
