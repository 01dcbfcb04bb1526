"""`WorkingCalendar`: deadlines counted in official Chinese working days, and years with no schedule marked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from pydantic import ValidationError

from services.contracts.holiday_schedule import HolidaySchedule, load_schedule_file
from services.workflows.calendar.working_calendar import CHINA_TZ, WorkingCalendar, WorkingDeadline

BEIJING = timezone(timedelta(hours=8))
# The canonical case: received on Tuesday 2025-09-30, the day before the National Day + Mid-Autumn break
# (Oct 1–8 off; Sunday Sep 28 and Saturday Oct 11 are make-up working days).
RECEIVED = datetime(2025, 9, 30, 10, 0, tzinfo=BEIJING)

# TEST FIXTURE: invented dates, NOT the official 2027 schedule (which the State Council had not published).
TEST_FIXTURE_2027 = HolidaySchedule(
    year=2027,
    source="TEST FIXTURE - invented dates, not the official 2027 schedule",
    holidays=[date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 5)],  # Fri, Mon, Tue
    workdays=[date(2027, 1, 9)],  # Sat
)
# TEST FIXTURE: 2025 deliberately altered (break ends Oct 7, no Oct 11 make-up day) to show an operator override.
TEST_FIXTURE_ALTERED_2025 = HolidaySchedule(
    year=2025,
    source="TEST FIXTURE - altered 2025 schedule, not the official one",
    holidays=[date(2025, 10, day) for day in range(1, 8)],
    workdays=[date(2025, 9, 28)],
)


def end_of_day(year: int, month: int, day: int) -> datetime:
    """23:59:59 China time on a date, as the UTC instant deadlines are returned as."""
    return datetime(year, month, day, 23, 59, 59, tzinfo=CHINA_TZ).astimezone(UTC)


def at_local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A China wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ).astimezone(UTC)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar({})


# --- working days -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 9, 26), True),  # Friday
        (date(2025, 9, 27), False),  # Saturday
        (date(2025, 9, 28), True),  # Sunday, make-up working day
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 10, 6), False),  # Mid-Autumn Festival, folded into the break
        (date(2025, 10, 8), False),  # Wednesday, last day of the break
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 10, 12), False),  # Sunday
    ],
)
def test_national_day_2025_follows_the_official_schedule(calendar: WorkingCalendar, day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working
    assert calendar.is_provisional(day) is False


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday
        (date(2026, 2, 14), True),  # Saturday, make-up working day
        (date(2026, 2, 16), False),  # Monday, Spring Festival eve
        (date(2026, 2, 17), False),  # Spring Festival
        (date(2026, 2, 23), False),  # Monday, last day of the break
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day
        (date(2026, 3, 1), False),  # Sunday
    ],
)
def test_spring_festival_2026_comes_from_the_library(calendar: WorkingCalendar, day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working
    assert calendar.is_provisional(day) is False


def test_every_library_year_matches_the_library_day_for_day(calendar: WorkingCalendar) -> None:
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert calendar.is_working_day(day) is chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2027, 1, 1), True),  # Friday: surely a holiday, but nobody has said so yet
        (date(2027, 1, 2), False),  # Saturday
        (date(2027, 1, 4), True),  # Monday
        (date(2027, 10, 1), True),  # Friday
    ],
)
def test_a_year_without_a_schedule_counts_monday_to_friday(calendar: WorkingCalendar, day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working
    assert calendar.is_provisional(day) is True


def test_a_year_before_the_library_is_provisional_too(calendar: WorkingCalendar) -> None:
    assert calendar.is_provisional(date(2003, 12, 31)) is True
    assert calendar.is_provisional(date(2004, 1, 1)) is False


def test_a_datetime_is_refused_where_a_local_date_is_meant(calendar: WorkingCalendar) -> None:
    # 2025-10-10T16:30Z is already Saturday 11 October in China: the caller must say which date it means.
    with pytest.raises(TypeError, match="China-local date"):
        calendar.is_working_day(datetime(2025, 10, 10, 16, 30, tzinfo=UTC))


def test_years_are_reported_as_covered_or_provisional(calendar: WorkingCalendar) -> None:
    assert calendar.covered_years(date(2025, 12, 1), date(2027, 2, 1)) == [2025, 2026]
    assert calendar.provisional_years(date(2025, 12, 1), date(2028, 2, 1)) == [2027, 2028]
    assert calendar.provisional_years(date(2026, 1, 1), date(2026, 12, 31)) == []


def test_a_loaded_year_is_covered() -> None:
    calendar = WorkingCalendar({2027: TEST_FIXTURE_2027})

    assert calendar.covered_years(date(2026, 12, 1), date(2027, 2, 1)) == [2026, 2027]
    assert calendar.provisional_years(date(2026, 12, 1), date(2028, 2, 1)) == [2028]


def test_a_year_range_must_not_run_backwards(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="before start"):
        calendar.provisional_years(date(2027, 2, 1), date(2027, 1, 1))


def test_a_schedule_must_be_given_under_its_own_year() -> None:
    with pytest.raises(ValueError, match="schedule for 2027 was given under year 2028"):
        WorkingCalendar({2028: TEST_FIXTURE_2027})


# --- add_working_days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "deadline"),
    [
        (1, end_of_day(2025, 10, 9)),  # the first day after the break
        (3, end_of_day(2025, 10, 11)),  # Oct 9, 10 and Saturday 11 (a make-up working day)
        (7, end_of_day(2025, 10, 16)),  # ... then Mon 13 to Thu 16
    ],
)
def test_canonical_case_counts_over_the_national_day_break(
    calendar: WorkingCalendar, days: int, deadline: datetime
) -> None:
    result = calendar.add_working_days(RECEIVED, days)

    assert result == WorkingDeadline(at=deadline, provisional=False, provisional_years=[])


def test_the_deadline_is_the_end_of_the_day_in_china_returned_in_utc(calendar: WorkingCalendar) -> None:
    result = calendar.add_working_days(RECEIVED, 3)

    assert result.at.tzinfo is UTC
    assert result.at.isoformat() == "2025-10-11T15:59:59+00:00"
    assert result.at.astimezone(CHINA_TZ).isoformat() == "2025-10-11T23:59:59+08:00"


def test_the_receipt_time_of_day_does_not_matter(calendar: WorkingCalendar) -> None:
    early = datetime(2025, 9, 30, 0, 0, tzinfo=BEIJING)
    late = datetime(2025, 9, 30, 23, 59, tzinfo=BEIJING)

    assert calendar.add_working_days(early, 3) == calendar.add_working_days(late, 3)


def test_a_case_received_on_a_holiday_gets_full_working_days_after_it(calendar: WorkingCalendar) -> None:
    received = datetime(2025, 10, 3, 15, 0, tzinfo=BEIJING)

    assert calendar.add_working_days(received, 1).at == end_of_day(2025, 10, 9)
    assert calendar.add_working_days(received, 3).at == end_of_day(2025, 10, 11)


def test_a_case_received_on_a_weekend_gets_full_working_days_after_it(calendar: WorkingCalendar) -> None:
    received = datetime(2025, 10, 18, 11, 0, tzinfo=BEIJING)  # Saturday

    assert calendar.add_working_days(received, 1).at == end_of_day(2025, 10, 20)


def test_a_case_received_on_a_make_up_working_day_counts_from_the_next_day(calendar: WorkingCalendar) -> None:
    received = datetime(2025, 10, 11, 11, 0, tzinfo=BEIJING)  # Saturday, worked

    assert calendar.add_working_days(received, 1).at == end_of_day(2025, 10, 13)


def test_the_receipt_date_is_taken_in_china_not_in_utc(calendar: WorkingCalendar) -> None:
    # Friday 10 October 16:30 UTC is already 00:30 on Saturday 11 October (a make-up working day) in China.
    received = datetime(2025, 10, 10, 16, 30, tzinfo=UTC)

    assert calendar.add_working_days(received, 1).at == end_of_day(2025, 10, 13)


def test_spring_festival_2026_deadlines(calendar: WorkingCalendar) -> None:
    received = datetime(2026, 2, 13, 10, 0, tzinfo=BEIJING)  # Friday

    assert calendar.add_working_days(received, 1).at == end_of_day(2026, 2, 14)  # Saturday, make-up day
    assert calendar.add_working_days(received, 3).at == end_of_day(2026, 2, 25)
    assert calendar.add_working_days(received, 6).at == end_of_day(2026, 2, 28)  # Saturday, make-up day
    assert calendar.add_working_days(received, 7).at == end_of_day(2026, 3, 2)


def test_a_deadline_in_a_year_without_a_schedule_is_provisional(calendar: WorkingCalendar) -> None:
    received = datetime(2027, 3, 1, 10, 0, tzinfo=BEIJING)  # Monday

    result = calendar.add_working_days(received, 7)

    assert result == WorkingDeadline(at=end_of_day(2027, 3, 10), provisional=True, provisional_years=[2027])


def test_a_deadline_that_crosses_into_a_year_without_a_schedule_is_provisional(calendar: WorkingCalendar) -> None:
    received = datetime(2026, 12, 28, 10, 0, tzinfo=BEIJING)  # Monday

    result = calendar.add_working_days(received, 7)

    # Tue 29, Wed 30, Thu 31, then Mon–Fri counting in 2027: Fri 1, Mon 4, Tue 5, Wed 6.
    assert result == WorkingDeadline(at=end_of_day(2027, 1, 6), provisional=True, provisional_years=[2027])


def test_a_deadline_that_stays_in_the_known_year_is_not_provisional(calendar: WorkingCalendar) -> None:
    received = datetime(2026, 12, 30, 10, 0, tzinfo=BEIJING)

    result = calendar.add_working_days(received, 1)

    assert result == WorkingDeadline(at=end_of_day(2026, 12, 31), provisional=False, provisional_years=[])


def test_a_case_received_just_after_midnight_on_new_year_counts_in_the_new_year(calendar: WorkingCalendar) -> None:
    received = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on Friday 1 January 2027 in China

    result = calendar.add_working_days(received, 1)

    assert result == WorkingDeadline(at=end_of_day(2027, 1, 4), provisional=True, provisional_years=[2027])


def test_a_loaded_schedule_for_the_new_year_makes_the_deadline_firm_and_skips_its_holidays() -> None:
    calendar = WorkingCalendar({2027: TEST_FIXTURE_2027})
    received = datetime(2026, 12, 28, 10, 0, tzinfo=BEIJING)

    result = calendar.add_working_days(received, 7)

    # Tue 29, Wed 30, Thu 31, (Fri 1, Mon 4, Tue 5 off in the fixture), Wed 6, Thu 7, Fri 8, Sat 9 (make-up day).
    assert result == WorkingDeadline(at=end_of_day(2027, 1, 9), provisional=False, provisional_years=[])


def test_an_operator_schedule_replaces_the_library_for_its_year() -> None:
    calendar = WorkingCalendar({2025: TEST_FIXTURE_ALTERED_2025})

    assert calendar.add_working_days(RECEIVED, 1).at == end_of_day(2025, 10, 8)
    assert calendar.add_working_days(RECEIVED, 3).at == end_of_day(2025, 10, 10)
    assert calendar.is_working_day(date(2025, 10, 11)) is False
    # The whole year is the operator's: a library holiday the schedule does not list is a working day.
    assert calendar.is_working_day(date(2025, 5, 5)) is True
    # Other years still come from the library.
    assert calendar.is_working_day(date(2026, 2, 17)) is False


def test_a_schedule_loaded_from_a_file_drives_the_calendar(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(TEST_FIXTURE_2027.model_dump(mode="json"), ensure_ascii=False), encoding="utf-8")
    calendar = WorkingCalendar({2027: load_schedule_file(path)})

    assert calendar.is_working_day(date(2027, 1, 4)) is False
    assert calendar.is_working_day(date(2027, 1, 9)) is True
    assert calendar.is_provisional(date(2027, 6, 1)) is False


@pytest.mark.parametrize("days", [0, -1])
def test_at_least_one_working_day_is_required(calendar: WorkingCalendar, days: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar.add_working_days(RECEIVED, days)


def test_a_naive_receipt_time_is_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        calendar.add_working_days(datetime(2025, 9, 30, 10, 0), 3)


def test_a_deadline_cannot_be_changed(calendar: WorkingCalendar) -> None:
    result = calendar.add_working_days(RECEIVED, 3)

    with pytest.raises(ValidationError):
        result.provisional = True  # type: ignore[misc]


# --- add_hours ----------------------------------------------------------------------------------------------


def test_an_hours_window_runs_around_the_clock_through_holidays(calendar: WorkingCalendar) -> None:
    result = calendar.add_hours(RECEIVED, 24)

    assert result == WorkingDeadline(at=datetime(2025, 10, 1, 2, 0, tzinfo=UTC), provisional=False)
    assert result.at.tzinfo is UTC


def test_an_hours_window_may_be_a_fraction_of_an_hour(calendar: WorkingCalendar) -> None:
    assert calendar.add_hours(RECEIVED, 1.5).at == datetime(2025, 9, 30, 3, 30, tzinfo=UTC)


def test_an_hours_window_is_never_provisional(calendar: WorkingCalendar) -> None:
    received = datetime(2026, 12, 31, 20, 0, tzinfo=BEIJING)

    result = calendar.add_hours(received, 48)

    assert result.at == at_local(2027, 1, 2, 20)
    assert result.provisional is False
    assert result.provisional_years == []


@pytest.mark.parametrize("hours", [0, -2])
def test_an_hours_window_must_be_positive(calendar: WorkingCalendar, hours: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        calendar.add_hours(RECEIVED, hours)


def test_an_hours_window_refuses_a_naive_start(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        calendar.add_hours(datetime(2025, 9, 30, 10, 0), 2)


# --- start of a working day ---------------------------------------------------------------------------------


def test_the_next_working_morning_skips_the_holiday(calendar: WorkingCalendar) -> None:
    result = calendar.start_of_next_working_day(RECEIVED)

    assert result == WorkingDeadline(at=at_local(2025, 10, 9, 9), provisional=False)
    assert result.at.isoformat() == "2025-10-09T01:00:00+00:00"


def test_the_next_working_morning_is_strictly_after_the_local_date(calendar: WorkingCalendar) -> None:
    early_on_a_working_day = datetime(2025, 10, 9, 7, 0, tzinfo=BEIJING)

    assert calendar.start_of_next_working_day(early_on_a_working_day).at == at_local(2025, 10, 10, 9)


def test_the_next_working_morning_may_be_a_make_up_saturday(calendar: WorkingCalendar) -> None:
    friday_evening = datetime(2026, 2, 13, 20, 0, tzinfo=BEIJING)

    assert calendar.start_of_next_working_day(friday_evening).at == at_local(2026, 2, 14, 9)


def test_the_next_working_morning_takes_another_time_of_day(calendar: WorkingCalendar) -> None:
    result = calendar.start_of_next_working_day(RECEIVED, at=time(8, 30))

    assert result.at == at_local(2025, 10, 9, 8, 30)


def test_the_next_working_morning_in_a_year_without_a_schedule_is_provisional(calendar: WorkingCalendar) -> None:
    result = calendar.start_of_next_working_day(datetime(2026, 12, 31, 10, 0, tzinfo=BEIJING))

    assert result == WorkingDeadline(at=at_local(2027, 1, 1, 9), provisional=True, provisional_years=[2027])


def test_the_next_working_morning_uses_a_loaded_schedule() -> None:
    calendar = WorkingCalendar({2027: TEST_FIXTURE_2027})

    result = calendar.start_of_next_working_day(datetime(2026, 12, 31, 10, 0, tzinfo=BEIJING))

    assert result == WorkingDeadline(at=at_local(2027, 1, 6, 9), provisional=False)


def test_start_of_working_day_is_nine_in_china_returned_in_utc(calendar: WorkingCalendar) -> None:
    morning = calendar.start_of_working_day(date(2025, 10, 11))

    assert morning == datetime(2025, 10, 11, 1, 0, tzinfo=UTC)
    assert morning.tzinfo is UTC
    assert calendar.start_of_working_day(date(2025, 10, 11), at=time(14, 0)) == at_local(2025, 10, 11, 14)


# --- reminder_times -----------------------------------------------------------------------------------------


def test_reminders_at_three_quarters_and_on_the_morning_of_the_last_working_day(calendar: WorkingCalendar) -> None:
    deadline = calendar.add_working_days(RECEIVED, 3).at  # 2025-10-11 23:59:59 China time

    reminders = calendar.reminder_times(RECEIVED, deadline)

    # The window is 11 d 13:59:59; three quarters of it is 8 d 16:29:59.25 after receipt (02:29:59.25 on Oct 9).
    assert reminders == [
        datetime(2025, 10, 8, 18, 29, 59, 250000, tzinfo=UTC),
        at_local(2025, 10, 11, 9),
    ]
    assert all(moment.tzinfo is UTC for moment in reminders)


def test_reminders_take_another_fraction(calendar: WorkingCalendar) -> None:
    start = datetime(2025, 10, 13, 12, 0, tzinfo=BEIJING)
    deadline = datetime(2025, 10, 14, 12, 0, tzinfo=BEIJING)

    assert calendar.reminder_times(start, deadline, fraction=0.5) == [
        at_local(2025, 10, 14, 0),
        at_local(2025, 10, 14, 9),
    ]


def test_no_morning_reminder_when_the_deadline_falls_on_a_day_off(calendar: WorkingCalendar) -> None:
    start = datetime(2025, 10, 17, 10, 0, tzinfo=BEIJING)  # Friday
    deadline = calendar.add_hours(start, 48).at  # Sunday 10:00

    assert calendar.reminder_times(start, deadline) == [at_local(2025, 10, 18, 22)]


def test_no_morning_reminder_before_the_window_opens(calendar: WorkingCalendar) -> None:
    start = datetime(2025, 10, 9, 10, 0, tzinfo=BEIJING)
    deadline = datetime(2025, 10, 9, 22, 0, tzinfo=BEIJING)

    assert calendar.reminder_times(start, deadline) == [at_local(2025, 10, 9, 19)]


def test_no_morning_reminder_at_the_deadline_itself(calendar: WorkingCalendar) -> None:
    start = datetime(2025, 10, 9, 1, 0, tzinfo=BEIJING)
    deadline = datetime(2025, 10, 9, 9, 0, tzinfo=BEIJING)

    assert calendar.reminder_times(start, deadline) == [at_local(2025, 10, 9, 7)]


def test_a_morning_reminder_that_coincides_with_the_fraction_is_sent_once(calendar: WorkingCalendar) -> None:
    start = datetime(2025, 10, 9, 5, 0, tzinfo=BEIJING)
    deadline = datetime(2025, 10, 9, 10, 20, tzinfo=BEIJING)  # three quarters of 5 h 20 min is 4 h: 09:00

    assert calendar.reminder_times(start, deadline) == [at_local(2025, 10, 9, 9)]


def test_the_morning_reminder_can_be_turned_off(calendar: WorkingCalendar) -> None:
    deadline = calendar.add_working_days(RECEIVED, 3).at

    assert calendar.reminder_times(RECEIVED, deadline, last_working_day=False) == [
        datetime(2025, 10, 8, 18, 29, 59, 250000, tzinfo=UTC)
    ]


def test_a_morning_reminder_on_a_provisional_weekday(calendar: WorkingCalendar) -> None:
    start = datetime(2027, 3, 1, 10, 0, tzinfo=BEIJING)
    deadline = calendar.add_working_days(start, 1).at  # Tuesday 2 March 2027, Mon–Fri counting

    assert at_local(2027, 3, 2, 9) in calendar.reminder_times(start, deadline)


def test_a_tiny_window_gets_only_reminders_strictly_inside_it(calendar: WorkingCalendar) -> None:
    start = datetime(2025, 10, 9, 12, 0, tzinfo=BEIJING)
    deadline = start + timedelta(microseconds=1)

    assert calendar.reminder_times(start, deadline) == []


def test_reminders_need_a_deadline_after_the_start(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="is not after start"):
        calendar.reminder_times(RECEIVED, RECEIVED)


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, -0.25])
def test_reminders_need_a_fraction_inside_the_window(calendar: WorkingCalendar, fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        calendar.reminder_times(RECEIVED, RECEIVED + timedelta(days=1), fraction=fraction)


def test_reminders_refuse_naive_times(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        calendar.reminder_times(RECEIVED, datetime(2025, 10, 9, 10, 0))
