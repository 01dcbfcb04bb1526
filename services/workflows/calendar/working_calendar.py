"""The working-day calendar case deadlines are counted on (pure: no I/O, no clock).

A year's days off and make-up working days (调休) come from an operator-loaded schedule if there is one, else
from the `chinesecalendar` package (2004–2026 in 1.11), else the year is *provisional*: Monday to Friday are
working days and every deadline counted over it says so, until an operator loads that year's schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.contracts.holiday_schedule import HolidaySchedule

CHINA_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
DAY = timedelta(days=1)
WORKDAY_START = time(9, 0)
SATURDAY = 5


class WorkingDeadline(BaseModel):
    """A deadline in UTC, and whether it was counted over a year with no holiday schedule (Mon–Fri counting)."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    provisional: bool = False
    provisional_years: list[int] = Field(default_factory=list)


@dataclass(frozen=True)
class _Year:
    """One year's rule: weekdays that are off, weekend days that are on, and whether it is a guess."""

    off: frozenset[date]
    on: frozenset[date]
    provisional: bool


class WorkingCalendar:
    """Working days in mainland China; operator schedules override the library for their years."""

    def __init__(self, schedules: Mapping[int, HolidaySchedule] | None = None) -> None:
        schedules = schedules or {}
        for year, schedule in schedules.items():
            if schedule.year != year:
                raise ValueError(f"schedule for {schedule.year} was given under year {year}")
        self._schedules = dict(schedules)
        self._years: dict[int, _Year] = {}

    def is_working_day(self, day: date) -> bool:
        """Whether `day` (a local date in China) is a working day."""
        rule = self._year(_plain_date(day).year)
        return day in rule.on or (day.weekday() < SATURDAY and day not in rule.off)

    def is_provisional(self, day: date) -> bool:
        """Whether `day`'s year has neither an operator schedule nor library data (Mon–Fri counting)."""
        return self._year(_plain_date(day).year).provisional

    def covered_years(self, start: date, end: date) -> list[int]:
        """The years from `start` to `end` (inclusive) whose holidays are known."""
        return [year for year in _years_between(start, end) if not self._year(year).provisional]

    def provisional_years(self, start: date, end: date) -> list[int]:
        """The years from `start` to `end` (inclusive) counted Mon–Fri for want of a schedule."""
        return [year for year in _years_between(start, end) if self._year(year).provisional]

    def add_working_days(self, start: datetime, days: int) -> WorkingDeadline:
        """The end (23:59:59 China time) of the `days`-th working day after `start`'s local date, in UTC."""
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        day = _local_date(start)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return self._deadline(_local_date(start), day, END_OF_DAY)

    def add_hours(self, start: datetime, hours: float) -> WorkingDeadline:
        """`hours` around the clock after `start` (urgent windows ignore the calendar), in UTC."""
        if hours <= 0:
            raise ValueError(f"hours must be positive, got {hours}")
        _require_aware(start)
        return WorkingDeadline(at=(start + timedelta(hours=hours)).astimezone(UTC))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The part of `start`..`end` on working days (whole days, China time); zero if `end` is not later."""
        _require_aware(start)
        _require_aware(end)
        total = timedelta(0)
        day = _local_date(start)
        while day <= _local_date(end):
            if self.is_working_day(day):
                day_start = _start_of_day(day)
                total += max(timedelta(0), min(end, day_start + DAY) - max(start, day_start))
            day += DAY
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> WorkingDeadline:
        """The moment `amount` of working-day time after `start`, days off skipped (the inverse of
        `working_time_between`), in UTC; provisional if a day it counts over is."""
        _require_aware(start)
        if amount < timedelta(0):
            raise ValueError(f"working time must not be negative, got {amount}")
        if not amount:
            return WorkingDeadline(at=start.astimezone(UTC))
        day = _local_date(start)
        while True:
            if self.is_working_day(day):
                begin = max(start, _start_of_day(day))
                day_end = _start_of_day(day) + DAY
                if begin + amount <= day_end:
                    break
                amount -= day_end - begin
            day += DAY
        years = self.provisional_years(_local_date(start), day)
        return WorkingDeadline(at=(begin + amount).astimezone(UTC), provisional=bool(years), provisional_years=years)

    def start_of_next_working_day(self, after: datetime, *, at: time = WORKDAY_START) -> WorkingDeadline:
        """`at` (China time) on the first working day strictly after `after`'s local date, in UTC."""
        day = _local_date(after) + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return self._deadline(_local_date(after), day, at)

    def start_of_working_day(self, day: date, *, at: time = WORKDAY_START) -> datetime:
        """`at` (China time) on `day`, in UTC; the caller checks that `day` is a working day."""
        return datetime.combine(_plain_date(day), at, tzinfo=CHINA_TZ).astimezone(UTC)

    def reminder_times(
        self,
        start: datetime,
        deadline: datetime,
        *,
        fraction: float = 0.75,
        last_working_day: bool = True,
    ) -> list[datetime]:
        """Reminders (UTC, sorted) at `fraction` of the window and at 09:00 China time on a working deadline day."""
        _require_aware(start)
        _require_aware(deadline)
        if deadline <= start:
            raise ValueError(f"deadline {deadline.isoformat()} is not after start {start.isoformat()}")
        if not 0 < fraction < 1:
            raise ValueError(f"fraction must be between 0 and 1 (exclusive), got {fraction}")
        times = {(start + (deadline - start) * fraction).astimezone(UTC)}
        deadline_day = _local_date(deadline)
        if last_working_day and self.is_working_day(deadline_day):
            times.add(self.start_of_working_day(deadline_day))
        return sorted(moment for moment in times if start < moment < deadline)

    def _deadline(self, after_day: date, last_day: date, at: time) -> WorkingDeadline:
        """The deadline at `at` on `last_day`, provisional if any day after `after_day` up to it is."""
        years = self.provisional_years(after_day + timedelta(days=1), last_day)
        return WorkingDeadline(
            at=self.start_of_working_day(last_day, at=at),
            provisional=bool(years),
            provisional_years=years,
        )

    def _year(self, year: int) -> _Year:
        if year not in self._years:
            self._years[year] = self._build_year(year)
        return self._years[year]

    def _build_year(self, year: int) -> _Year:
        schedule = self._schedules.get(year)
        if schedule is not None:
            return _Year(off=frozenset(schedule.holidays), on=frozenset(schedule.workdays), provisional=False)
        first = date(year, 1, 1)
        days = [first + timedelta(days=n) for n in range((date(year, 12, 31) - first).days + 1)]
        try:
            working = {day: bool(chinese_calendar.is_workday(day)) for day in days}
        except NotImplementedError:
            # The library has no data for this year: count Monday to Friday and mark it.
            return _Year(off=frozenset(), on=frozenset(), provisional=True)
        return _Year(
            off=frozenset(day for day in days if day.weekday() < SATURDAY and not working[day]),
            on=frozenset(day for day in days if day.weekday() >= SATURDAY and working[day]),
            provisional=False,
        )


def _plain_date(day: date) -> date:
    # A datetime is a date too, but never equals one: its time zone would be silently ignored.
    if isinstance(day, datetime):
        raise TypeError("pass a China-local date, e.g. moment.astimezone(CHINA_TZ).date(), not a datetime")
    return day


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")


def _start_of_day(day: date) -> datetime:
    """00:00 China time on a local date."""
    return datetime.combine(day, time(0), tzinfo=CHINA_TZ)


def _local_date(moment: datetime) -> date:
    """The calendar date in China at `moment`."""
    _require_aware(moment)
    return moment.astimezone(CHINA_TZ).date()


def _years_between(start: date, end: date) -> range:
    if end < _plain_date(start):
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    return range(start.year, _plain_date(end).year + 1)
