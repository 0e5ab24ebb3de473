"""Finding the vendors: every package beside `core` under a top-level package that exposes what
the caller asks for (a source's `spec.SPEC`, a sink, an emulator).

A vendor is its folders: `clients/<v>/`, `sources/<v>/`, `destinations/<v>/`, `sandbox/<v>/`.
Nothing lists it by hand; the registries scan the packages' search path (`__path__`, so a folder
added to it, e.g. by a test, counts too). Callers name a top-level folder (`sources`), which
`qualified` turns into its package under the one import root (`sales_tasks.sources`). A vendor package that cannot be imported is an error
with its name, never skipped: a broken install must not look like a missing vendor.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from typing import Any

SHARED = frozenset({"core"})

# `sales_tasks.`: the import root the top-level folders are packages of, read from this module's
# own name (the root, then this module's path from its folder: `_OWN_PATH`).
_OWN_PATH = ("clients", "core", "discovery")
ROOT_PREFIX = __name__.removesuffix(".".join(_OWN_PATH))


def qualified(folder: str) -> str:
    """The package of a top-level folder under the import root (`ROOT_PREFIX` + the folder's
    name); a name already under the root is returned as it is."""
    return folder if folder.startswith(ROOT_PREFIX) else ROOT_PREFIX + folder


def folder_of(module: str) -> str:
    """A module's name from its top-level folder on (without `ROOT_PREFIX`), as the
    repository's layout names it."""
    return module.removeprefix(ROOT_PREFIX)


class VendorImportError(ImportError):
    """A vendor package (or a module of it) found on disk cannot be imported."""


def vendor_packages(package: str) -> list[str]:
    """The names of the vendor packages under a top-level folder's package (`sources` -> `acme`,
    ...), sorted."""
    root = importlib.import_module(qualified(package))
    return sorted(
        {
            info.name
            for info in pkgutil.iter_modules(getattr(root, "__path__", []))
            if info.ispkg and info.name not in SHARED and not info.name.startswith("_")
        }
    )


def discover(
    package: str, pick: Callable[[Any, str], Any], module: str | None = None
) -> dict[str, Any]:
    """`{vendor: what pick(module, vendor) returns}` for every vendor package under a top-level
    folder's package (`sources`) whose module (`sales_tasks.sources.<vendor>`, or `sales_tasks.sources.<vendor>.<module>`
    when that exists) gives a value that is not None.

    Raises:
        VendorImportError: a vendor package or its module exists but cannot be imported.
    """
    found: dict[str, Any] = {}
    for vendor in vendor_packages(package):
        value = _pick_from(package, vendor, pick, module)
        if value is not None:
            found[vendor] = value
    return found


def discover_one(
    package: str, vendor: str, pick: Callable[[Any, str], Any], module: str | None = None
) -> Any:
    """What `discover(package, pick, module)` would give for `vendor` alone (None when it has
    no such package or it gives nothing), importing no other vendor's package: a command that
    names its vendor pays for that one only.

    Raises:
        VendorImportError: that vendor's package or its module exists but cannot be imported.
    """
    if vendor not in vendor_packages(package):
        return None
    return _pick_from(package, vendor, pick, module)


def _pick_from(
    package: str, vendor: str, pick: Callable[[Any, str], Any], module: str | None
) -> Any:
    path = f"{qualified(package)}.{vendor}"
    try:
        mod = importlib.import_module(path)
        if module is not None:
            if importlib.util.find_spec(f"{path}.{module}") is None:
                return None
            path = f"{path}.{module}"
            mod = importlib.import_module(path)
    except ImportError as exc:
        raise VendorImportError(
            f"the vendor package {path} cannot be imported: {exc}; reinstall with"
            " `make venv`, or fix that package"
        ) from exc
    return pick(mod, vendor)
