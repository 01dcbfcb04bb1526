"""`HolidaySchedule` and `load_schedule_file`: a year's schedule as operators load it, and broken files reported."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.contracts.holiday_schedule import HolidaySchedule, HolidayScheduleError, load_schedule_file

# 2025's National Day + Mid-Autumn break as the library has it (Oct 1–8 off; Sun Sep 28 and Sat Oct 11 worked),
# plus New Year's Day: enough of the year for these tests.
SOURCE_2025 = "国务院办公厅关于2025年部分节假日安排的通知"
HOLIDAYS_2025 = ["2025-01-01", *[f"2025-10-0{day}" for day in range(1, 9)]]
WORKDAYS_2025 = ["2025-09-28", "2025-10-11"]


def schedule_fields(**overrides: Any) -> dict[str, Any]:
    """A valid 2025 schedule as it stands in a JSON file, with overrides applied."""
    fields: dict[str, Any] = {
        "year": 2025,
        "source": SOURCE_2025,
        "holidays": HOLIDAYS_2025,
        "workdays": WORKDAYS_2025,
    }
    fields.update(overrides)
    return fields


def write_schedule(tmp_path: Path, fields: dict[str, Any] | str, *, name: str = "2025.json") -> Path:
    """Write a schedule file (a dict as JSON, a str as is) and return its path."""
    path = tmp_path / name
    path.write_text(fields if isinstance(fields, str) else json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    return path


def load_error(tmp_path: Path, fields: dict[str, Any] | str) -> str:
    """The message `load_schedule_file` refuses the file with."""
    with pytest.raises(HolidayScheduleError) as caught:
        load_schedule_file(write_schedule(tmp_path, fields))
    return str(caught.value)


def test_a_schedule_file_loads_with_its_dates() -> None:
    schedule = HolidaySchedule.model_validate_json(json.dumps(schedule_fields()))

    assert schedule.year == 2025
    assert schedule.source == SOURCE_2025
    assert date(2025, 10, 8) in schedule.holidays
    assert schedule.workdays == [date(2025, 9, 28), date(2025, 10, 11)]


def test_load_schedule_file_reads_json_from_a_path(tmp_path: Path) -> None:
    schedule = load_schedule_file(write_schedule(tmp_path, schedule_fields()))

    assert len(schedule.holidays) == 9
    assert schedule.workdays == [date(2025, 9, 28), date(2025, 10, 11)]


def test_load_schedule_file_accepts_a_str_path_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "2025.json"
    path.write_text("\ufeff" + json.dumps(schedule_fields(), ensure_ascii=False), encoding="utf-8")

    assert load_schedule_file(str(path)).year == 2025


def test_dates_are_sorted_whatever_order_the_file_lists_them_in() -> None:
    schedule = HolidaySchedule.model_validate(
        schedule_fields(holidays=["2025-10-02", "2025-01-01", "2025-10-01"], workdays=["2025-10-11", "2025-09-28"])
    )

    assert schedule.holidays == [date(2025, 1, 1), date(2025, 10, 1), date(2025, 10, 2)]
    assert schedule.workdays == [date(2025, 9, 28), date(2025, 10, 11)]


def test_a_year_without_make_up_days_is_an_empty_workdays_list() -> None:
    assert HolidaySchedule.model_validate(schedule_fields(workdays=[])).workdays == []


def test_a_schedule_is_immutable() -> None:
    schedule = HolidaySchedule.model_validate(schedule_fields())

    with pytest.raises(ValidationError):
        schedule.year = 2026  # type: ignore[misc]


def test_the_error_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    path = write_schedule(tmp_path, schedule_fields(holidays=[]))

    with pytest.raises(ValueError, match=r"2025\.json: field holidays: ") as caught:
        load_schedule_file(path)

    assert isinstance(caught.value, HolidayScheduleError)
    assert caught.value.path == path


def test_a_day_outside_the_year_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(holidays=[*HOLIDAYS_2025, "2026-01-01"]))

    assert "field holidays: 2026-01-01 is not in 2025" in message


def test_a_make_up_day_outside_the_year_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(workdays=["2024-12-28"]))

    assert "field workdays: 2024-12-28 is not in 2025" in message


def test_a_day_in_both_lists_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(workdays=["2025-09-28", "2025-10-04"]))

    assert "field workdays: also listed in holidays: 2025-10-04" in message


def test_a_make_up_working_day_on_a_weekday_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(workdays=["2025-09-28", "2025-10-10"]))

    assert "field workdays: a make-up working day must be a Saturday or Sunday: 2025-10-10" in message


def test_an_empty_holidays_list_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(holidays=[]))

    assert "field holidays:" in message
    assert "at least 1 item" in message


def test_a_day_listed_twice_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(holidays=[*HOLIDAYS_2025, "2025-10-03"]))

    assert "field holidays: listed more than once: 2025-10-03" in message


def test_a_malformed_date_is_reported_with_its_position(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(holidays=["2025-01-01", "2025-10-32"]))

    assert "field holidays.1:" in message


def test_a_number_is_not_read_as_a_date(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(holidays=[20251001]))

    assert "field holidays.0:" in message


def test_a_missing_field_is_reported(tmp_path: Path) -> None:
    fields = schedule_fields()
    del fields["workdays"]

    assert "field workdays: Field required" in load_error(tmp_path, fields)


def test_a_misspelt_field_is_reported_rather_than_ignored(tmp_path: Path) -> None:
    fields = schedule_fields(workday=["2025-10-11"])

    assert "field workday: Extra inputs are not permitted" in load_error(tmp_path, fields)


def test_an_empty_source_is_refused(tmp_path: Path) -> None:
    assert "field source:" in load_error(tmp_path, schedule_fields(source="  "))


def test_an_implausible_year_is_refused(tmp_path: Path) -> None:
    assert "field year:" in load_error(tmp_path, schedule_fields(year=20255))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    message = load_error(tmp_path, schedule_fields(source="", workdays=["2025-10-10"]))

    assert "field source:" in message
    assert "field workdays:" in message


def test_a_file_that_is_not_json_is_reported(tmp_path: Path) -> None:
    message = load_error(tmp_path, '{"year": 2025, "holidays": [')

    assert message.startswith(str(tmp_path / "2025.json"))
    assert "Invalid JSON" in message


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(HolidayScheduleError, match=r"missing\.json: cannot read"):
        load_schedule_file(tmp_path / "missing.json")


@pytest.mark.parametrize("written", ["2025-10-01T00:00:00", "2025/10/01", "20251001", "1759276800"])
def test_only_plain_iso_dates_are_accepted(tmp_path: Path, written: str) -> None:
    message = load_error(tmp_path, schedule_fields(holidays=[written]))

    assert f'field holidays.0: {written!r} is not a date written as "YYYY-MM-DD"' in message


def test_date_objects_are_accepted_when_built_in_code() -> None:
    schedule = HolidaySchedule(year=2025, source=SOURCE_2025, holidays=[date(2025, 10, 1)], workdays=[])

    assert schedule.holidays == [date(2025, 10, 1)]
