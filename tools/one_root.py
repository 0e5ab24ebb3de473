"""Rewrite the repository to its one import root, `sales_tasks`.

The top-level folders (`sales_tasks.FOLDERS`: clients, sources, destinations, pipelines, sandbox)
are packages of `sales_tasks`, so every place that names one of their modules names it under the
root:

- imports: `from sources.apollo import x`, `import sandbox.core.clock as clock`, `import pipelines`
  (-> `from sales_tasks import pipelines`), also inside strings (`-c` code, notebook cells,
  generated cells, docs' code blocks);
- module paths written as text: quoted or back-quoted (`"pipelines.cli"`, `f"sources.{vendor}"`,
  `` `sources.core.history` `` in docs and docstrings), when the name after the folder is one
  of its modules or a placeholder;
- `-m` commands: `python -m sandbox`, `dagster dev -m pipelines.orchestration.dagster_defs`,
  `[sys.executable, "-m", "sandbox"]`.

Idempotent: a second run changes nothing, so re-run it after merging a branch written against the
old names. A file whose text holds the marker `one_root: keep-strings` (a test that reasons about
folder names) keeps its quoted module paths; its imports and `-m` commands are still rewritten.
Configuration sections (`[sources.apollo]` in .dlt/*.toml) are not module paths: only .py, .md
and .ipynb files are read.

Usage (from anywhere): `python tools/one_root.py [--check] [PATH ...]`; no PATH: every file git
knows or would add. `--check` rewrites nothing, lists what it would change and exits 1 if any.
Then run `ruff check --fix` and `ruff format` (import order, line length).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "sales_tasks"
SUFFIXES = (".py", ".md", ".ipynb")
KEEP_STRINGS = "one_root: keep-" + "strings"  # split, so this file is not itself kept
SELF = Path(__file__).resolve()


def folders() -> tuple[str, ...]:
    sys.path.insert(0, str(ROOT))
    try:
        from sales_tasks import FOLDERS
    finally:
        sys.path.remove(str(ROOT))
    return tuple(FOLDERS)


def _patterns(names: Iterable[str]) -> dict[str, re.Pattern[str]]:
    p = "(?:" + "|".join(sorted(names)) + ")"
    item = r"[\w.]+(?:[ \t]+as[ \t]+\w+)?"
    return {
        # `from P.x import` anywhere (code, strings, notebook cells)
        "from": re.compile(rf"(?<![\w.])(from[ \t]+)({p})(?=(?:\.\w+)*[ \t]+import\b)"),
        # a whole-line `import P...` statement
        "import_line": re.compile(
            rf"^([ \t]*)import[ \t]+({p})((?:\.\w+)*)([ \t]+as[ \t]+\w+)?[ \t]*(#.*)?$",
            re.MULTILINE,
        ),
        # `import a, P.x, b` anywhere: only dotted names of a folder are rewritten there
        "import_list": re.compile(rf"(?<![\w.])(import[ \t]+)({item}(?:[ \t]*,[ \t]*{item})*)"),
        "dotted_item": re.compile(rf"^({p})\."),
        # a module path in quotes or back-quotes: `"P.<module>`
        "quoted": re.compile(rf"""(?<=["'`])({p})\.(\w+|\{{|<)"""),
        # `-m P` in a command line
        "dash_m": re.compile(rf"(?<![\w-])(-m[ \t]+)({p})(?![\w/-])"),
        # `"-m", "P"` in an argument list
        "dash_m_arg": re.compile(rf"""(["'])-m\1(\s*,\s*)(["'])({p})(?=[."'])"""),
    }


def _is_module(folder: str, name: str) -> bool:
    if name in ("{", "<"):
        return True
    base = ROOT / folder / name
    return (base / "__init__.py").is_file() or base.with_suffix(".py").is_file()


def rewrite(
    text: str,
    names: Iterable[str] | None = None,
    is_module: Callable[[str, str], bool] = _is_module,
) -> tuple[str, list[str]]:
    """`text` with every module of a folder named under the root, and warnings (an
    `import P.x` whose bound name changes). `names`: the folders (default `FOLDERS`);
    `is_module(folder, name)`: whether a quoted `folder.name` is a module path."""
    pats = _patterns(names or folders())
    warnings: list[str] = []
    text = pats["from"].sub(lambda m: f"{m[1]}{PACKAGE}.{m[2]}", text)

    def import_line(m: re.Match[str]) -> str:
        indent, top, rest, alias, comment = m[1], m[2], m[3], m[4] or "", m[5]
        tail = f"  {comment}" if comment else ""
        if not rest:
            return f"{indent}from {PACKAGE} import {top}{alias}{tail}"
        if not alias:
            warnings.append(f"`import {top}{rest}` now binds `{PACKAGE}`: use `from ... import`")
        return f"{indent}import {PACKAGE}.{top}{rest}{alias}{tail}"

    text = pats["import_line"].sub(import_line, text)

    def import_list(m: re.Match[str]) -> str:
        items = re.split(r"([ \t]*,[ \t]*)", m[2])
        fixed = [pats["dotted_item"].sub(rf"{PACKAGE}.\1.", part) for part in items]
        return m[1] + "".join(fixed)

    text = pats["import_list"].sub(import_list, text)

    def quoted(m: re.Match[str]) -> str:
        # `dlt section `sources.apollo``: a configuration section, not a module
        before = m.string[: m.start()].rstrip("\"'`").rstrip()
        if before.endswith("section") or not is_module(m[1], m[2]):
            return m[0]
        return f"{PACKAGE}.{m[0]}"

    if KEEP_STRINGS not in text:
        text = pats["quoted"].sub(quoted, text)
    text = pats["dash_m"].sub(lambda m: f"{m[1]}{PACKAGE}.{m[2]}", text)
    text = pats["dash_m_arg"].sub(lambda m: f"{m[1]}-m{m[1]}{m[2]}{m[3]}{PACKAGE}.{m[4]}", text)
    return text, warnings


def repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [ROOT / name for name in listed if name.endswith(SUFFIXES)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if needed")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    names = folders()
    paths = [p.resolve() for p in args.paths] or repository_files()
    changed = []
    for path in paths:
        if path == SELF or not path.is_file():
            continue
        old = path.read_text()
        new, warnings = rewrite(old, names)
        for warning in warnings:
            print(f"{path.relative_to(ROOT)}: {warning}", file=sys.stderr)
        if new != old:
            changed.append(path.relative_to(ROOT).as_posix())
            if not args.check:
                path.write_text(new)
    for name in changed:
        print(name)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
