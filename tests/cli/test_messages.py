"""`one_line_error`: the cause of a dlt step failure, whole, on one line, without secrets."""

from __future__ import annotations

from pathlib import Path

import dlt
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from sales_tasks.clients.core.errors import PermissionDeniedError
from sales_tasks.pipelines.messages import one_line_error


def _step_failed(tmp_path: Path, step: str, cause: BaseException) -> PipelineStepFailed:
    pipeline = dlt.pipeline(
        pipeline_name="messages_test",
        destination=dlt.destinations.duckdb(str(tmp_path / "m.duckdb")),
        dataset_name="apollo",
        pipelines_dir=str(tmp_path / "p"),
    )
    try:
        try:
            raise cause
        except BaseException as exc:
            raise PipelineStepFailed(pipeline, step, None, exc) from exc  # type: ignore[arg-type]
    except PipelineStepFailed as wrapped:
        return wrapped


def test_a_wrapped_cause_is_shown_whole_never_the_wrapper(tmp_path: Path) -> None:
    cause = OSError("disk full while writing\nthe load package\n\nTraceback (most recent call):")
    assert one_line_error(_step_failed(tmp_path, "load", cause)) == (
        "destination duckdb load failed: OSError: disk full while writing the load package"
        " (rerun with --traceback for details)"
    )


def test_a_vendor_error_inside_dlt_is_shown_as_it_is(tmp_path: Path) -> None:
    cause = PermissionDeniedError("Apollo refused /api/v1/tasks/search (403): use a master key")
    assert one_line_error(_step_failed(tmp_path, "extract", cause)) == (
        "Apollo refused /api/v1/tasks/search (403): use a master key"
    )


def test_passwords_in_urls_and_configured_secrets_never_show(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DESTINATION__SNOWFLAKE__CREDENTIALS__PASSWORD", "pa55-w0rd-xyz")
    monkeypatch.setenv("APOLLO_API_KEY", "apollo-key-123")
    exc = RuntimeError(
        "no route to postgresql://loader:hunter2@db:5432/x with pa55-w0rd-xyz and apollo-key-123"
    )
    assert one_line_error(exc) == (
        "failed: RuntimeError: no route to postgresql://loader:***@db:5432/x with *** and ***"
        " (rerun with --traceback for details)"
    )


def test_a_long_message_ends_at_a_sentence_not_mid_word() -> None:
    text = "The first sentence says what failed. " + "Then detail " * 60 + "ends here."
    line = one_line_error(RuntimeError(text))
    assert line == (
        "failed: RuntimeError: The first sentence says what failed."
        " (rerun with --traceback for details)"
    )
