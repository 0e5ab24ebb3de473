"""The README and the docs are executable truth: their shell, Python and SQL blocks run here
against the sandbox.

One test per page (or per group of pages, `blocks.page_groups`: a page that reads another page's
files runs after it), block after block, in its own checkout-shaped folder
(tests/readme/runner.py) with its own sandbox, each file in a fresh shell environment, with the
sandbox's base URL in `APOLLO_BASE_URL`, a fake key (which the sandbox accepts) wherever a page
says `export ...=...`, and, for a page whose blocks name PostgreSQL, dlt's PostgreSQL credentials
pointing at the test server, as a person's dlt config would. Which blocks are run, skipped or sample output, and
the marker that says so, are described in tests/readme/blocks.py. A failure names the file and
line of the block.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.sandbox import Sandbox
from tests.readme.blocks import (
    ORDER,
    Block,
    doc_blocks,
    doc_files,
    fill_placeholders,
    page_groups,
    parse,
    problems,
    sql_statements,
)
from tests.readme.givens import GIVENS
from tests.readme.runner import (
    REPORT,
    Outcome,
    Runner,
    base_env,
    make_workspace,
    output_lines,
)

REPO = Path(__file__).resolve().parents[2]


def _blocks() -> list[Block]:
    return [block for _, blocks in doc_blocks(REPO) for block in blocks]


def test_every_code_block_runs_or_says_why_not() -> None:
    blocks = _blocks()
    assert problems(blocks, set(GIVENS)) == []
    kinds = Counter(b.kind for b in blocks)
    assert kinds["shell"] and kinds["python"] and kinds["sql"], kinds


def test_the_readme_and_every_doc_page_run_in_a_known_order() -> None:
    """Every file `ORDER` names exists (a renamed page is renamed there too), the README runs
    first, and no Markdown file under docs/ is left out of the run."""
    assert [name for name in ORDER if not (REPO / name).is_file()] == []
    files = doc_files(REPO)
    assert files[0] == "README.md"
    assert files[: len(ORDER)] == list(ORDER)
    every_doc = {p.relative_to(REPO).as_posix() for p in (REPO / "docs").rglob("*.md")}
    assert every_doc <= set(files)
    assert len(files) == len(set(files))


def test_a_page_the_order_does_not_name_still_runs_after_the_named_ones(tmp_path: Path) -> None:
    (tmp_path / "docs" / "deeper").mkdir(parents=True)
    for name in (
        "README.md",
        "docs/push.md",
        "docs/zz-new.md",
        "docs/aa-new.md",
        "docs/deeper/x.md",
    ):
        (tmp_path / name).write_text("```bash\necho hi\n```\n")
    files = doc_files(tmp_path)
    assert files == [
        "README.md",
        "docs/push.md",
        "docs/aa-new.md",
        "docs/deeper/x.md",
        "docs/zz-new.md",
    ]
    blocks = doc_blocks(tmp_path)
    assert [(name, [b.where for b in found]) for name, found in blocks][2] == (
        "docs/aa-new.md",
        ["docs/aa-new.md line 1 (```bash block)"],
    )


def test_marker_convention_parses_as_documented() -> None:
    text = (
        "<!-- not-run: needs the real API -->\n```bash\ncurl https://api.apollo.io\n```\n"
        "```\nsample output\n```\n"
        "<!-- given: followups -->\n```bash\nexport APOLLO_API_KEY=...   # yours\necho hi\n```\n"
        "```toml\n[x]\n```\n"
        "<!-- serves: 8765 -->\n```sh\nserve --port 8765\n```\n"
        "```sql\n-- a\nSELECT 1;\nSELECT 2\n```\n"
        "<!-- output-of: tool --fail -->\n```\nerror: it failed\n```\n"
    )
    blocks = parse(text)
    assert [(b.line, b.kind) for b in blocks] == [
        (2, "not-run"),
        (5, "output"),
        (9, "shell"),
        (13, "unknown"),
        (17, "shell"),
        (20, "sql"),
        (26, "output-of"),
    ]
    assert blocks[0].markers == {"not-run": "needs the real API"}
    assert blocks[4].markers == {"serves": "8765"}
    assert blocks[6].markers == {"output-of": "tool --fail"}
    assert problems(blocks, {"followups"}) == [
        "README.md line 13 (```toml block): no runner for ```toml; add <!-- not-run: reason -->"
    ]
    assert problems(blocks, set())[0].startswith("README.md line 9 (```bash block): unknown given")
    assert fill_placeholders(blocks[2].text, {"APOLLO_API_KEY": "k"}, "here") == (
        "export APOLLO_API_KEY='k'   # yours\necho hi\n"
    )
    with pytest.raises(AssertionError, match="here: no test value for the placeholder"):
        fill_placeholders(blocks[2].text, {}, "here")
    assert sql_statements(blocks[5].text) == ["SELECT 1", "SELECT 2"]


def test_sample_output_is_compared_line_for_line_with_only_variable_parts_normalised() -> None:
    printed = (
        "error: another run is going (pid 4242 since 2026-12-01T21:00:00Z; pipeline"
        " apollo_extract_api_3f2a9c1b0e44) at http://127.0.0.1:38211 after 1.5s  \n\n"
    )
    sample = (
        "error: another run is going (pid 7 since 2025-01-02T03:04:05Z; pipeline"
        " apollo_extract_api_0123456789ab) at http://127.0.0.1:8765 after 12s\n"
    )
    assert output_lines(printed) == output_lines(sample) != []
    # A stale sample line that is only part of what is printed no longer passes.
    assert output_lines("choose one of apollo, saleshandy") != output_lines(
        "choose one of apollo, saleshandy, reply"
    )
    assert output_lines("one\ntwo") != output_lines("one\ntwo\nthree")


def test_pages_that_read_another_pages_files_run_after_it_in_one_group(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for name in ("README.md", "docs/push.md", "docs/unified.md", "docs/zz.md"):
        (tmp_path / name).write_text("```bash\necho hi\n```\n")
    reads = {"docs/zz.md": "docs/unified.md", "docs/unified.md": "README.md"}
    assert page_groups(tmp_path, reads) == [
        ["README.md", "docs/unified.md", "docs/zz.md"],
        ["docs/push.md"],
    ]
    assert page_groups(tmp_path, {}) == [[name] for name in doc_files(tmp_path)]
    with pytest.raises(AssertionError, match="README.md reads from docs/push.md, which is not"):
        page_groups(tmp_path, {"README.md": "docs/push.md"})
    with pytest.raises(AssertionError, match="docs/push.md reads from docs/gone.md"):
        page_groups(tmp_path, {"docs/push.md": "docs/gone.md"})
    # This repository's groups: every page in exactly one, each group in the run order.
    files = doc_files(REPO)
    groups = page_groups(REPO)
    assert sorted(name for group in groups for name in group) == sorted(files)
    assert all(group == sorted(group, key=files.index) for group in groups)
    assert ["README.md", "docs/unified.md"] in groups


def _runs(block: Block) -> bool:
    return block.kind not in ("not-run", "output")


def _group_params() -> list[Any]:
    """One test per group of pages (`blocks.page_groups`) with a block to run; a group whose
    blocks name PostgreSQL gets the session's server (and the marker)."""
    params = []
    for group in page_groups(REPO):
        blocks = [b for name in group for b in parse((REPO / name).read_text("utf-8"), name)]
        if not any(_runs(b) for b in blocks):
            continue  # only not-run blocks (their reasons checked above) and sample output
        needs_postgres = any("postgres" in b.text for b in blocks if _runs(b))
        marks = [pytest.mark.postgres] if needs_postgres else []
        ident = "+".join(name.removesuffix(".md").replace("/", "-") for name in group)
        params.append(pytest.param(group, marks=marks, id=ident))
    return params


