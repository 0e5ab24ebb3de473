"""The suite writes only into temporary folders: run some of its fixtures and tests, and look.

A nested pytest runs an extract test, a push test and the CLI error tests with a fresh, empty HOME
and no DLT_DATA_DIR (as on a developer's machine). Afterwards the fresh HOME is still empty, dlt's
default data dir (`~/.dlt`, or `/var/dlt` for root) is unchanged, and the checkout has no new or
changed file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = [
    "tests/source/test_cli_errors.py",
    "tests/source/test_current_state.py",
    "tests/sink/test_push.py::test_rerun_and_wiped_state_send_nothing",
    "tests/jobs/test_identity.py",
    "tests/sink/test_hostile_input.py::test_generated_duckdb_tables_push_every_row_accounted",
]


def _tree(path: Path) -> dict[str, float]:
    if not path.exists():
        return {}
    return {
        str(p.relative_to(path)): p.stat().st_mtime
        for p in path.rglob("*")
        if not any(part.startswith(".venv") for part in p.relative_to(path).parts)
    }


def _checkout_state() -> list[str]:
    """Every new, changed or ignored file in the checkout, bytecode caches aside (Python's own
    `__pycache__`, written by any child interpreter the first time a module is imported)."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in status.splitlines() if "__pycache__/" not in line]


def _default_dlt_dir(home: Path) -> Path:
    # dlt's rule (dlt.common.runtime.run_context): root uses /var/dlt, others ~/.dlt
    return Path("/var/dlt") if os.geteuid() == 0 else home / ".dlt"


def test_running_the_suites_fixtures_writes_nothing_outside_temp_folders(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    home.mkdir()
    dlt_dir = _default_dlt_dir(home)
    before = (_tree(dlt_dir), _checkout_state())
    env = {k: v for k, v in os.environ.items() if k not in ("DLT_DATA_DIR", "MPLCONFIGDIR")}
    env["HOME"] = str(home)
    present = [t for t in SAMPLE if (ROOT / t.split("::")[0]).exists()]
    assert len(present) == len(SAMPLE), "the sample names tests that no longer exist"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *present],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "passed" in run.stdout
    assert list(home.iterdir()) == []
    after = (_tree(dlt_dir), _checkout_state())
    assert after[0] == before[0], "dlt's default data dir changed"
    assert after[1] == before[1], "the checkout changed"
