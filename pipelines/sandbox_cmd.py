"""`sales-tasks sandbox VENDOR` (and the alias command's `sandbox`): run a vendor's local
emulator in the foreground.

One module for every vendor: `register(sub, name)` is called with the vendor's name by
`sales-tasks` and with the verb by the alias command (meaning the alias's vendor); the emulator
(its flags, config and app) is the vendor's `EMULATOR`, found by `sales_tasks.sandbox.registry`.
"""

from __future__ import annotations

import argparse
from typing import Any


def _vendor_of(name: str) -> str:
    from sales_tasks.pipelines.vendors import alias_spec
    from sales_tasks.sandbox.registry import emulators

    return name if name in emulators() else str(alias_spec().name)


def register(sub: Any, name: str = "sandbox") -> None:
    from sales_tasks.pipelines.vendors import vendors
    from sales_tasks.sandbox.registry import emulator

    vendor = _vendor_of(name)
    known = vendors()
    title = known[vendor].title if vendor in known else vendor
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=f"serve a local emulator of {title}'s tasks API (for demos and tests)",
        description=f"Serve a faithful local emulator of {title}'s tasks API on 127.0.0.1.",
    )
    emulator(vendor).add_arguments(parser)
    parser.set_defaults(run=run, sandbox_vendor=vendor)


def run(args: argparse.Namespace) -> int:
    from sales_tasks.sandbox import SandboxInfo
    from sales_tasks.sandbox.registry import emulator, serve_forever

    vendor = args.sandbox_vendor

    def announce(info: SandboxInfo) -> None:
        print(info.describe(), flush=True)
        print("Ctrl-C stops it.", flush=True)

    config = emulator(vendor).config_from_args(args)
    serve_forever(config, port=args.port, host=args.host, on_ready=announce, vendor=vendor)
    return 0