# No time limit of its own: every block has one (runner.BLOCK_TIMEOUT_S), so a hang still ends,
# and a loaded machine only makes the walk slower.
@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.timeout(0)
@pytest.mark.parametrize("group", _group_params())
def test_doc_blocks_run_against_the_sandbox(
    group: list[str],
    make_sandbox: Callable[..., Sandbox],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """The group's pages, block after block, in one checkout-shaped folder with its own sandbox:
    each page in a new terminal of that folder."""
    fake_key = f"readme-fake-key-{secrets.token_hex(8)}"
    sandbox = make_sandbox(tasks=2_000, master_keys=[fake_key])
    workspace = make_workspace(REPO, tmp_path)
    settings = {"APOLLO_BASE_URL": sandbox.base_url}
    if request.node.get_closest_marker("postgres"):
        settings["DESTINATION__POSTGRES__CREDENTIALS"] = request.getfixturevalue("postgres_url")
    env = base_env(tmp_path, settings)
    placeholders = dict.fromkeys(
        ("APOLLO_API_KEY", "SOURCES__APOLLO__API_KEY", "DESTINATION__APOLLO_TASKS__API_KEY"),
        fake_key,
    )
    runner = Runner(workspace, tmp_path, env, placeholders)
    files = [(name, parse((REPO / name).read_text("utf-8"), name)) for name in group]
    report = request.config.stash.setdefault(REPORT, [])
    lines: list[str] = []
    outcomes: list[Outcome] = []
    for _, found in files:
        runner.new_terminal(env)  # each page starts in a new terminal of the same checkout
        for block in found:
            if block.kind == "not-run":
                lines.append(f"  not run  {block.source}:{block.line}: {block.markers['not-run']}")
                continue
            if block.kind == "output":
                continue
            if "given" in block.markers:
                GIVENS[block.markers["given"]](workspace)
            outcome = runner.run(block)
            outcomes.append(outcome)
            what = "sample output, checked" if block.kind == "output-of" else block.lang
            lines.append(f"  ran      {block.source}:{block.line} ({what}, {outcome.seconds:.1f}s)")
            for stream in (outcome.stdout, outcome.stderr):
                assert fake_key not in stream, f"{block.where} printed the API key"
    counts = Counter(b.kind for _, found in files for b in found)
    report.append(
        f"{' + '.join(group)}: {len(outcomes)} ran, {counts['not-run']} marked not-run,"
        f" {counts['output']} sample output (not code)"
    )
    report.extend(lines)
    assert outcomes, "no documentation block ran"

    # What the blocks were for, checked once the group ran.
    for name in group:
        if name in AFTERWARDS:
            AFTERWARDS[name](workspace, sandbox, outcomes)
    for outcome in outcomes:  # a page that starts Apollo's sandbox tells people its URL
        if outcome.banner and "(APOLLO_BASE_URL)" in outcome.banner:
            _assert_banner_matches_the_page(outcome.banner, outcome.block.source)


def _after_the_readme(workspace: Path, sandbox: Sandbox, outcomes: list[Outcome]) -> None:
    assert (workspace / "apollo_demo.duckdb").exists(), (
        "`make demo` should write apollo_demo.duckdb"
    )
    assert (workspace / "apollo_tasks.duckdb").exists(), "`apollo-tasks extract` writes here"
    created = [r for r in sandbox.requests("/api/v1/tasks/bulk_create") if r["method"] == "POST"]
    assert created, "the README's push should have created tasks in the sandbox"


def _after_apollo(workspace: Path, sandbox: Sandbox, outcomes: list[Outcome]) -> None:
    # Other vendors' sandbox sections serve their own emulators; this checks Apollo's.
    banners = [o.banner for o in outcomes if o.banner and "(APOLLO_BASE_URL)" in o.banner]
    assert banners, "docs/apollo.md's sandbox block should have started a sandbox"


# Checks after a group that holds the page: what its blocks were for.
AFTERWARDS: dict[str, Callable[[Path, Sandbox, list[Outcome]], None]] = {
    "README.md": _after_the_readme,
    "docs/apollo.md": _after_apollo,
}


def _assert_banner_matches_the_page(banner: str, source: str) -> None:
    """The base URL the page that starts the sandbox tells people to set is the one the sandbox
    banner prints."""
    page = (REPO / source).read_text(encoding="utf-8")
    var = re.search(r"\((\w+_BASE_URL)\)", banner)
    assert var, banner
    name = var[1]
    said = re.search(name + r"=http://127\.0\.0\.1:(\d+)(\S*?)[`\s]", page)
    assert said, f"{source} should say how to point the product at the sandbox ({name})"
    port = re.search(r"listening on http://127\.0\.0\.1:(\d+)", banner)
    assert port, banner
    expected = f"http://127.0.0.1:{port[1]}{said[2]}"
    assert f"({name}): {expected}\n" in banner, (
        f"{source} says {name}=http://127.0.0.1:{said[1]}{said[2]}; the banner says:\n{banner}"
    )
