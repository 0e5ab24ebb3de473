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

# Exit codes, for schedulers (Airflow's BashOperator, Dagster, cron): 0 only when every row made
# it. A push that rejects rows exits 5: the rows did not reach Apollo and will not until their data
# is fixed, so a green task would hide them; rerunning is safe (delivered rows are never resent) and
# exits 5 again until then. Needs review (4) wins over rejected: it asks a person to look first.
EXIT_OK = 0
EXIT_ERROR = 1  # the run stopped: the one line on stderr says why and what to do
EXIT_USAGE = 2  # bad arguments (argparse's own code)
EXIT_INCOMPLETE = 3  # `extract --strict` when part of the data could not be fetched
EXIT_NEEDS_REVIEW = 4  # `push` left rows whose delivery could not be decided
EXIT_REJECTED = 5  # `push` rejected rows (bad data, unknown user or contact, Apollo's 422)
EXIT_BUSY = 75  # another run of the same job is going (`pipelines.jobs.JobBusyError`)
EXIT_INTERRUPTED = 130  # SIGINT / Ctrl-C


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
        return EXIT_INTERRUPTED
    except Exception as exc:  # one actionable line, not a traceback
        if args.traceback:
            raise
        from pipelines.messages import one_line_error

        print(f"error: {one_line_error(exc)}", file=sys.stderr)
        return int(getattr(exc, "exit_code", EXIT_ERROR))


if __name__ == "__main__":
    sys.exit(main())
