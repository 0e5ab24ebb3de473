"""The vendors the command line knows, discovered from their folders.

A vendor is its folders: `sources/<v>/spec.py` with `SPEC` (a `sales_tasks.sources.core.spec.SourceSpec`)
gives it an extract, `destinations/<v>/` exposing a `TaskSink` a push, `sandbox/<v>/` exposing
`EMULATOR` a sandbox (`sales_tasks.clients.core.discovery`, `sales_tasks.destinations.registry`, `sales_tasks.sandbox.registry`).
Nothing here lists one; `sales-tasks push VENDOR` lists the vendors that have a push.

`sales-tasks VERB VENDOR [flags]` runs the generic command module of VERB for VENDOR; the
command line of a vendor whose spec declares an `alias` (a legacy command name) runs the same commands
without the vendor word. A command module has `register(sub, name)`, which adds its parser to
the argparse subparsers `sub` under `name` (a vendor's name, or the verb under the alias command,
meaning the alias's vendor), and `run(args) -> int`, the exit code.
Vendors are found when the CLI builds its parser, never at import of this module; a vendor
package that cannot be imported is an error, never skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from sales_tasks.clients.core.discovery import VendorImportError, discover, discover_one

VERBS = ("extract", "push", "sandbox")
# The generic module of each verb, for every vendor.
VERB_MODULES: dict[str, str] = {
    "extract": "sales_tasks.pipelines.extract",
    "push": "sales_tasks.pipelines.push",
    "sandbox": "sales_tasks.pipelines.sandbox_cmd",
}
# Commands that take no vendor word (`sales-tasks demo`), by the same module contract.
PROJECT_COMMANDS: dict[str, str] = {"demo": "sales_tasks.pipelines.demo"}


class CommandModuleError(ImportError):
    """A command module, or a vendor package it needs, cannot be imported (a broken install)."""


@dataclass(frozen=True)
class Vendor:
    """One vendor: `name` as typed on the command line, `title` as its docs spell it, and
    `commands`, verb -> module path of that command."""

    name: str
    title: str
    commands: Mapping[str, str]

    def command(self, verb: str) -> ModuleType:
        """The module of `verb` for this vendor.

        Raises:
            KeyError: this vendor has no such command.
            CommandModuleError: the module (or something it imports) cannot be imported.
        """
        return import_command(self.commands[verb], f"the {verb} command of vendor {self.name}")


def _spec_of(module: Any, vendor: str) -> Any:
    spec = getattr(module, "SPEC", None)
    return spec if getattr(spec, "name", None) == vendor else None


@cache
def source_specs() -> dict[str, Any]:
    """Every vendor's `SourceSpec`, by name, in the specs' `order` (then by name).

    Raises:
        CommandModuleError: a vendor's source package cannot be imported.
    """
    try:
        found = discover("sources", _spec_of, module="spec")
    except VendorImportError as exc:
        raise CommandModuleError(str(exc)) from exc
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


@cache
def source_spec_named(vendor: str) -> Any:
    """The `SourceSpec` of `vendor` found by importing its package alone, or None when it has
    no source (importing no other vendor: what `sales-tasks extract VENDOR` needs).

    Raises:
        CommandModuleError: that vendor's source package cannot be imported.
    """
    try:
        return discover_one("sources", vendor, _spec_of, module="spec")
    except VendorImportError as exc:
        raise CommandModuleError(str(exc)) from exc


def source_spec(vendor: str) -> Any:
    """The `SourceSpec` of `vendor`.

    Raises:
        ValueError: no vendor of that name has a source.
    """
    if source_specs.cache_info().currsize == 0:  # not all discovered yet: this vendor only
        found = source_spec_named(vendor)
        if found is not None:
            return found
    try:
        return source_specs()[vendor]
    except KeyError:
        known = ", ".join(source_specs())
        raise ValueError(f"no extract for vendor {vendor!r}: choose one of {known}") from None


def alias_spec() -> Any:
    """The spec of the vendor whose commands the legacy alias command runs (`SourceSpec.alias`).

    Raises:
        LookupError: no spec declares an alias, or more than one does.
    """
    found = [spec for spec in source_specs().values() if spec.alias]
    if len(found) != 1:
        raise LookupError(f"exactly one vendor may declare an alias command, found {len(found)}")
    return found[0]


def _discovered() -> dict[str, Vendor]:
    from sales_tasks.destinations.registry import sinks
    from sales_tasks.sandbox.registry import emulators

    specs = source_specs()
    try:
        by_verb: dict[str, Mapping[str, Any]] = {
            "extract": specs,
            "push": sinks(),
            "sandbox": emulators(),
        }
    except ImportError as exc:
        raise CommandModuleError(str(exc)) from exc
    names = list(specs) + sorted({n for found in by_verb.values() for n in found} - set(specs))
    vendors = {}
    for name in names:
        spec = specs.get(name)
        sink = by_verb["push"].get(name)
        title = spec.title if spec else getattr(sink, "title", name)
        commands = {verb: VERB_MODULES[verb] for verb in VERBS if name in by_verb[verb]}
        vendors[name] = Vendor(name, title, commands)
    return vendors


@cache
def vendors() -> dict[str, Vendor]:
    """Every vendor with at least one command, sources' order first."""
    return _discovered()


