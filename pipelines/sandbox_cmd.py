"""`sales-tasks sandbox apollo` (`apollo-tasks sandbox`): run the local Apollo emulator in the foreground."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, name: str = "sandbox") -> None:
    from sandbox.apollo.cli_args import add_sandbox_arguments

    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help="serve a local emulator of Apollo's tasks API (for demos and tests)",
        description="Serve a faithful local emulator of Apollo's tasks API on 127.0.0.1.",
    )
    add_sandbox_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from sandbox import SandboxInfo, serve_forever
    from sandbox.apollo.cli_args import config_from_args

    def announce(info: SandboxInfo) -> None:
        print(info.describe(), flush=True)
        print("Ctrl-C stops it.", flush=True)

    serve_forever(config_from_args(args), port=args.port, host=args.host, on_ready=announce)
    return 0
