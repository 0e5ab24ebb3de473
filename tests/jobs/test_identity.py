"""Job identity: what a job reads and writes decides its pipeline name; the key never does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.jobs import (
    JobBusyError,
    JobLock,
    extract_identity,
    locks_dir,
    push_identity,
)

BASE = "https://api.apollo.io"


def _extract(**changes: str) -> str:
    args = {
        "vendor": "apollo",
        "base_url": BASE,
        "destination": "duckdb",
        "location": "duckdb:////data/a.duckdb",
        "dataset": "apollo",
        **changes,
    }
    return extract_identity(**args).pipeline_name  # type: ignore[arg-type]


def test_every_part_of_an_extract_job_changes_its_name() -> None:
    names = {
        _extract(),
        _extract(base_url="http://127.0.0.1:8765"),
        _extract(location="duckdb:////data/b.duckdb"),
        _extract(destination="postgres", location="postgresql://u@db:5432/x"),
        _extract(dataset="apollo_eu"),
        _extract(vendor="reply"),
    }
    assert len(names) == 6
    assert _extract().startswith("apollo_extract_api_apollo_io_")


def test_spelling_of_a_base_url_and_a_password_do_not_make_another_job() -> None:
    assert _extract(base_url="HTTPS://API.Apollo.io/") == _extract()
    a = push_identity(
        vendor="apollo",
        base_url=BASE,
        warehouse_url="postgresql://loader:first-secret@db:5432/dw",
        ledger_schema="apollo_push",
    )
    b = push_identity(
        vendor="apollo",
        base_url=BASE,
        warehouse_url="postgresql://loader:other-secret@db:5432/dw",
        ledger_schema="apollo_push",
    )
    assert a == b
    assert "secret" not in a.pipeline_name + a.describe() + a.target


def test_push_jobs_differ_by_warehouse_and_ledger_schema() -> None:
    def name(url: str, schema: str) -> str:
        return push_identity(
            vendor="apollo", base_url=BASE, warehouse_url=url, ledger_schema=schema
        ).pipeline_name

    assert len({name("duckdb:///a", "apollo_push"), name("duckdb:///b", "apollo_push"),
                name("duckdb:///a", "other")}) == 3  # fmt: skip


def test_lock_refuses_a_second_holder_with_one_line_and_is_free_after_release(
    tmp_path: Path,
) -> None:
    identity = extract_identity(
        vendor="apollo", base_url=BASE, destination="duckdb", location=None, dataset="apollo"
    )
    first = JobLock(identity, str(tmp_path / "wd")).acquire()
    try:
        with pytest.raises(JobBusyError) as caught:
            JobLock(identity, str(tmp_path / "other-wd"), wait_seconds=0.3).acquire()
        message = str(caught.value)
        assert "\n" not in message
        assert f"pid {os.getpid()}" in message and "after waiting 0.3s" in message
        assert caught.value.exit_code == 75
        # the same working folder under another job name is refused too
        other = extract_identity(
            vendor="apollo", base_url=BASE, destination="duckdb", location=None, dataset="x"
        )
        with pytest.raises(JobBusyError):
            JobLock(other, str(tmp_path / "wd")).acquire()
    finally:
        first.release()
    JobLock(identity, str(tmp_path / "wd")).acquire().release()


def test_locks_live_in_the_dlt_data_dir_of_this_test_session() -> None:
    assert locks_dir().startswith(os.environ["DLT_DATA_DIR"])
