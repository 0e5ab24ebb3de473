"""Which layer each test belongs to: `unit`, `contract` or `e2e`, decided by its file.

- `unit`: no sockets and no servers (a unit test that opens a TCP connection or binds a port
  fails, see `tests/conftest.py`); fakes, `httpx.MockTransport`, DuckDB files in tmp.
- `contract`: a sandbox's HTTP contract (its answers to the requests a vendor client sends) and
  the clients' parsing of vendor answers; real HTTP to a sandbox on 127.0.0.1, no warehouse.
- `e2e`: extracts and pushes over HTTP into DuckDB / PostgreSQL, CLI subprocesses, notebooks,
  orchestrators, the README's blocks.

`LAYERS` is the one table: the first pattern (`fnmatch`, on the path from the repository root)
that matches a test's file gives its layer; a file no pattern names is `e2e`, so a new folder
lands in the full run until it is placed here. A test (or module, via `pytestmark`) that carries
one of the three markers itself keeps it. `make test-fast` runs `unit or contract` without
PostgreSQL.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

LAYER_NAMES = ("unit", "contract", "e2e")

LAYERS: tuple[tuple[str, str], ...] = (
    # unit: pure logic, fakes, MockTransport, DuckDB files
    ("tests/unit/*", "unit"),
    ("tests/sink/test_contract.py", "unit"),
    ("tests/sink/test_planner.py", "unit"),
    ("tests/sink/test_core_is_vendor_neutral.py", "unit"),
    ("tests/source/test_pure_logic.py", "unit"),
    ("tests/saleshandy/test_sh_extract_units.py", "unit"),
    ("tests/saleshandy/test_sh_push_units.py", "unit"),
    ("tests/reply/test_reply_extract_rows.py", "unit"),
    ("tests/readme/*", "unit"),  # the block parser; the run over the sandbox is marked e2e
    # contract: a sandbox's answers, a client's parsing, over HTTP to 127.0.0.1
    ("tests/sandbox/test_sandbox_traffic.py", "e2e"),  # extracts into DuckDB
    ("tests/sandbox/*", "contract"),
    ("tests/reply/test_reply_sandbox_*", "contract"),
    ("tests/saleshandy/test_sh_sandbox_*", "contract"),
    ("tests/reply/test_reply_extract_client.py", "contract"),
    ("tests/*/test_*spec_contract.py", "contract"),  # one test per documented vendor fact
    ("tests/mirror/test_*sandbox*", "contract"),
    ("tests/*/test_*_changes_vendor.py", "contract"),  # a ChangeVendor against its sandbox
    ("tests/*/test_*_sandbox_changes.py", "contract"),  # a sandbox's task lifecycle calls
    # the standard kit every vendor passes: extracts and pushes into DuckDB over HTTP
    ("tests/kit/*", "e2e"),
    ("tests/incremental/*", "e2e"),  # incremental vs full scans over HTTP into DuckDB
    ("tests/lifecycle/*", "e2e"),  # upsert / mirror pushes over HTTP into DuckDB / PostgreSQL
    # everything else: extract / push into warehouses, CLI subprocesses, notebook, README
    ("tests/packaging/*", "e2e"),  # builds the wheel, installs it into a fresh environment
    ("tests/*", "e2e"),
)


def layer_of(relpath: str) -> str:
    """The layer of the test file at `relpath` (POSIX, from the repository root)."""
    for pattern, layer in LAYERS:
        if fnmatchcase(relpath, pattern):
            return layer
    return "e2e"
