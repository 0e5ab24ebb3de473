"""The layout's rules, checked on the source text (an AST walk, so imports inside functions
count too): the directions never import each other, `clients/` depends on neither and has no
import cycle, the sandbox stays an independent reading of the vendor docs, and each Apollo API
fact (endpoint paths, task types) is written once, in `clients/apollo`.

Modules are named by their folders (`sources.apollo`), as the layout draws them: an import of
`sales_tasks.sources.apollo` names that folder too (tools/one_root.py leaves the strings here).
one_root: keep-strings"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def modules(package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under a top-level package."""
    found: dict[str, Path] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    assert found, f"no modules under {package}/"
    return found


ROOT_PACKAGE = "sales_tasks."


def imported(path: Path, module: str) -> Iterator[str]:
    """Every module name an import in `path` names (relative imports resolved), from its
    top-level folder on."""
    for name in _imported(path, module):
        yield name.removeprefix(ROOT_PACKAGE)


def _imported(path: Path, module: str) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def top_levels(package: str) -> dict[str, set[str]]:
    """Module -> the top-level packages it imports."""
    return {
        name: {target.split(".")[0] for target in imported(path, name)}
        for name, path in modules(package).items()
    }


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("sources", {"destinations", "pipelines", "sandbox"}),
        ("destinations", {"sources", "pipelines", "sandbox"}),
        ("clients", {"sources", "destinations", "pipelines", "sandbox"}),
        ("sandbox", {"clients", "sources", "destinations", "pipelines"}),
    ],
)
def test_packages_import_only_in_the_allowed_direction(package: str, forbidden: set[str]) -> None:
    offences = {m: sorted(tops & forbidden) for m, tops in top_levels(package).items()}
    assert {m: t for m, t in offences.items() if t} == {}


def test_the_shared_core_imports_no_vendor_package() -> None:
    for name, path in modules("clients.core".replace(".", "/")).items():
        vendors = {
            t
            for t in imported(path, name)
            if t.startswith("clients.") and not t.startswith("clients.core")
        }
        assert not vendors, f"{name} imports {sorted(vendors)}"


def test_no_import_cycles_in_clients() -> None:
    found = modules("clients")
    graph = {
        name: {t for t in imported(path, name) if t in found and t != name}
        for name, path in found.items()
    }
    # An import of a package runs its __init__, which may import its modules: that edge is
    # real, so packages stay in the graph as nodes of their own.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def string_constants(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


API_PATH = re.compile(r"^/?api/v1/[a-z_/]+$")
TASK_TYPE = re.compile(
    r"^(call|outreach_manual_email|action_item|linkedin_step_[a-z_]+|contact_call|contact_action_item)$"
)


def test_each_apollo_api_fact_is_written_once_in_clients_apollo() -> None:
    home = ROOT / "clients" / "apollo"
    # Another vendor's client package writes that vendor's facts, which may share a word with
    # Apollo's (Saleshandy's `call` task group is not Apollo's `call` task type).
    others = [
        p for p in (ROOT / "clients").iterdir() if p.is_dir() and p.name not in ("apollo", "core")
    ]
    offences: list[str] = []
    for package in ("clients", "sources", "destinations", "pipelines"):
        for path in modules(package).values():
            if path.is_relative_to(home) or any(path.is_relative_to(o) for o in others):
                continue
            if path == ROOT / "clients" / "vocabulary.py":
                # The shared names (`call`) are the vocabulary's own words; its Apollo codes are
                # taken from clients/apollo.
                continue
            for line, text in string_constants(path):
                if API_PATH.match(text) or TASK_TYPE.match(text):
                    offences.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert offences == []


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    # The walkers find an import inside a function and a relative import, and the fact patterns
    # match the constants as clients/apollo writes them: the tests above cannot pass vacuously.
    sample = tmp_path / "mod.py"
    sample.write_text(
        "def f():\n    from sales_tasks.destinations.core import engine\n"
        "from . import sibling\nimport sales_tasks.clients.core\n"
    )
    names = set(imported(sample, "sources.apollo.mod"))
    assert {"destinations.core", "sources.apollo.sibling", "clients.core"} <= names
    facts = [t for p in modules("clients/apollo").values() for _, t in string_constants(p)]
    assert sum(bool(API_PATH.match(t)) for t in facts) >= 5
    assert sum(bool(TASK_TYPE.match(t)) for t in facts) >= 7
