"""`sales-tasks` and the alias command: the command line.

`sales-tasks extract|push|sandbox VENDOR [flags]` and `sales-tasks demo`. The vendors are
discovered from their folders (`sales_tasks.pipelines.vendors`); each verb's module adds its parser
(`register(sub, name)`) and runs it (`run(args) -> exit code`).

The alias command (`main`; the vendor whose `SourceSpec.alias` names it) is kept for existing
users and scripts: that vendor's commands without the vendor word, with the same flags, output,
env vars, tables and exit codes (`sales-tasks extract VENDOR ...` runs exactly what
`ALIAS extract ...` runs). `python -m sales_tasks.pipelines.cli` is the alias command.

Errors a person can act on end in one line on stderr and a non-zero exit (`sales_tasks.pipelines.exit_codes`);
`--traceback` shows the Python traceback too. The API key never appears in what is printed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

# Re-exported: scripts and tests have imported the exit codes from here.
from sales_tasks.pipelines.exit_codes import (
    EXIT_BUSY,
    EXIT_ERROR,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_NEEDS_REVIEW,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
)
from sales_tasks.pipelines.vendors import (
    PROJECT_COMMANDS,
    VENDORS,
    VERBS,
    CommandModuleError,
    Vendor,
    alias_spec,
    has_command,
    import_command,
    vendor_named,
    vendors_with,
)

__all__ = [
    "EXIT_BUSY",
    "EXIT_ERROR",
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_NEEDS_REVIEW",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "build_parser",
    "build_sales_parser",
    "main",
    "sales_main",
]

# The alias command's --help has always listed its commands in this order.
_ALIAS_ORDER = ("sandbox", "extract", "push")
_VERB_HELP = {
    "extract": "mirror a vendor's tasks (with contacts and accounts) into DuckDB or any dlt"
    " destination",
    "push": "create a vendor's tasks from warehouse rows, each exactly once",
    "sandbox": "serve a local emulator of a vendor's tasks API, for demos and tests",
}
_HELP_FLAGS = ("-h", "--help")


def _add_global_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--traceback", action="store_true", help="show the Python traceback on errors"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log HTTP retries and waits")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The alias command's parser: its vendor's commands, then the demo, no vendor word.

    `only`: the same parser with that one command (`extract` or `push`) only, importing no other
    vendor's sink or emulator (`_alias_command`)."""
    spec = alias_spec()
    parser = argparse.ArgumentParser(
        prog=spec.alias,
        description=f"Mirror {spec.title} tasks into a warehouse, and push warehouse rows back as"
        " tasks.",
    )
    _add_global_flags(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    vendor = _vendor_of(spec.name, only)
    for verb in _ALIAS_ORDER if only is None else (only,):
        vendor.command(verb).register(sub, verb)
    if only is None:
        _register_project_commands(sub)
    return parser


def _vendor_of(name: str, only_verb: str | None) -> Vendor:
    """The vendor `name` from the registry, or (`only_verb`) found alone for that verb with every
    one of its commands imported: a broken install is an error for every command, as with the
    full registry."""
    if only_verb is None:
        return VENDORS[name]
    vendor = vendor_named(name, only_verb)
    for other in vendor.commands:
        vendor.command(other)
    return vendor


def _register_project_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, path in PROJECT_COMMANDS.items():
        import_command(path, f"the {name} command").register(sub, name)


def _after_flags(argv: Sequence[str]) -> list[str] | None:
    """The words after the flags before the verb (they take no value), or None when one of
    them asks for help (argparse then prints it)."""
    words = list(argv)
    while words and words[0].startswith("-"):
        if words[0] in _HELP_FLAGS:
            return None
        words.pop(0)
    return words


def _alias_command(argv: Sequence[str]) -> str | None:
    """The verb when `argv` runs the alias command's extract or push (no help flag before it),
    else None (the full parser then parses it)."""
    words = _after_flags(argv)
    if words is None:
        return None
    return words[0] if words and words[0] in _ONE_VENDOR_VERBS else None


def _vendor_list() -> str:
    return ", ".join(f"{name} ({vendor.title})" for name, vendor in VENDORS.items())


def build_sales_parser(only: tuple[str, str] | None = None) -> argparse.ArgumentParser:
    """The `sales-tasks` parser: VERB VENDOR [flags] for every vendor of the registry.

    `only=(verb, vendor)`: the same parser with that one command only, importing that vendor's
    packages alone (`sales_tasks.pipelines.vendors.vendor_named`): what a run of it parses, its
    own `--help` and usage errors included. The top-level help, which lists every vendor, is
    never shown from it (`_one_command`).
    """
    parser = argparse.ArgumentParser(
        prog="sales-tasks",
        usage=(
            "%(prog)s [-h] [--traceback] [-v] {" + ",".join(VERBS) + "} VENDOR [flags]\n"
            "       %(prog)s [-h] [--traceback] [-v] " + " | ".join(PROJECT_COMMANDS) + " [flags]"
        ),
        description=(
            "Mirror sales tasks into a warehouse, and push warehouse rows back as tasks."
            + ("" if only else f" Vendors: {_vendor_list()}.")
        ),
        epilog="`sales-tasks VERB VENDOR --help` shows the flags of one vendor's command.",
    )
    _add_global_flags(parser)
    # `prog`: the subcommands' usage starts "sales-tasks extract", not with the usage above.
    verbs = parser.add_subparsers(dest="command", required=True, metavar="VERB", prog=parser.prog)
    for verb in VERBS if only is None else (only[0],):
        names = vendors_with(verb) if only is None else [only[1]]
        verb_parser = verbs.add_parser(
            verb,
            help=f"{_VERB_HELP[verb]} (vendors: {', '.join(names)})",
            description=f"{_VERB_HELP[verb][0].upper()}{_VERB_HELP[verb][1:]}.",
        )
        vendors = verb_parser.add_subparsers(dest="vendor", required=True, metavar="VENDOR")
        for name in names:
            _vendor_of(name, None if only is None else verb).command(verb).register(vendors, name)
    if only is None:
        _register_project_commands(verbs)
    return parser


# The verbs whose vendor is looked up alone (`vendor_named`); `sandbox` runs a long-lived server.
_ONE_VENDOR_VERBS = ("extract", "push")


def _one_command(argv: Sequence[str]) -> tuple[str, str] | None:
    """`(verb, vendor)` when `argv` runs one vendor's extract or push that exists (no help flag
    before the verb), else None (the full parser then parses it, or `_dispatch_problem` says
    what is wrong, listing every vendor)."""
    words = _after_flags(argv)
    if words is None:
        return None
    if len(words) < 2 or words[0] not in _ONE_VENDOR_VERBS or words[1].startswith("-"):
        return None
    try:
        found = has_command(words[1], words[0])
    except CommandModuleError:
        return None  # the full discovery says which package is broken, as it always has
    return (words[0], words[1]) if found else None


def _dispatch_problem(argv: Sequence[str]) -> str | None:
    """The one line for a missing or unknown verb or vendor of `sales-tasks`, else None.

    argparse would say it in two lines (usage, then `invalid choice`) without the vendors that
    exist; everything else, help included, is left to it. The flags before the verb take no
    value, so the verb is the first word and the vendor the next.
    """
    words = _after_flags(argv)
    if words is None:
        return None
    known = ", ".join([*VERBS, *PROJECT_COMMANDS])
    if not words:
        return (
            f"no command given: sales-tasks VERB VENDOR [flags] (VERB one of {', '.join(VERBS)};"
            f" VENDOR one of {', '.join(VENDORS)}) or sales-tasks demo; see sales-tasks --help"
        )
    verb, rest = words[0], words[1:]
    if verb in PROJECT_COMMANDS:
        return None
    if verb not in VERBS:
        return f"unknown command {verb!r}: choose one of {known} (see sales-tasks --help)"
    names = ", ".join(vendors_with(verb))
    if not rest or rest[0].startswith("-"):
        if rest and rest[0] in _HELP_FLAGS:
            return None
        return f"{verb} needs a vendor: sales-tasks {verb} VENDOR [flags], VENDOR one of {names}"
    if rest[0] in VENDORS and rest[0] not in vendors_with(verb):
        return f"vendor {rest[0]} has no {verb} command yet: {verb} knows {names}"
    if rest[0] not in VENDORS:
        return f"unknown vendor {rest[0]!r} for {verb}: choose one of {names}"
    return None


@contextmanager
def _command_logging(*, verbose: bool) -> Iterator[None]:
    """The run's log lines on stderr (`LEVEL logger: message`; INFO with `-v`, else WARNING) for
    this run only: the root logger's level and handlers are restored afterwards.

    `logging.basicConfig` did this once per interpreter and not at all where the root logger had
    a handler already (a notebook, an orchestrator, pytest): a second command in one process
    ignored its `-v` and its warnings never reached its stderr."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _run(build: Callable[[], argparse.ArgumentParser], argv: Sequence[str]) -> int:
    try:
        parser = build()
    except CommandModuleError as exc:  # a broken install: say so, never drop the command
        if "--traceback" in argv:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    args = parser.parse_args(argv)
    from sales_tasks.pipelines.stopping import RunStopped

    try:
        with _command_logging(verbose=args.verbose):
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
        from sales_tasks.pipelines.messages import error_exit_code, one_line_error

        print(f"error: {one_line_error(exc)}", file=sys.stderr)
        return error_exit_code(exc, EXIT_ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """The alias command: run one command of its vendor; the exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    only = _alias_command(words)
    return _run(lambda: build_parser(only), words)


def sales_main(argv: Sequence[str] | None = None) -> int:
    """`sales-tasks`: run one command of one vendor; the exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    only = _one_command(words)
    if only is not None:
        return _run(lambda: build_sales_parser(only), words)
    problem = _dispatch_problem(words)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    return _run(build_sales_parser, words)


if __name__ == "__main__":
    sys.exit(main())
