"""The wheel a user installs: distribution `sales-tasks`, one top-level package `sales_tasks`
holding the repository's top-level folders (`sales_tasks.sources`, ...), and nothing generic
beside it, so a project with its own `sources/` folder keeps it and still imports ours.

The wheel is built here with the project's own backend (hatchling, a dev dependency: no
network), installed without dependencies into a fresh virtual environment that borrows this
environment's site-packages for them (a path line, so this checkout's editable install is not on
it), and used from a folder that has its own `sources/` and `pipelines/` packages."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import sales_tasks

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DIST_INFO = "sales_tasks-0.1.0.dist-info"
# The repository's top-level packages that are not the product.
NOT_SHIPPED = {"tests", "bench", "sales_tasks"}


def run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{cmd}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", out, cwd=ROOT)
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with only the wheel installed (its dependencies come from ours)."""
    home = tmp_path_factory.mktemp("venv") / "env"
    run(sys.executable, "-m", "venv", "--without-pip", home, cwd=home.parent)
    python = home / "bin" / "python"
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=home)
    )
    before = set(os.listdir(site.as_posix().strip()))
    uv = Path(sys.executable).with_name("uv")
    run(uv, "pip", "install", "--offline", "--no-deps", "--python", python, wheel, cwd=home)
    site = Path(site.as_posix().strip())
    added = set(os.listdir(site)) - before
    assert added == {"sales_tasks", DIST_INFO}, f"the install added {sorted(added)}"
    # Dependencies (dlt, httpx, DuckDB...) from this environment: a plain path line, so the
    # .pth files there (this checkout's editable install) are not read.
    (site / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return home


def test_the_wheel_has_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"sales_tasks", DIST_INFO}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # Every module of every folder is in it, under the one root.
    for folder in sales_tasks.FOLDERS:
        shipped = {
            f"sales_tasks/{p.relative_to(ROOT).as_posix()}"
            for p in (ROOT / folder).rglob("*.py")
            if "__pycache__" not in p.parts
        }
        assert shipped and shipped <= set(names), sorted(shipped - set(names))[:5]
    entry_points = zipfile.ZipFile(wheel).read(f"{DIST_INFO}/entry_points.txt").decode()
    assert "sales-tasks = sales_tasks.pipelines.cli:sales_main" in entry_points
    assert "apollo-tasks = sales_tasks.pipelines.cli:main" in entry_points


def test_every_top_level_package_of_the_repository_is_shipped_under_the_root() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert set(sales_tasks.FOLDERS) == packages - NOT_SHIPPED


def test_a_project_with_its_own_sources_folder_imports_both(venv: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    for own in ("sources", "pipelines"):
        (project / own).mkdir(parents=True)
        (project / own / "__init__.py").write_text("")
        (project / own / "apollo.py").write_text("MINE = True\n")
    # The project's own modules, named so that tools/one_root.py leaves them theirs.
    code = (
        "import importlib, os, sys, sales_tasks\n"
        "mine = [importlib.import_module(f'{top}.apollo') for top in ('sources', 'pipelines')]\n"
        "from sales_tasks.sources.apollo import apollo_source\n"
        "from sales_tasks.pipelines.vendors import VENDORS\n"
        "assert all(m.MINE and m.__file__.startswith(os.getcwd()) for m in mine), mine\n"
        "print(sales_tasks.__path__[0]); print(callable(apollo_source)); print(*sorted(VENDORS))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'clients', 'destinations', 'sandbox'}))"
    )
    out = run(venv / "bin" / "python", "-c", code, cwd=project).splitlines()
    assert Path(out[0]).parent.parent.parent.parent == venv  # env/lib/pythonX.Y/site-packages
    assert out[1:] == ["True", "apollo reply saleshandy", "[]"]


def test_the_console_scripts_run_from_the_install(venv: Path, tmp_path: Path) -> None:
    out = run(venv / "bin" / "sales-tasks", "extract", "--help", cwd=tmp_path)
    assert all(vendor in out for vendor in ("apollo", "saleshandy", "reply"))
    assert run(venv / "bin" / "apollo-tasks", "--help", cwd=tmp_path).startswith("usage: ")


def test_the_installed_sandbox_starts_in_a_child_process(venv: Path, tmp_path: Path) -> None:
    """`running_sandbox(subprocess=True)` runs `python -m sales_tasks.sandbox` from site-packages."""
    code = (
        "import httpx\n"
        "from sales_tasks.sandbox import running_sandbox\n"
        "with running_sandbox(vendor='apollo', tasks=5, seed=1, subprocess=True) as sb:\n"
        "    r = httpx.post(sb.base_url + '/api/v1/tasks/search', json={},\n"
        "                   headers={'x-api-key': sb.master_key}, trust_env=False)\n"
        "    print(r.status_code, r.json()['pagination']['total_entries'])\n"
    )
    assert run(venv / "bin" / "python", "-c", code, cwd=tmp_path).split() == ["200", "5"]
