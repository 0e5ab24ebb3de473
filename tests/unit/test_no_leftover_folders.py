"""Tests and benchmarks leave no folder behind: a folder they make is pytest's `tmp_path` or a
`tempfile.TemporaryDirectory` (both removed), never a bare `tempfile.mkdtemp`, except in a class
that removes its own folder when it stops (the database servers the suite starts). Before this
rule, the drills left one `mkdtemp` folder per example: 1,087 folders (6 GB) under /tmp after a
day of runs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# file -> why its mkdtemp is removed again
OWNERS = {
    "tests/postgres_server.py": "PostgresServer.stop() removes its root",
    "tests/lake/mariadb_server.py": "MariaDbServer.stop() removes its root",
}


def mkdtemp_calls(path: Path) -> list[int]:
    """Lines of `path` that call `tempfile.mkdtemp` (or a bare imported `mkdtemp`)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "mkdtemp":
            lines.append(node.lineno)
    return lines


def test_tests_and_benchmarks_make_no_folder_they_leave_behind() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for folder in ("tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := mkdtemp_calls(path))
    }
    assert set(OWNERS) <= set(found), (
        f"an owner no longer calls mkdtemp: {set(OWNERS) - set(found)}"
    )
    leaking = {name: lines for name, lines in found.items() if name not in OWNERS}
    assert not leaking, f"use tmp_path or tempfile.TemporaryDirectory instead: {leaking}"


def test_the_rule_sees_a_bare_mkdtemp(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import tempfile\nfrom tempfile import mkdtemp\na = tempfile.mkdtemp()\nb = mkdtemp()\n"
    )
    assert mkdtemp_calls(sample) == [3, 4]
