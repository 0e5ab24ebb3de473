"""`tools/one_root.py`, the rewrite to the one import root: what it rewrites, what it leaves, that
a second run changes nothing, and that the repository needs no run (a branch merged with the old
names fails here until the tool is run).

The samples name made-up folders (`alpha`, `beta`), so the tool run over the repository leaves
this file's own samples alone."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("alpha", "beta")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("one_root", ROOT / "tools" / "one_root.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


def rewrite(text: str) -> str:
    new, _ = TOOL.rewrite(text, NAMES, lambda folder, name: name != "nope")
    return str(new)


CASES = [
    ("from alpha.core import x, y\n", "from sales_tasks.alpha.core import x, y\n"),
    ("    from beta import (\n", "    from sales_tasks.beta import (\n"),
    ("import alpha\n", "from sales_tasks import alpha\n"),
    ("import alpha as a  # why\n", "from sales_tasks import alpha as a  # why\n"),
    ("import alpha.core.engine as engine\n", "import sales_tasks.alpha.core.engine as engine\n"),
    ('code("""from alpha.x import y\n', 'code("""from sales_tasks.alpha.x import y\n'),
    ('"-c", "import sys, alpha.x, beta.y; f()"', '"-c", "import sys, sales_tasks.alpha.x, sales_tasks.beta.y; f()"'),
    ('path = "alpha.cli:main"', 'path = "sales_tasks.alpha.cli:main"'),
    ('f"alpha.{vendor}.spec"', 'f"sales_tasks.alpha.{vendor}.spec"'),
    ("see `beta.core.clock`.", "see `sales_tasks.beta.core.clock`."),
    ("`alpha.<vendor>.scan`", "`sales_tasks.alpha.<vendor>.scan`"),
    ("python -m beta --vendor x", "python -m sales_tasks.beta --vendor x"),
    ("dagster dev -m alpha.orchestration.defs", "dagster dev -m sales_tasks.alpha.orchestration.defs"),
    ('[sys.executable, "-m", "beta", "--port"]', '[sys.executable, "-m", "sales_tasks.beta", "--port"]'),
    ('[sys.executable, "-m", "alpha.cli"]', '[sys.executable, "-m", "sales_tasks.alpha.cli"]'),
]  # fmt: skip

LEFT_ALONE = [
    "[alpha.apollo]\napi_key = 1\n",  # a configuration section
    "dlt section `alpha.apollo`",
    '"alpha.nope"',  # not a module
    "the `alpha/` folder, ROOT / 'alpha', ('alpha', 'x')",
    "pytest -m unit; python -m gamma",
    "imports alpha things from beta sources",
    "from gamma.alpha import x\nimport gamma.alpha\n",
]


@pytest.mark.parametrize(("before", "after"), CASES)
def test_it_rewrites_imports_and_module_paths(before: str, after: str) -> None:
    assert rewrite(before) == after


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_it_leaves_what_is_not_a_module_path(text: str) -> None:
    assert rewrite(text) == text


def test_a_marked_file_keeps_its_quoted_names_but_not_its_imports() -> None:
    text = '"""one_root: keep-strings"""\nfrom alpha import x\nassert "alpha.core" in g\n'
    assert rewrite(text) == text.replace("from alpha", "from sales_tasks.alpha")


def test_an_import_that_rebinds_a_name_is_reported() -> None:
    _, warnings = TOOL.rewrite("import alpha.core\n", NAMES, lambda f, n: True)
    assert warnings == ["`import alpha.core` now binds `sales_tasks`: use `from ... import`"]


@given(st.lists(st.sampled_from([*(b for b, _ in CASES), *LEFT_ALONE, "\n", " ", "x = 1\n"])))
def test_a_second_run_changes_nothing(parts: list[str]) -> None:
    once = rewrite("".join(parts))
    assert rewrite(once) == once


def test_the_repository_is_already_rewritten(capsys: pytest.CaptureFixture[str]) -> None:
    """After a merge, run `python tools/one_root.py`, `ruff check --fix .`, `ruff format .`."""
    assert TOOL.main(["--check"]) == 0, capsys.readouterr().out
