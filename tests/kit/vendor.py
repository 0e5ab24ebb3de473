"""What the standard kit (`tests/kit`) needs of a vendor, and which vendors it runs over.

The kit finds the vendors the way the command line does (`sales_tasks.sandbox.registry.emulators`,
`sales_tasks.pipelines.vendors.source_specs`, `sales_tasks.destinations.registry.sinks`): every vendor with an emulator,
a source and a sink. Vendors whose folders live in the test tree (`tests/<t>/vendor/<top>/<v>/`,
e.g. the toy vendor of `docs/add-a-vendor.md`) are found there and join the packages' search path
for the test (`vendor_folders`), so they run the same kit.

Each vendor's tests folder holds `tests/<v>/kit.py` with `KIT = KitVendor(...)`: the few things
only the vendor can say (its sandbox's key, a page-size option, valid push rows), the way
singer-sdk's `get_tap_test_class` takes a tap's config. Everything else is generic.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
TOP_FOLDERS = ("clients", "sources", "destinations", "sandbox")


@dataclass(frozen=True)
class KitVendor:
    """One vendor's answers to the kit.

    Attributes:
        key: the API key its sandbox accepts (from the running sandbox's handle).
        small_pages: extract options that make the default sandbox span several pages
            (e.g. `{"per_page": 25}`).
        push_rows: `(sandbox handle, n)` -> n valid push input rows for distinct contacts
            (column -> text value, as a user's table holds them).
        sandbox: the sandbox's settings for the kit (tasks, seed): small and fixed.
    """

    key: Callable[[Any], str]
    small_pages: Mapping[str, Any]
    push_rows: Callable[[Any, int], list[dict[str, Any]]]
    sandbox: Mapping[str, Any] = field(default_factory=lambda: {"tasks": 120, "seed": 7})


def tree_vendors() -> dict[str, Path]:
    """Vendors whose folders live in the test tree: name -> the root holding their folders."""
    found: dict[str, Path] = {}
    for root in sorted(TESTS.glob("*/vendor")):
        for emulator in sorted((root / "sandbox").glob("*/__init__.py")):
            found[emulator.parent.name] = root
    return found


def tree_files(root: Path) -> dict[str, str]:
    """The vendor tree under `root` as `{relative path: text}` (what `vendor_folders` takes)."""
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for top in TOP_FOLDERS
        for path in sorted((root / top).rglob("*.py"))
    }


def kit_vendors() -> list[str]:
    """Every vendor the kit runs over: the repository's, then the test tree's."""
    from sales_tasks.destinations.registry import sinks
    from sales_tasks.pipelines.vendors import source_specs
    from sales_tasks.sandbox.registry import emulators

    installed = sorted(set(emulators()) & set(source_specs()) & set(sinks()))
    return installed + sorted(set(tree_vendors()) - set(installed))


def kit_of(vendor: str) -> KitVendor:
    """The vendor's `KIT` from `tests/<vendor>/kit.py`.

    Raises:
        LookupError: the vendor has no kit module, or it holds no `KIT`.
    """
    module = f"tests.{vendor}.kit"
    if not (TESTS / vendor / "kit.py").is_file():
        raise LookupError(
            f"vendor {vendor!r} has no tests/{vendor}/kit.py: add one with"
            " `KIT = KitVendor(...)` (tests/kit/vendor.py, docs/testing.md)"
        )
    kit = getattr(importlib.import_module(module), "KIT", None)
    if not isinstance(kit, KitVendor):
        raise LookupError(f"tests/{vendor}/kit.py holds no `KIT = KitVendor(...)`")
    return kit
