"""`apollo-tasks`: the command line. Each subcommand lives in its own module and registers itself.

Errors a person can act on end in one line on stderr and a non-zero exit; `--traceback` shows the
Python traceback too. The API key never appears in what is printed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INCOMPLETE = 3  # `extract --strict` when part of the data could not be fetched
EXIT_NEEDS_REVIEW = 4  # `push` left rows whose delivery could not be decided


def _subcommand_modules() -> list[ModuleType]:
    # Imported here, not at module import, so `apollo-tasks --help` stays fast.
    from pipelines import sandbox_cmd

    modules: list[ModuleType] = [sandbox_cmd]
    for name in ("extract", "push", "demo"):
        try:
            modules.append(__import__(f"pipelines.{name}", fromlist=["register"]))
        except ModuleNotFoundError as exc:
            if exc.name != f"pipelines.{name}":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apollo-tasks",
        description="Mirror Apollo.io tasks into a warehouse, and push warehouse rows back as tasks.",
    )
    parser.add_argument(
        "--traceback", action="store_true", help="show the Python traceback on errors"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log HTTP retries and waits")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _subcommand_modules():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from pipelines.stopping import RunStopped

    try:
        code: int = args.run(args)
        return code
    except RunStopped as exc:  # SIGINT/SIGTERM: 130/143, and what was left behind
        print(f"stopped: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one actionable line, not a traceback
        if args.traceback:
            raise
        from pipelines.messages import one_line_error

        print(f"error: {one_line_error(exc)}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
