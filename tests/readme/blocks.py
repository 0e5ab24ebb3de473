"""The fenced blocks of the README and of every `docs/*.md`, and the marker convention that says
how the test runs each one.

The files are taken in `ORDER` (the README first); a doc file `ORDER` does not name comes after
the named ones, alphabetically, so a new page is never left unexecuted. Each page runs as its own
test, in its own checkout-shaped working folder (see `runner.make_workspace`) with its own
sandbox, so the pages run side by side; a page that reads what another page's blocks made
(`READS_FROM`) runs after that page, in its folder, in the same test (`page_groups`). Within a
page, blocks run in order and later blocks see the files earlier ones made, as for a person
following along. Each file starts in a fresh shell environment, as in a new terminal: only the
test's own settings (the sandbox's base URL, the PostgreSQL credentials) are set. Within a file a
block is run by its language:

- ```` ```bash ```` (or `sh`, `shell`): run with `bash -euo pipefail`; what it exports carries
  over to the next blocks of the same file. `export NAME=...` (the value literally `...`) is where a person puts
  their own value: the test supplies one (a fake key the sandbox accepts).
- ```` ```python ````: run with `.venv/bin/python`.
- ```` ```sql ````: every statement on every DuckDB file of the working folder with an `apollo`
  schema.
- a block without a language, or ```` ```text ````: sample output, not run, unless it says
  which command prints it (`output-of`, below).

An HTML comment on the line(s) right before a fence changes that (invisible on GitHub, visible in
the source next to the block):

- `<!-- not-run: reason -->`: not run (real API, other machines, the test suite itself); the
  reason is required and listed in the test's summary. Any other language needs this marker.
- `<!-- given: name -->`: run the preparation `name` from `givens.py` first (e.g. the table a
  person's own warehouse would hold).
- `<!-- output-of: COMMAND -->` (on sample output): COMMAND runs in the same shell, and what it
  prints must be the sample, line for line (blank lines, trailing spaces, times, local ports,
  pids, hex ids and durations aside: `runner.output_lines`); its exit status does not matter
  (samples are often errors).
- `<!-- serves: PORT -->`: the block's first command is a server that runs until stopped; it is
  started in the background on a free port (every `PORT` in the block is replaced), the rest of
  the block runs once it prints its banner, then it is stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The order the files run in, each path from the repository root. Later files may use what
# earlier ones made (the README's `make demo` writes `apollo_demo.duckdb`, which docs/unified.md
# reads; its `extract apollo` writes `apollo_tasks.duckdb`).
ORDER: tuple[str, ...] = (
    "README.md",
    "docs/index.md",
    "docs/configuration.md",
    "docs/extract.md",
    "docs/push.md",
    "docs/apollo.md",
    "docs/saleshandy.md",
    "docs/reply.md",
    "docs/unified.md",
    "docs/errors-and-exit-codes.md",
    "docs/warehouses.md",
    "docs/orchestration.md",
    "docs/sandbox.md",
    "docs/benchmarks.md",
    "docs/architecture.md",
    "docs/development.md",
)

# A page whose blocks read files another page's blocks made, and that page: the two run in one
# folder, one after the other. docs/unified.md queries `apollo_demo.duckdb` (the README's
# `make demo`), and its SQL block runs on every DuckDB file with an `apollo` dataset, the
# README's `extract apollo` one (`apollo_tasks.duckdb`) too.
READS_FROM: dict[str, str] = {"docs/unified.md": "README.md"}

SHELL = frozenset({"bash", "sh", "shell"})
PYTHON = frozenset({"python", "py"})
SQL = frozenset({"sql"})
OUTPUT = frozenset({"", "text", "console-output"})
MARKERS = frozenset({"not-run", "given", "serves", "output-of"})

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<lang>[\w+-]*)\s*$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<name>[\w-]+)\s*:\s*(?P<value>.*?)\s*-->\s*$")
_PLACEHOLDER = re.compile(r"^(?P<head>\s*export\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*))=\.\.\.(?=\s|$)")


@dataclass(frozen=True)
class Block:
    """One fenced block: `line` is the line of its opening fence (1-based) in `source`, the file's
    path from the repository root."""

    line: int
    lang: str
    text: str
    markers: dict[str, str] = field(default_factory=dict)
    source: str = "README.md"

    @property
    def kind(self) -> str:
        """`not-run`, `output`, `output-of`, `shell`, `python`, `sql`, or `unknown` (no runner)."""
        if "not-run" in self.markers:
            return "not-run"
        if self.lang in OUTPUT:
            return "output-of" if "output-of" in self.markers else "output"
        for kind, langs in (("shell", SHELL), ("python", PYTHON), ("sql", SQL)):
            if self.lang in langs:
                return kind
        return "unknown"

    @property
    def where(self) -> str:
        return f"{self.source} line {self.line} (```{self.lang} block)"

    @property
    def slug(self) -> str:
        """A file-name-safe name of the block, unique across files: `docs_push_md_line_12`."""
        return re.sub(r"[^A-Za-z0-9]+", "_", self.source) + f"_line_{self.line}"


def parse(text: str, source: str = "README.md") -> list[Block]:
    """Every fenced block of a Markdown text, with the markers on the lines right above it;
    `source` names the file in failures."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j])
            j += 1
        markers: dict[str, str] = {}
        k = i - 1
        while k >= 0 and (found := _MARKER.match(lines[k])):
            markers.setdefault(found["name"], found["value"])
            k -= 1
        blocks.append(
            Block(i + 1, opening["lang"].lower(), "\n".join(body) + "\n", markers, source)
        )
        i = j + 1
    return blocks


