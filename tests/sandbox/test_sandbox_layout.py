"""The sandbox's shape: a vendor-free core, no import cycles, emulators started by vendor name.

Modules are named by their folders (`sandbox.core.app`): an import of `sales_tasks.sandbox.core`
names that folder too (tools/one_root.py leaves the strings here).
one_root: keep-strings"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sales_tasks.sandbox import EMULATORS, Sandbox, running_sandbox

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sandbox"
# Vendor names, and the strings only a vendor's emulator has a reason to know.
VENDOR_WORDS = ("apollo", "saleshandy", "reply.io", "replyio", "x-api-key", "api_key", "/api/v1")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sandbox_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def folder_name(module: str) -> str:
    """`sales_tasks.sandbox.core` -> `sandbox.core`: modules named from their top-level folder."""
    return module.removeprefix("sales_tasks.")


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every module `path` imports, at any depth (functions, `if TYPE_CHECKING:` included);
    `from a import b` counts as `a.b` when that is a module, else as `a`."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(folder_name(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            assert node.module is not None
            module = folder_name(node.module)
            for alias in node.names:
                child = f"{module}.{alias.name}"
                out.add(child if child in known else module)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = sandbox_modules()
    known = set(modules)
    return {name: imports_of(path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (restricted to its own nodes) as a path, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node] & graph.keys()):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_core_names_no_vendor() -> None:
    files = sorted((PACKAGE / "core").glob("*.py"))
    assert len(files) >= 10  # the walk found the core
    for path in files:
        text = path.read_text().lower()
        for word in VENDOR_WORDS:
            assert word not in text, f"sandbox/core/{path.name} mentions {word!r}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c", "os"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_in_the_sandbox() -> None:
    graph = import_graph()
    # The graph is real: the Apollo app builds on the core app, the core on its server.
    assert "sandbox.core.app" in graph["sandbox.apollo.app"]
    assert "sandbox.core.http" in graph["sandbox.core.app"]
    assert "sandbox.apollo.state" in graph["sandbox.apollo.endpoints_tasks"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_core_imports_no_emulator_and_the_sandbox_no_client_code() -> None:
    for module, deps in import_graph().items():
        for dep in deps:
            top = dep.split(".")[0]
            assert top not in ("clients", "sources", "destinations", "pipelines"), (
                f"{module} imports {dep}: the sandbox is its own reading of the docs"
            )
            if module.startswith("sandbox.core"):
                assert top != "sandbox" or dep.startswith("sandbox.core"), (
                    f"{module} imports {dep}: the core must not know the emulators"
                )


def test_the_registry_starts_apollo_by_name(client_for: Callable[..., httpx.Client]) -> None:
    assert {"apollo", "saleshandy", "reply"} <= set(EMULATORS)
    with running_sandbox(vendor="apollo", tasks=40, seed=3) as sb:
        assert isinstance(sb, Sandbox)
        resp = client_for(sb).post("/api/v1/tasks/search", json={})
        assert resp.status_code == 200
        assert resp.json()["pagination"]["total_entries"] == 40
        assert [e["endpoint"] for e in sb.requests()] == ["api/v1/tasks/search"]


def test_the_registry_starts_apollo_in_a_child_process_by_name(
    client_for: Callable[..., httpx.Client],
) -> None:
    with running_sandbox(vendor="apollo", subprocess=True, tasks=25) as sb:
        resp = client_for(sb).post("/api/v1/tasks/search")
        assert resp.json()["pagination"]["total_entries"] == 25
        assert sb.stats()["seed_tasks"] == 25


def test_an_unknown_vendor_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError) as caught:
        running_sandbox(vendor="hubspot")
    assert str(caught.value) == (
        f"no sandbox emulator for vendor 'hubspot'; choose one of: {', '.join(sorted(EMULATORS))}"
    )


def test_python_m_sandbox_refuses_an_unknown_vendor_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sales_tasks.sandbox", "--vendor", "nope", "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]
    known = ", ".join(sorted(EMULATORS))
    assert last.endswith(f"no sandbox emulator for vendor 'nope'; choose one of: {known}")
