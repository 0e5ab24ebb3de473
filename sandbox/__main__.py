"""`python -m sandbox --port P --tasks N ...`: serve the Apollo.io sandbox in the foreground.

Prints exactly one line to stdout once listening, `SANDBOX READY base_url=http://127.0.0.1:P`
(the subprocess mode of `running_sandbox` waits for it), and the master key to stderr.
"""

from __future__ import annotations

import argparse
import sys

from sandbox.cli_args import add_sandbox_arguments, config_from_args
from sandbox.server import SandboxInfo, serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    add_sandbox_arguments(parser)
    ns = parser.parse_args(argv)

    def announce(info: SandboxInfo) -> None:
        sys.stdout.write(info.banner() + "\n")
        sys.stdout.flush()

    serve_forever(config_from_args(ns), ns.port, ns.host, on_ready=announce)


if __name__ == "__main__":
    main()