class _Vendors(Mapping[str, Vendor]):
    """`VENDORS`: the discovered vendors, found when first read."""

    def __getitem__(self, name: str) -> Vendor:
        return vendors()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(vendors())

    def __len__(self) -> int:
        return len(vendors())


VENDORS: Mapping[str, Vendor] = _Vendors()


def forget() -> None:
    """Drop what discovery found (after a vendor folder was added to a package's path)."""
    from sales_tasks.clients.vocabulary import vocabularies
    from sales_tasks.destinations.registry import sink_named, sinks
    from sales_tasks.sandbox.registry import emulators

    for found in (source_specs, source_spec_named, vendors, sinks, sink_named, emulators):
        found.cache_clear()
    for found in (vocabularies,):
        found.cache_clear()


def import_command(path: str, what: str) -> ModuleType:
    """Import the command module `path`; `what` names it in the error.

    Raises:
        CommandModuleError: the module, or something it imports, cannot be imported.
    """
    try:
        return importlib.import_module(path)
    except ImportError as exc:
        raise CommandModuleError(
            f"{what} ({path}) cannot be imported: {exc}; reinstall with `make venv`"
        ) from exc


def has_command(vendor: str, verb: str) -> bool:
    """Whether `vendor` has `verb` (`extract` or `push`), importing that vendor's package alone.

    Raises:
        CommandModuleError: that vendor's package cannot be imported.
    """
    if verb == "extract":
        return source_spec_named(vendor) is not None
    if verb == "push":
        from sales_tasks.destinations.registry import sink_named

        try:
            return sink_named(vendor) is not None
        except ImportError as exc:
            raise CommandModuleError(str(exc)) from exc
    raise ValueError(f"no one-vendor lookup for {verb!r}")


def vendor_named(name: str, verb: str) -> Vendor:
    """The `Vendor` of `name` for running its `verb` (`extract` or `push`, which it has:
    `has_command`), found by importing that one package of it alone: its `commands` hold the
    generic module of both verbs (imported to check the install, never the other direction's
    vendor package) and its `title` is what that package says (`SourceSpec.title`,
    `TaskSink.title`)."""
    if verb == "extract":
        title = source_spec_named(name).title
    else:
        from sales_tasks.destinations.registry import sink_named

        try:
            title = getattr(sink_named(name), "title", name)
        except ImportError as exc:
            raise CommandModuleError(str(exc)) from exc
    return Vendor(name, title, {v: VERB_MODULES[v] for v in ("extract", "push")})


def vendors_with(verb: str) -> list[str]:
    """Names of the vendors that have `verb`, in registry order."""
    return [name for name, vendor in vendors().items() if verb in vendor.commands]
