"""The vendors the command line knows: one entry per vendor, naming the module of each command.

`sales-tasks VERB VENDOR [flags]` runs the module registered here for (VENDOR, VERB); `apollo-tasks
VERB [flags]` is the same commands of the `apollo` entry without the vendor word. A command module
has `register(sub, name)`, which adds its parser to the argparse subparsers `sub` under `name`
(with the command's flags and `run` as its default), and `run(args) -> int`, the exit code.

Adding a vendor is one entry below: its name, as people type it, and its command modules. A vendor
without a push (or a sandbox) yet leaves that verb out; `sales-tasks push VENDOR` then lists only
the vendors that have one. Modules are imported when the CLI builds its parser, never at import
of this module; a module named here that cannot be imported is an error, never skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

VERBS = ("extract", "push", "sandbox")
# Commands that take no vendor word (`sales-tasks demo`), by the same module contract.
PROJECT_COMMANDS: dict[str, str] = {"demo": "pipelines.demo"}


class CommandModuleError(ImportError):
    """A command module named in the registry cannot be imported (a broken install or entry)."""


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


VENDORS: dict[str, Vendor] = {
    vendor.name: vendor
    for vendor in (
        Vendor(
            name="apollo",
            title="Apollo.io",
            commands={
                "extract": "pipelines.extract",
                "push": "pipelines.push",
                "sandbox": "pipelines.sandbox_cmd",
            },
        ),
        Vendor(
            name="saleshandy",
            title="Saleshandy",
            commands={
                "extract": "pipelines.extract_saleshandy",
                "push": "pipelines.push",
                "sandbox": "pipelines.sandbox_cmd",
            },
        ),
        Vendor(
            name="reply",
            title="Reply.io",
            commands={
                "extract": "pipelines.extract_reply",
                "push": "pipelines.push",
                "sandbox": "pipelines.sandbox_cmd",
            },
        ),
    )
}


def import_command(path: str, what: str) -> ModuleType:
    """Import the command module `path`; `what` names it in the error.

    Raises:
        CommandModuleError: the module, or something it imports, cannot be imported.
    """
    try:
        return importlib.import_module(path)
    except ImportError as exc:
        raise CommandModuleError(
            f"{what} ({path}) cannot be imported: {exc}; reinstall with `make venv`,"
            " or fix its entry in pipelines/vendors.py"
        ) from exc


def vendors_with(verb: str) -> list[str]:
    """Names of the vendors that have `verb`, in registry order."""
    return [name for name, vendor in VENDORS.items() if verb in vendor.commands]
