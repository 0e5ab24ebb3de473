"""The one way tests run the command line: in this process by default, as a real process on demand.

`run_cli(argv, env=..., cwd=...)` runs `sales-tasks ARGV` (or the alias command, `program=`) and
answers like `subprocess.run(..., capture_output=True, text=True)`: a `CompletedProcess` with the
exit code, stdout and stderr. In process it calls `sales_tasks.pipelines.cli.sales_main` / `main`
with `os.environ` replaced by `env` and the working directory set to `cwd`, stdout and stderr
captured (log handlers writing to stderr included), the exit code taken from the return value or
`SystemExit`, an uncaught exception printed as Python would and exit code 1. dlt's injection
contexts start empty, as in a new process, and everything is put back afterwards: the
environment, the working directory, dlt's contexts, the log handlers' streams, the root logger's
level and handlers, SIGINT/SIGTERM handlers.

A child process costs about 2 s more CPU than a warm in-process run (dlt's import and each
process's first dlt run, `docs/benchmarks.md`), so a test takes one only when it needs a process:
`process=True` runs the installed console script (`.venv/bin/sales-tasks`), or `command=[...]`
instead of it (e.g. `tests/sink/crash_runner.py`, which SIGKILLs the run at a checkpoint). Keep
real processes for signals and kills, locks between processes, isolation of processes, the
wheel, and at least one test per verb that runs the real executable, so the entry point stays
covered.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from tests.sink.conftest import subprocess_env

__all__ = ["BIN", "PROGRAMS", "as_a_new_process", "child_env", "run_cli"]

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ("sales-tasks", "apollo-tasks")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment plus `extra`: what a run is given unless told otherwise."""
    return subprocess_env(**extra)


def run_cli(
    argv: Sequence[str],
    *,
    program: str = "sales-tasks",
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    process: bool = False,
    command: Sequence[str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """`PROGRAM ARGV` with `env` (default: this environment) in `cwd` (default: the repository).

    Args:
        argv: the words after the program's name.
        program: `sales-tasks` or the alias command `apollo-tasks`.
        env: the whole environment of the run, as `subprocess.run(env=...)` takes it.
        cwd: the working directory of the run.
        process: run the installed console script as a real child process.
        command: run this command line (then `argv`) as a real child process instead.
        timeout: seconds a child process may take (in process: pytest's own timeout).
    """
    environment = dict(child_env() if env is None else env)
    folder = Path(cwd) if cwd is not None else ROOT
    if process or command is not None:
        return subprocess.run(
            [*(command if command is not None else [str(BIN / program)]), *argv],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if program not in PROGRAMS:
        raise ValueError(f"unknown program {program!r}: one of {', '.join(PROGRAMS)}")
    out, err = io.StringIO(), io.StringIO()
    with _isolated(environment, folder, err), redirect_stdout(out), redirect_stderr(err):
        code = _call(program, list(argv))
    return subprocess.CompletedProcess([program, *argv], code, out.getvalue(), err.getvalue())


def _call(program: str, argv: list[str]) -> int:
    from sales_tasks.pipelines import cli

    entry = cli.sales_main if program == "sales-tasks" else cli.main
    try:
        return entry(argv)
    except SystemExit as stopped:  # argparse's usage errors and --help
        return _exit_code(stopped.code)
    except BaseException:  # --traceback: what the interpreter prints, and its exit code
        traceback.print_exc()
        return 1


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


@contextmanager
def as_a_new_process(env: Mapping[str, str], cwd: Path | str) -> Iterator[io.StringIO]:
    """The block sees what a new process started with `env` in `cwd` would (as `run_cli` runs
    the command line in process): that environment and working directory, dlt's injection
    contexts empty (so dlt reads `.dlt/` of `cwd`), log handlers writing to stderr writing to the
    buffer yielded; this process's own restored afterwards."""
    err = io.StringIO()
    with _isolated(dict(env), Path(cwd), err):
        yield err


@contextmanager
def _isolated(env: Mapping[str, str], cwd: Path, err: io.StringIO) -> Iterator[None]:
    """The environment, working directory, dlt contexts, log streams and signal handlers of a new
    process for the block; this process's own restored afterwards."""
    with ExitStack() as stack:
        saved_env = dict(os.environ)
        saved_cwd = os.getcwd()
        saved_signals = {sig: signal.getsignal(sig) for sig in _SIGNALS}

        def restore() -> None:
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)
            for sig, handler in saved_signals.items():
                signal.signal(sig, handler)

        stack.callback(restore)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        stack.enter_context(_fresh_dlt_contexts())
        stack.enter_context(_logs_to(err))
        yield


@contextmanager
def _fresh_dlt_contexts() -> Iterator[None]:
    """dlt's injection contexts of this thread empty for the block (a new process's: its run
    context, config providers and active pipeline are made again from `env` and `cwd`), then the
    ones before put back."""
    from dlt.common.configuration.container import Container

    container = Container()
    contexts = [container.thread_contexts[Container._MAIN_THREAD_ID][0]]
    mine = container.thread_contexts.get(container._effective_thread_id())
    if mine is not None and mine[0] is not contexts[0]:
        contexts.append(mine[0])
    saved = [dict(context) for context in contexts]
    for context in contexts:
        context.clear()
    try:
        yield
    finally:
        for context, before in zip(contexts, saved, strict=True):
            context.clear()
            context.update(before)


def _stream_handlers() -> Iterator[logging.StreamHandler[Any]]:
    loggers: list[Any] = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", ()):
            if type(handler) is logging.StreamHandler:
                yield handler


@contextmanager
def _logs_to(err: io.StringIO) -> Iterator[None]:
    """Log handlers writing to this process's stderr write to `err` for the block, as a child's
    would write to its own stderr; handlers made during the block (dlt's, at its first run) write
    to this process's stderr again afterwards. The root logger's level and handlers are restored."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    outer = {id(sys.stderr), id(sys.__stderr__)}
    moved = [(h, h.stream) for h in _stream_handlers() if id(h.stream) in outer]
    for handler, _ in moved:
        handler.setStream(err)
    try:
        yield
    finally:
        for handler, stream in moved:
            handler.setStream(stream)
        for handler in _stream_handlers():
            if handler.stream is err:
                handler.setStream(sys.stderr)
        root.setLevel(level)
        for added in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(added)


def push_cli(
    vendor: str,
    args: Sequence[str],
    *,
    table: str,
    warehouse: str,
    pipelines: Path,
    env: Mapping[str, str],
    crash: tuple[str, int] | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`sales-tasks push VENDOR --table TABLE --warehouse WAREHOUSE ARGS` with a fresh dlt
    working folder `pipelines`; `crash=(point, n)` runs it as a real process under
    `tests/sink/crash_runner.py`, which SIGKILLs it at the n-th pass of that checkpoint."""
    shutil.rmtree(pipelines, ignore_errors=True)
    crasher = None
    if crash:
        crasher = [sys.executable, "-m", "tests.sink.crash_runner", crash[0], str(crash[1]),
                   "sales-tasks"]  # fmt: skip
    return run_cli(
        ["push", vendor, "--table", table, "--warehouse", warehouse, "--pipelines-dir",
         str(pipelines), *args],
        env=env, process=process, command=crasher,
    )  # fmt: skip
