"""Command-line flags every emulator takes: where to listen.

The subprocess runner starts `python -m sandbox --vendor V --port 0 --config-json ...`, so an
emulator's `add_arguments` calls `add_server_arguments` and also reads `--config-json` (its whole
config as JSON, which its other flags override).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any, Protocol

# flag -> (config path, e.g. "tasks" or "faults.drop_rate"; value type; help)
TFlags = Mapping[str, tuple[str, Any, str]]


# The flags of the generic faults (`sandbox.core.config.FaultConfig`), the same for every emulator.
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
        "share of creates dropped after the tasks were made",
    ),
    "--fault-seed": ("faults.fault_seed", int, "seed of the random faults"),
}


class _FromDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--port` and `--host` to `parser`."""
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")


def add_config_flags(parser: argparse.ArgumentParser, flags: TFlags) -> None:
    """Add one flag per config field in `flags`, defaulting to None (= not given)."""
    for flag, (_, kind, help_text) in flags.items():
        parser.add_argument(flag, type=kind, default=None, help=help_text)


def config_data(ns: argparse.Namespace, flags: TFlags, from_dict: Any) -> dict[str, Any]:
    """The config as a dict: `--config-json` (read by `from_dict`, so it is validated), then
    every flag of `flags` given on the command line over it."""
    data: dict[str, Any] = json.loads(ns.config_json) if getattr(ns, "config_json", None) else {}
    base: _FromDict = from_dict(data)
    data = base.to_dict()
    for flag, (path, _, _) in flags.items():
        value = getattr(ns, flag[2:].replace("-", "_"), None)
        if value is None:
            continue
        head, _, leaf = path.partition(".")
        if leaf:
            data[head][leaf] = value
        else:
            data[head] = value
    return data
