"""One budget per vendor key, shared by runs of different accounts (`sales_tasks.sources.core.budget`):
two runs on one key whose calls together exceed the quota never both start. The second, started
while the first holds its reservation, refuses before its first call, with the numbers.

Reply is the vendor here because its check comes before any call (its estimate is the last run's
calls; VENDOR-SPECS 1.1-1.3, `sales_tasks.sources.reply.quota`). The interleaving is exact, not
timed: the test wraps the ledger's `reserve` so that, the moment run A's reservation is taken, run
B starts as a separate `sales-tasks` process on the same key and ledger folder, and A goes on
only when B has ended.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.pipelines.exit_codes import EXIT_QUOTA
from sales_tasks.sources.core import budget as budget_module
from sales_tasks.sources.core.budget import QuotaBudget, key_digest
from tests.reply.test_reply_extract_e2e import extract

FAST_SANDBOX = {"rate_limits": {"minute": 10**6, "hour": 10**7}}


def limits(hour: int) -> str:
    return f"1000000/60,{hour}/3600"


def cli_b(sb: Any, tmp_path: Path, rate_limits: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(REPLY_API_KEY=sb.api_key, SOURCES__REPLY__RATE_LIMITS=rate_limits)
    return subprocess.run(
        [str(Path(sys.executable).parent / "sales-tasks"), "extract", "reply", "--base-url",
         sb.base_url, "--top", "100", "--duckdb-path", str(tmp_path / "b" / "tasks.duckdb"),
         "--pipelines-dir", str(tmp_path / "pipelines")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def calls(sb: Any) -> int:
    return len([r for r in sb.requests() if r["path"].startswith("/v3/")])


def test_two_runs_on_one_key_whose_sum_exceeds_the_quota(
    make_reply_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = make_reply_sandbox(**FAST_SANDBOX)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    common = {"pipelines_dir": str(tmp_path / "pipelines"), "top": 100}
    # Each account's first run gives its estimate (its calls): u each, 2u spent this hour.
    used = extract(sb, a, rate_limits=limits(10**6), **common).requests
    assert extract(sb, b, rate_limits=limits(10**6), **common).requests == used
    # 4u - 1 an hour: 2u - 1 left, enough for one run of u, not for two.
    hour = 4 * used - 1
    outcome: dict[str, Any] = {}
    reserve = QuotaBudget.reserve

    def reserve_then_start_b(self: QuotaBudget, run_id: str, *args: Any, **kw: Any) -> Any:
        held = reserve(self, run_id, *args, **kw)
        if held.taken and "b" not in outcome:  # run A holds its reservation now
            before = calls(sb)
            outcome["b"] = cli_b(sb, tmp_path, limits(hour))
            outcome["b_calls"] = calls(sb) - before
        return held

    monkeypatch.setattr(budget_module.QuotaBudget, "reserve", reserve_then_start_b)
    summary_a = extract(sb, a, rate_limits=limits(hour), **common)
    assert summary_a.complete and summary_a.calls_estimated == used
    proc = outcome["b"]
    assert proc.returncode == EXIT_QUOTA, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Reply run refused"), lines
    assert (
        f"needs about {used} calls, but Reply's quota has {2 * used - 1} left ({used} reserved"
        " by 1 other run(s) on the same key)" in lines[0]
    )
    assert outcome["b_calls"] == 0  # B refused before its first call
    # The ledger names the key by a digest only, and A's reservation ended with A.
    ledger = tmp_path / "quota-budgets"
    files = sorted(p.name for p in ledger.iterdir())
    assert f"{key_digest('reply', sb.api_key)}.json" in files
    assert all(sb.api_key not in (ledger / f).read_text() for f in files)
    state = QuotaBudget(str(ledger), "reply", sb.api_key, "-")
    assert state.calls_since(3600) == 3 * used  # A twice, B once; B's refusal spent nothing


def test_a_reservation_of_a_process_that_is_gone_is_dropped(tmp_path: Path) -> None:
    """A killed run never blocks the key: its reservation goes with its process."""
    folder = str(tmp_path / "ledger")
    budget = QuotaBudget(folder, "vendor", "key", "job")
    assert budget.reserve("dead-run", 10, 10, force=False).taken
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    text = Path(budget.path).read_text().replace(str(os.getpid()), proc.stdout.strip())
    Path(budget.path).write_text(text)
    held = budget.reserve("next-run", 10, 10, force=False)
    assert held.taken and held.others_runs == 0


def test_reservations_add_up_and_release_frees_them(tmp_path: Path) -> None:
    folder = str(tmp_path / "ledger")
    first = QuotaBudget(folder, "vendor", "key", "job-a")
    second = QuotaBudget(folder, "vendor", "key", "job-b")
    other_key = QuotaBudget(folder, "vendor", "another key", "job-c")
    assert first.reserve("a", 6, 10, force=False).taken
    refused = second.reserve("b", 6, 10, force=False)
    assert not refused.taken and (refused.others_calls, refused.others_runs) == (6, 1)
    assert other_key.reserve("c", 6, 10, force=False).taken  # another key, another budget
    assert second.reserve("b", 6, 10, force=True).taken  # --use-remaining-quota
    first.release("a", calls=5, full_scan=True, finished=True)
    second.release("b", calls=0, full_scan=True, finished=False)
    assert second.reserve("b2", 6, 10, force=False).taken
    assert first.last_calls(True) == 5 and first.last_calls(False) is None
    assert second.last_calls(True) is None and first.calls_since(3600) == 5


def test_a_ledger_that_cannot_be_written_never_fails_a_run(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    budget = QuotaBudget(str(blocker / "ledger"), "vendor", "key", "job")
    assert budget.reserve("a", 10, 5, force=False).taken
    assert budget.calls_since(3600) == 0 and budget.last_calls(True) is None
    budget.release("a", calls=3, full_scan=True, finished=True)
    assert budget.problem is not None and "key" not in budget.problem.split(":")[0]
