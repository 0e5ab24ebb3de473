"""Command-line flags every emulator takes: where to listen, and config flags by table.

The subprocess runner starts `python -m sales_tasks.sandbox --vendor V --port 0 --config-json ...`, so an
emulator's `add_arguments` calls `add_server_arguments` and also reads `--config-json` (its whole
config as JSON, which its other flags override). An emulator lists its config flags as a table
(`TFlags`: flag -> (config path, type, help), a path `a.b` naming a nested field) and its
valueless switches (`TSwitches`), and lets `add_config_arguments` / `apply_config_flags` do the
argparse work.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sales_tasks.sandbox.core.config import EmulatorConfig

C = TypeVar("C", bound=EmulatorConfig)

# flag -> (config path, type, help); every flag defaults to None so that only flags given on the
# command line override the base config.
TFlags = Mapping[str, tuple[str, Any, str]]
# switch -> (config path, value it sets, help): a flag without a value (`store_true`).
TSwitches = Mapping[str, tuple[str, Any, str]]
# The flags of `sales_tasks.sandbox.core.config.FaultConfig`, the same for every emulator.
FAULT_FLAGS: TFlags = {
    "--latency-ms": ("faults.latency_ms", float, "added latency per API call"),
    "--jitter-ms": ("faults.jitter_ms", float, "random extra latency, up to this"),
    "--error-rate": ("faults.error_rate", float, "share of calls answered 500/502/503"),
    "--drop-rate": ("faults.drop_rate", float, "share of calls dropped before the work"),
    "--truncate-rate": ("faults.truncate_rate", float, "share of answers cut short"),
    "--invalid-json-rate": (
        "faults.invalid_json_rate",
        float,
        "share of 200s with a non-JSON body",
    ),
    "--burst-429-every": ("faults.burst_429_every", int, "calls between bursts of 429s"),
    "--burst-429-len": ("faults.burst_429_len", int, "429s per burst"),
    "--drop-after-create-rate": (
        "faults.drop_after_create_rate",
        float,
        "share of creates dropped after the records were made",
    ),
    "--fault-seed": ("faults.fault_seed", int, "seed of the random faults"),
}


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--port` and `--host` to `parser`."""
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")


def add_config_arguments(
    parser: argparse.ArgumentParser, flags: TFlags, switches: TSwitches, config_name: str
) -> None:
    """Add `--port`, `--host`, every flag of `flags` and `switches` (each defaulting to None)
    and `--config-json` (the whole config, named `config_name` in its help) to `parser`."""
    add_server_arguments(parser)
    for flag, (_, kind, help_text) in flags.items():
        parser.add_argument(flag, type=kind, default=None, help=help_text)
    for flag, (_, _, help_text) in switches.items():
        parser.add_argument(flag, action="store_true", default=None, help=help_text)
    parser.add_argument(
        "--config-json", default=None, help=f"a full {config_name} as JSON (flags override it)"
    )


def config_json(ns: argparse.Namespace) -> dict[str, Any]:
    """The `--config-json` object, or `{}` without one."""
    return json.loads(ns.config_json) if getattr(ns, "config_json", None) else {}


def apply_config_flags(
    ns: argparse.Namespace, flags: TFlags, switches: TSwitches, data: dict[str, Any]
) -> None:
    """Write into config dict `data` the value of every flag and switch given in `ns`."""
    given = [(path, getattr(ns, _dest(flag), None)) for flag, (path, _, _) in flags.items()] + [
        (path, value if getattr(ns, _dest(flag), None) else None)
        for flag, (path, value, _) in switches.items()
    ]
    for path, value in given:
        if value is None:
            continue
        head, _, leaf = path.partition(".")
        if leaf:
            data[head][leaf] = value
        else:
            data[head] = value


def _dest(flag: str) -> str:
    return flag[2:].replace("-", "_")


def config_cli(
    flags: TFlags, switches: TSwitches, from_dict: Callable[[dict[str, Any]], C], name: str
) -> tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], C]]:
    """An emulator's `add_arguments` and `config_from_args` (see `core.emulator.Emulator`) for
    its flag tables and its config class's `from_dict` (`name`: the class, for the help)."""

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        add_config_arguments(parser, flags, switches, name)

    def config_from_args(ns: argparse.Namespace) -> C:
        data = from_dict(config_json(ns)).to_dict()
        apply_config_flags(ns, flags, switches, data)
        return from_dict(data)

    return add_arguments, config_from_args
