"""`python -m sales_tasks.sandbox [--vendor apollo] --port P ...`: serve a vendor's emulator in the foreground.

Prints exactly one line to stdout once listening, `SANDBOX READY base_url=http://127.0.0.1:P`
(the subprocess mode of `running_sandbox` waits for it). The other flags are the vendor's
(`--vendor V --help` lists them).
"""

from __future__ import annotations

import argparse
import sys

from sales_tasks.sandbox.core.server import SandboxInfo
from sales_tasks.sandbox.registry import DEFAULT_VENDOR, EMULATORS, emulator, serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sales_tasks.sandbox", description=__doc__)
    parser.add_argument(
        "--vendor",
        default=DEFAULT_VENDOR,
        help=f"whose emulator to serve: {' | '.join(sorted(EMULATORS))} (default {DEFAULT_VENDOR})",
    )
    # The vendor decides which other flags exist, so it is read first (`--help` waits for them).
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--vendor", default=DEFAULT_VENDOR)
    chosen, _ = first.parse_known_args(argv)
    try:
        vendor = emulator(chosen.vendor)
    except ValueError as exc:
        parser.error(str(exc))
    vendor.add_arguments(parser)
    ns = parser.parse_args(argv)

    def announce(info: SandboxInfo) -> None:
        sys.stdout.write(info.banner() + "\n")
        sys.stdout.flush()

    serve_forever(vendor.config_from_args(ns), ns.port, ns.host, announce, vendor.vendor)


if __name__ == "__main__":
    main()
