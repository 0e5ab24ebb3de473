"""Relative links between the README and the docs, and the anchors they point at, read the way
GitHub renders Markdown: a heading's anchor is its text lower-cased, without punctuation (but
`-` and `_`), spaces turned into `-`, and `-1`, `-2`, ... added to repeats; text in fenced
blocks and code spans is not a link or a heading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<target>[^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"(?P<id>[^\"]+)\"", re.IGNORECASE)
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    source: str  # the file holding the link, from the repository root
    line: int
    target: str  # as written

    @property
    def where(self) -> str:
        return f"{self.source} line {self.line}: ({self.target})"


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced blocks, 1-based, with code spans blanked out."""
    out: list[tuple[int, str]] = []
    fence = ""
    for number, line in enumerate(text.splitlines(), start=1):
        found = _FENCE.match(line)
        if fence:
            closing = found and found["fence"][0] == fence[0] and len(found["fence"]) >= len(fence)
            if closing and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if found:
            fence = found["fence"]
            continue
        out.append((number, _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown text defines: its headings' (repeats numbered) and HTML ones."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    raw = text.splitlines()
    for number, _ in prose_lines(text):
        line = raw[number - 1]  # the heading's own text, code spans included
        heading = _HEADING.match(line)
        if heading:
            base = slug(heading["text"])
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(m["id"] for m in _HTML_ANCHOR.finditer(line))
    return found


def links(text: str, source: str) -> list[Link]:
    """The relative links (and same-page anchors) of a Markdown text; external ones left out."""
    out: list[Link] = []
    for number, line in prose_lines(text):
        for found in _LINK.finditer(line):
            target = found["target"]
            if target and not _EXTERNAL.match(target):
                out.append(Link(source, number, target))
    return out


def broken(root: Path, files: list[str], pending: frozenset[str] = frozenset()) -> list[str]:
    """Every link of `files` (paths from `root`) whose file or anchor does not exist, one line
    each. A link to a file in `pending` (from the root) is accepted while that file is absent."""
    problems: list[str] = []
    cache: dict[Path, set[str]] = {}
    for name in files:
        for link in links((root / name).read_text(encoding="utf-8"), name):
            path_part, _, anchor = link.target.partition("#")
            try:
                key = _normalise(PurePosixPath(name).parent / path_part).as_posix()
            except ValueError as exc:
                problems.append(f"{link.where}: {exc}")
                continue
            key = key if path_part else name
            target = root / key
            if not target.exists():
                if key not in pending:
                    problems.append(f"{link.where}: no file {key}")
                continue
            if not anchor:
                continue
            if target.suffix.lower() != ".md" or target.is_dir():
                problems.append(f"{link.where}: an anchor into {key}, which is not Markdown")
                continue
            if target not in cache:
                cache[target] = anchors(target.read_text(encoding="utf-8"))
            if anchor not in cache[target]:
                problems.append(f"{link.where}: {key} has no heading #{anchor}")
    return problems


def _normalise(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                raise ValueError(f"{path} leaves the repository")
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)
