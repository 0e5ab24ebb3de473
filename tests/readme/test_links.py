"""Every relative link of the README and the docs leads somewhere: the file exists, and an
anchor (`page.md#section`, `#section`) is a heading of that page, as GitHub names it."""

from __future__ import annotations

from pathlib import Path

from tests.readme.blocks import doc_files
from tests.readme.links import anchors, broken, links, slug

REPO = Path(__file__).resolve().parents[2]

# Pages other branches are writing at the same time as the docs split; docs/index.md links them
# already. A link to one of them is accepted while the file is absent; once merged, its links
# and anchors are checked like any other (and the name can leave this set).
PENDING: frozenset[str] = frozenset()


def test_every_relative_link_and_anchor_of_the_docs_resolves() -> None:
    assert broken(REPO, doc_files(REPO), PENDING) == []


def test_the_index_links_every_doc_page() -> None:
    index = REPO / "docs" / "index.md"
    linked = {
        (Path("docs") / link.target.partition("#")[0]).as_posix()
        for link in links(index.read_text(encoding="utf-8"), "docs/index.md")
    }
    pages = {p for p in doc_files(REPO) if p.startswith("docs/") and p != "docs/index.md"}
    assert pages - linked == set(), "docs/index.md should list every page"


def test_anchors_are_named_the_way_github_names_them() -> None:
    assert slug("Many accounts of one vendor: `--account NAME`") == (
        "many-accounts-of-one-vendor---account-name"
    )
    assert slug("Reply.io extract: `sales-tasks extract reply`") == (
        "replyio-extract-sales-tasks-extract-reply"
    )
    assert slug("Errors, progress and exit codes") == "errors-progress-and-exit-codes"
    assert slug("See [the sandbox](sandbox.md)") == "see-the-sandbox"
    text = '# Title\n## Push\n```bash\n# not a heading\n```\n## Push\n<a id="custom"></a>\n'
    assert anchors(text) == {"title", "push", "push-1", "custom"}


def test_broken_links_and_anchors_are_named_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text(
        "# Top\n[ok](docs/a.md#a-section) [gone](docs/b.md) [here](#top) [no](#nowhere)\n"
        "`[in code](docs/c.md)` [web](https://example.com/x.md) [mail](mailto:a@b.c)\n"
        "```\n[in a block](docs/d.md)\n```\n[up](../outside.md) [soon](docs/later.md)\n"
    )
    (tmp_path / "docs" / "a.md").write_text(
        "# A\n## A section\n[back](../README.md#top) [bad](../README.md#bottom)\n"
        "[figures](../bench/x.csv#row) [dir](../docs)\n"
    )
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "x.csv").write_text("a\n")
    found = broken(tmp_path, ["README.md", "docs/a.md"], frozenset({"docs/later.md"}))
    assert found == [
        "README.md line 2: (docs/b.md): no file docs/b.md",
        "README.md line 2: (#nowhere): README.md has no heading #nowhere",
        "README.md line 7: (../outside.md): ../outside.md leaves the repository",
        "docs/a.md line 3: (../README.md#bottom): README.md has no heading #bottom",
        "docs/a.md line 4: (../bench/x.csv#row): an anchor into bench/x.csv, which is not Markdown",
    ]
