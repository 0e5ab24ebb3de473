"""No row is dropped silently: against a Saleshandy written from the documented facts
(`sh_spec_vendor`, served on 127.0.0.1), a list item the scan cannot key is counted in
`extract_runs.unreadable`, the run is incomplete and deletes nothing, and `--strict` fails
(exit 3 on the command line)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from sales_tasks.pipelines.exit_codes import EXIT_INCOMPLETE
from sales_tasks.pipelines.extract import IncompleteExtractError
from tests.saleshandy.sh_extract_support import cli, extract, query
from tests.saleshandy.sh_spec_vendor import KEY, SpecVendor, spec_task


def _ids(tmp_path: Path) -> set[str]:
    return {r[0] for r in query(tmp_path, "SELECT id FROM saleshandy.tasks")}


def test_430_tasks_keyed_taskid_all_load_and_an_unkeyed_one_is_counted_not_dropped(
    tmp_path: Path,
) -> None:
    vendor = SpecVendor([spec_task(n) for n in range(430)])
    with vendor.serve() as url:
        account = SimpleNamespace(api_key=KEY, base_url=url)
        first = extract(account, tmp_path)
        assert first.complete and first.rows["tasks"] == 430 and len(_ids(tmp_path)) == 430
        gone = vendor.items.pop(0)["taskId"]  # deleted in Saleshandy
        vendor.items[200] = {k: v for k, v in vendor.items[200].items() if k != "taskId"}
        with pytest.raises(IncompleteExtractError):
            extract(account, tmp_path, strict=True)
        assert gone in _ids(tmp_path)  # nothing deleted on an incomplete run
        (row,) = query(
            tmp_path,
            "SELECT complete, unreadable, removed, warnings FROM saleshandy.extract_runs"
            " ORDER BY started_at DESC LIMIT 1",
        )
        assert row[:3] == (False, 1, None) and "without a taskId or id" in row[3]
        code, out, err = cli(account, tmp_path, "--strict")
        assert code == EXIT_INCOMPLETE, out + err
        assert gone in _ids(tmp_path)
        vendor.items[200]["taskId"] = "T-fixed-001"  # readable again: complete, and removed
        fixed = extract(account, tmp_path)
        assert fixed.complete and fixed.removed == 2 and gone not in _ids(tmp_path)
