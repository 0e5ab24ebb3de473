"""Saleshandy push, pure pieces: results mapped by prospectId, size refusals, due dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_tasks.clients.core.errors import BadRequestError
from sales_tasks.clients.saleshandy.enums import PRIORITIES, TASK_TYPES
from sales_tasks.destinations.core.contract import validate_row
from sales_tasks.destinations.saleshandy.rules import LATEST_DUE, due_date_parser, saleshandy_rules
from sales_tasks.destinations.saleshandy.settings import SaleshandySettingError, push_settings
from sales_tasks.destinations.saleshandy.vendor import map_results, size_limit_of

BERLIN = ZoneInfo("Europe/Berlin")


def _rows(*prospects: str) -> list[Any]:
    return [{"request_id": f"r-{p}", "contact_id": p} for p in prospects]


def _answer(*results: dict[str, Any]) -> dict[str, Any]:
    return {"message": "Task created successfully", "payload": {"results": list(results)}}


def test_results_map_by_prospect_id_not_position() -> None:
    outcome = map_results(
        _rows("a", "b", "c", "d"),
        _answer(
            {"prospectId": "c", "taskId": "T3", "success": True},
            {"prospectId": "a", "taskId": "T1", "success": True},
            {"prospectId": "b", "taskId": None, "success": False, "message": "no such prospect"},
        ),
    )
    assert outcome.created == {"r-a": "T1", "r-c": "T3"}
    assert list(outcome.rejected) == ["r-b"] and "no such prospect" in outcome.rejected["r-b"]
    assert list(outcome.unknown) == ["r-d"]  # missing from the results: reconciled, not assumed


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"payload": None},
        {"payload": {"results": "x"}},
        _answer({"prospectId": "a", "taskId": "", "success": True}),
        _answer({"prospectId": "a", "taskId": "T1"}),
        _answer(
            {"prospectId": "a", "taskId": "T1", "success": True},
            {"prospectId": "a", "taskId": "T2", "success": True},
        ),
    ],
)
def test_answers_that_do_not_say_what_happened_are_unknown(body: Any) -> None:
    outcome = map_results(_rows("a"), body)
    assert list(outcome.unknown) == ["r-a"] and not outcome.created and not outcome.rejected


@pytest.mark.parametrize(
    ("status", "text", "sent", "limit"),
    [
        (400, "prospectIds must contain at most 50 items", 100, 50),
        (400, "Too many prospects in one request", 100, 50),
        (422, "maximum of 25 prospects exceeded", 60, 25),
        (413, "Payload Too Large", 9, 4),
        (400, "limit is 500 prospects", 100, 50),  # a number above what was sent says nothing
        (400, "taskType is invalid", 100, None),
    ],
)
def test_size_refusals_are_read_and_others_are_not(
    status: int, text: str, sent: int, limit: int | None
) -> None:
    exc = BadRequestError(f"refused ({status}): {text}", status=status, vendor_message=text)
    assert size_limit_of(exc, sent) == limit


def test_due_dates_in_the_time_zone() -> None:
    parse = due_date_parser(BERLIN)
    assert parse("2026-04-22") == ("2026-04-22", False)
    assert parse(date(2026, 4, 22)) == ("2026-04-22", False)
    # 23:30 UTC is already the next day in Berlin (summer time, +02:00).
    assert parse("2026-04-22T23:30:00Z") == ("2026-04-23", True)
    assert parse(datetime(2026, 4, 22, 23, 30, tzinfo=UTC)) == ("2026-04-23", True)
    # A naive timestamp is wall time in the zone: its own date.
    assert parse("2026-04-22T23:30:00") == ("2026-04-22", True)
    assert parse(datetime(2026, 4, 22, 0, 30)) == ("2026-04-22", True)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("tomorrow", "not a date"),
        ("2026-13-01", "not a date"),
        ("infinity", "not a finite date"),
        ("1969-12-31", "outside"),
        ("2100-01-01", "outside"),
        ("9999-12-31T23:59:59-14:00", "outside"),
    ],
)
def test_bad_due_dates_say_why(value: str, said: str) -> None:
    with pytest.raises(ValueError, match=said) as caught:
        due_date_parser(BERLIN)(value)
    assert "due_date" in str(caught.value) and "\n" not in str(caught.value)


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2099, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=13))]
        ),
    ),
    st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Kiritimati", "America/Los_Angeles"]),
)
def test_any_timestamp_is_its_date_in_the_zone(moment: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    expected = moment.astimezone(zone).date()
    for value in (moment, moment.isoformat()):
        day, converted = due_date_parser(zone)(value)
        assert converted and day == expected.isoformat()


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_one_line_rejection(text: str) -> None:
    try:
        day, _ = due_date_parser(BERLIN)(text)
    except ValueError as exc:
        assert "due_date" in str(exc) and "\n" not in str(exc)
    else:
        assert date.fromisoformat(day) <= LATEST_DUE


SALESHANDY_RULES = saleshandy_rules(BERLIN)
VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["13", " 2 ", "call", "Call Follow-up", "email", "urgent", "none", "9", "1"]),
    st.integers(-5, 25),
    st.booleans(),
    st.floats(allow_nan=True),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC])),
)


@given(
    st.fixed_dictionaries(
        {"request_id": st.just("r"), "prospect_id": st.sampled_from([None, "p1", 7])},
        optional={
            "task_type": VALUES,
            "priority": VALUES,
            "due_date": VALUES,
            "task_note": VALUES,
            "status": VALUES,
            "prospect_email": VALUES,
        },
    )
)
def test_any_row_is_a_valid_task_or_one_line_rejection(raw: dict[str, Any]) -> None:
    result = validate_row(raw, SALESHANDY_RULES, row=1)
    if result.task is None:
        assert result.reason and "\n" not in result.reason and len(result.reason) < 400
        return
    task = result.task
    assert task["type"] in TASK_TYPES and task["status"] == "open"
    assert task["priority"] is None or task["priority"] in PRIORITIES
    assert task["due_at"] is not None and date.fromisoformat(task["due_at"])
    assert task["contact_id"] or task["contact_email"]


def test_settings_from_short_env_and_dlt_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESHANDY_API_KEY", "short-key")
    monkeypatch.setenv("SALESHANDY_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("DESTINATION__SALESHANDY_TASKS__TIME_ZONE", "Asia/Tokyo")
    monkeypatch.setenv("DESTINATION__SALESHANDY_TASKS__MAX_PROSPECTS_PER_CALL", "40")
    settings = push_settings()
    assert str(settings.api_key) == "short-key" and settings.base_url == "http://127.0.0.1:9"
    assert (settings.time_zone, settings.max_prospects_per_call) == ("Asia/Tokyo", 40)
    assert settings.ledger_schema == "saleshandy_push" and settings.account == "127.0.0.1:9"
    assert push_settings(time_zone="UTC", max_prospects_per_call=5).time_zone == "UTC"
    monkeypatch.setenv("DESTINATION__SALESHANDY_TASKS__API_KEY", "dlt-key")
    assert str(push_settings().api_key) == "dlt-key"  # dlt's name wins over the short one
    with pytest.raises(SaleshandySettingError, match="not an IANA time zone"):
        push_settings(time_zone="Mars/Olympus")
    with pytest.raises(SaleshandySettingError, match="max_prospects_per_call"):
        push_settings(max_prospects_per_call=0)