def problems(blocks: list[Block], givens: set[str]) -> list[str]:
    """What makes a block impossible to run or to skip honestly, one line each."""
    found: list[str] = []
    for block in blocks:
        for name, value in block.markers.items():
            if name not in MARKERS:
                found.append(f"{block.where}: unknown marker <!-- {name}: ... -->")
            elif not value:
                found.append(f"{block.where}: <!-- {name}: --> needs a value")
        if block.kind == "unknown":
            found.append(
                f"{block.where}: no runner for ```{block.lang}; add <!-- not-run: reason -->"
            )
        given = block.markers.get("given")
        if given and given not in givens:
            found.append(f"{block.where}: unknown given {given!r} (see tests/readme/givens.py)")
        if "output-of" in block.markers and block.lang not in OUTPUT:
            found.append(f"{block.where}: output-of belongs on a sample-output block")
        serves = block.markers.get("serves")
        if serves and not serves.isdigit():
            found.append(f"{block.where}: <!-- serves: {serves} --> must be a port number")
    return found


def fill_placeholders(script: str, values: dict[str, str], where: str) -> str:
    """`export NAME=...` becomes `export NAME='<value>'` with the test's value for NAME."""
    out: list[str] = []
    for line in script.splitlines():
        found = _PLACEHOLDER.match(line)
        if found:
            name = found["name"]
            if name not in values:
                raise AssertionError(f"{where}: no test value for the placeholder {name}=...")
            line = f"{found['head']}='{values[name]}'" + line[found.end() :]
        out.append(line)
    return "\n".join(out) + "\n"


def split_server(script: str) -> tuple[str, str]:
    """A `serves` block: its first command line (the server) and the rest."""
    lines = script.splitlines()
    for n, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            return line, "\n".join(lines[n + 1 :]) + "\n"
    raise AssertionError("a serves block needs a command")


def sql_statements(text: str) -> list[str]:
    """The statements of a SQL block (README SQL has no `;` inside literals)."""
    without_comments = "\n".join(
        line for line in text.splitlines() if not line.strip().startswith("--")
    )
    return [s.strip() for s in without_comments.split(";") if s.strip()]


def read_readme(root: Path) -> str:
    return (root / "README.md").read_text(encoding="utf-8")


def doc_files(root: Path) -> list[str]:
    """The documentation files under `root` in the order they run: those `ORDER` names that
    exist, then every other Markdown file under `docs/`, alphabetically."""
    listed = [name for name in ORDER if (root / name).is_file()]
    others = sorted(
        path.relative_to(root).as_posix()
        for path in (root / "docs").rglob("*.md")
        if path.relative_to(root).as_posix() not in ORDER
    )
    return listed + others


def doc_blocks(root: Path) -> list[tuple[str, list[Block]]]:
    """Each documentation file, in run order, with its blocks."""
    return [
        (name, parse((root / name).read_text(encoding="utf-8"), name)) for name in doc_files(root)
    ]


def page_groups(root: Path, reads_from: dict[str, str] | None = None) -> list[list[str]]:
    """The documentation files in the groups that run apart, each in run order: a page, then the
    pages that read what it made (`READS_FROM`, followed to the page that reads from none); every
    other page alone. Groups come in the run order of their first page. A page read from that
    does not exist, or comes after its reader, is an error, never a page left out."""
    links = READS_FROM if reads_from is None else reads_from
    files = doc_files(root)
    groups: dict[str, list[str]] = {}
    for name in files:
        first = name
        while first in links:
            read = links[first]
            if read not in files or files.index(read) >= files.index(first):
                raise AssertionError(
                    f"{first} reads from {read}, which is not a page that runs before it"
                    " (tests/readme/blocks.py: READS_FROM, ORDER)"
                )
            first = read
        groups.setdefault(first, []).append(name)
    return list(groups.values())
