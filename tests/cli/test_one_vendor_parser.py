"""`sales-tasks extract|push VENDOR` parses with a parser of that one command (importing that
vendor's package alone): the same flags, help and usage errors as the parser of every vendor."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from sales_tasks.clients.core.discovery import vendor_packages
from sales_tasks.pipelines import cli
from sales_tasks.pipelines.vendors import vendors_with

COMMANDS = [(verb, name) for verb in ("extract", "push") for name in vendors_with(verb)]


def _parse(
    parser: argparse.ArgumentParser, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[object, str, str]:
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(argv)
    out, err = capsys.readouterr()
    return stopped.value.code, out, err


@pytest.mark.parametrize(("verb", "vendor"), COMMANDS)
@pytest.mark.parametrize("tail", [["--help"], ["--no-such-flag"]])
def test_one_command_parser_says_what_the_full_parser_says(
    verb: str, vendor: str, tail: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [verb, vendor, *tail]
    full = _parse(cli.build_sales_parser(), argv, capsys)
    one = _parse(cli.build_sales_parser((verb, vendor)), argv, capsys)
    assert one == full
    assert full[0] != 0 or full[1].startswith(f"usage: sales-tasks {verb} {vendor}")


@pytest.mark.parametrize(("verb", "vendor"), COMMANDS)
def test_a_command_of_one_vendor_imports_no_other_vendor(verb: str, vendor: str) -> None:
    """The fixed cost of `sales-tasks extract apollo`: no other vendor's source, sink or sandbox
    is imported to parse it (a fresh interpreter, so nothing was imported before)."""
    argv = [verb, vendor, *(["--table", "t"] if verb == "push" else [])]
    code = (
        "import sys; from sales_tasks.pipelines.cli import build_sales_parser;"
        f" build_sales_parser(({verb!r}, {vendor!r})).parse_args({argv!r});"
        " print(*sorted(sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(done.stdout.split())
    for folder in ("sources", "destinations", "sandbox"):
        others = [v for v in vendor_packages(folder) if v != vendor]
        assert not [m for m in loaded for v in others if m.startswith(f"sales_tasks.{folder}.{v}")]
    assert f"sales_tasks.{'sources' if verb == 'extract' else 'destinations'}.{vendor}" in loaded


@pytest.mark.parametrize("verb", ["extract", "push"])
@pytest.mark.parametrize("tail", [["--help"], ["--no-such-flag"], ["no-such-word"]])
def test_the_alias_command_of_one_verb_says_what_its_full_parser_says(
    verb: str, tail: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [verb, *tail]
    full = _parse(cli.build_parser(), argv, capsys)
    one = _parse(cli.build_parser(verb), argv, capsys)
    assert one == full
