"""Job identity: what a job reads and writes decides its pipeline name; the key never does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.pipelines.jobs import (
    JobBusyError,
    JobIdentity,
    JobLock,
    extract_identity,
    locks_dir,
    pipeline_name_for,
    push_identity,
)

BASE = "https://api.apollo.io"


def _identity(**changes: str) -> JobIdentity:
    args = {
        "vendor": "apollo",
        "base_url": BASE,
        "destination": "duckdb",
        "location": "duckdb:////data/a.duckdb",
        "dataset": "apollo",
        **changes,
    }
    return extract_identity(**args)  # type: ignore[arg-type]


def _extract(**changes: str) -> str:
    return _identity(**changes).pipeline_name


def test_every_part_of_an_extract_job_changes_its_name_only_where_two_would_collide(
    tmp_path: Path,
) -> None:
    jobs = [
        _identity(),
        _identity(base_url="http://127.0.0.1:8765"),
        _identity(location="duckdb:////data/b.duckdb"),
        _identity(destination="postgres", location="postgresql://u@db:5432/x"),
        _identity(dataset="apollo_eu"),
        _identity(vendor="reply"),
    ]
    assert len({job.digest for job in jobs}) == 6  # six jobs: six locks
    folder = str(tmp_path / "pipelines")
    os.makedirs(folder)  # as dlt makes it on the first run
    names = [pipeline_name_for(job, folder) for job in jobs]
    assert len(set(names)) == 6  # never two jobs in one working folder
    # readable where nothing collides; what differs where the same account goes elsewhere
    assert names[0] == "sales_tasks_apollo_api_apollo_io"
    assert names[1] == "sales_tasks_apollo_127_0_0_1_8765"
    assert names[5] == "sales_tasks_reply_api_apollo_io"
    assert names[2] == "sales_tasks_apollo_api_apollo_io_duckdb_b_apollo"
    assert names[3] == "sales_tasks_apollo_api_apollo_io_postgres_x_apollo"
    assert names[4] == "sales_tasks_apollo_api_apollo_io_duckdb_a_apollo_eu"
    # each job keeps its name from run to run, whatever order they run in
    assert [pipeline_name_for(job, folder) for job in reversed(jobs)] == names[::-1]
    # another pipelines folder is another namespace: the readable name is free there
    assert pipeline_name_for(jobs[2], str(tmp_path / "other")) == names[0]
    # a pipelines folder that is gone (a scheduler's fresh one per run) holds no name
    (tmp_path / "other").mkdir()
    assert pipeline_name_for(jobs[3], str(tmp_path / "other")) == names[3]  # jobs[2] holds [0]
    (tmp_path / "other").rmdir()
    assert pipeline_name_for(jobs[0], str(tmp_path / "third")) == names[0]
    registry = (Path(locks_dir()) / "pipeline-names.json").read_text()
    assert str(tmp_path / "other") not in registry and str(tmp_path / "pipelines") in registry


def test_a_working_folder_under_the_older_digest_name_is_adopted(tmp_path: Path) -> None:
    job = _identity()
    folder = tmp_path / "pipelines"
    legacy = folder / job.legacy_pipeline_name
    legacy.mkdir(parents=True)
    (legacy / "state.json").write_text(json.dumps({"pipeline_name": job.legacy_pipeline_name}))
    (legacy / "load").mkdir()
    name = pipeline_name_for(job, str(folder))
    assert name == "sales_tasks_apollo_api_apollo_io"
    assert sorted(p.name for p in folder.iterdir()) == [name]
    assert (folder / name / "load").is_dir()
    assert (
        '"pipeline_name": "sales_tasks_apollo_api_apollo_io"'
        in (folder / name / "state.json").read_text()
    )


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

    assert name("duckdb:///a", "apollo_push") == "sales_tasks_apollo_api_apollo_io_push"

    def digest(url: str, schema: str) -> str:
        return push_identity(
            vendor="apollo", base_url=BASE, warehouse_url=url, ledger_schema=schema
        ).digest

    assert len({digest("duckdb:///a", "apollo_push"), digest("duckdb:///b", "apollo_push"),
                digest("duckdb:///a", "other")}) == 3  # fmt: skip


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


_PART = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=80
)


@settings(max_examples=200, deadline=None)
@given(
    vendor=st.sampled_from(["apollo", "saleshandy", "reply", "a_much_longer_vendor_name"]),
    host=st.from_regex(r"[a-z0-9-]{0,60}", fullmatch=True),
    place=_PART,
    dataset=_PART,
    account=_PART,
)
def test_every_name_a_job_may_take_is_a_schema_name_dlt_accepts(
    vendor: str, host: str, place: str, dataset: str, account: str
) -> None:
    """dlt names the source schema after the pipeline and refuses one over 64 characters (the
    docs' second dataset on one sandbox port made a 67-character name and exited 1 after the
    read). Every candidate is a valid schema name."""
    from dlt.common.schema import Schema

    identity = extract_identity(
        vendor=vendor,
        base_url=f"https://{host or 'h'}.example",
        destination="duckdb",
        location=f"/data/{place or 'p'}.duckdb",
        dataset=dataset or "d",
        account=account or None,
    )
    for name in identity.candidate_names():
        assert len(name) <= 64, name
        Schema(name)  # raises InvalidSchemaName otherwise


def test_a_name_longer_than_dlt_accepts_keeps_its_start_and_ends_in_the_digest(
    tmp_path: Path,
) -> None:
    """dlt refuses pipeline names past 64 characters: `extract apollo --dataset apollo_plain`
    after the same account's run into `apollo` (the docs' own steps on a local sandbox) was
    refused with InvalidSchemaName. Every candidate fits, stays distinct, and is kept."""
    local = "http://127.0.0.1:46017"
    file = "duckdb:////work/apollo_tasks.duckdb"  # the extract's default file
    first = _identity(base_url=local, location=file)
    second = _identity(base_url=local, location=file, dataset="apollo_plain")
    long = _identity(base_url=local, dataset="x" * 60, account="a-very-long-agency-name" * 3)
    longer = _identity(base_url=local, dataset="x" * 61, account="a-very-long-agency-name" * 3)
    jobs = (first, second, long, longer)
    folder = str(tmp_path / "pipelines")
    os.makedirs(folder)
    names = [pipeline_name_for(job, folder) for job in jobs]
    assert names[0] == "sales_tasks_apollo_127_0_0_1_46017"
    assert names[1] == f"sales_tasks_apollo_127_0_0_1_46017_duckdb_apollo_ta_{second.digest}"
    assert names[3].endswith(longer.digest)  # two long names alike to the cut differ by digest
    assert len(set(names)) == 4
    for job in jobs:
        assert all(len(n) <= 64 for n in job.candidate_names()), job.candidate_names()
    assert [pipeline_name_for(job, folder) for job in jobs] == names
    push = push_identity(
        vendor="saleshandy",
        base_url=local,
        warehouse_url="duckdb:////w.duckdb",
        ledger_schema="s" * 50,
    )
    assert all(len(n) <= 64 for n in push.candidate_names())
