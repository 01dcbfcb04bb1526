"""One year's official holiday schedule (放假安排) as operators load it: days off and make-up working days (调休)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SATURDAY = 5


def _iso_date_only(value: object) -> object:
    # Lax pydantic would read 1759276800 or "2025-10-01T00:00Z" as a date too: a typo must not become a holiday.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        return value
    raise ValueError(f'{value!r} is not a date written as "YYYY-MM-DD"')


ScheduleDate = Annotated[date, BeforeValidator(_iso_date_only)]


class HolidaySchedule(BaseModel):
    """The State Council's schedule for one year: `holidays` are days off, `workdays` are weekend make-up days."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    year: int = Field(ge=2000, le=2100)
    source: str = Field(min_length=1, description="The notice it comes from: title and document number.")
    holidays: list[ScheduleDate] = Field(min_length=1, description="Days off (weekend days inside a break too).")
    workdays: list[ScheduleDate] = Field(description="Saturdays and Sundays that are working days (调休).")

    @field_validator("holidays", "workdays")
    @classmethod
    def _in_year_once_each(cls, days: list[date], info: ValidationInfo) -> list[date]:
        year = info.data.get("year")
        for day in days:
            if year is not None and day.year != year:
                raise ValueError(f"{day.isoformat()} is not in {year}")
        duplicates = sorted({day for day in days if days.count(day) > 1})
        if duplicates:
            raise ValueError(f"listed more than once: {', '.join(day.isoformat() for day in duplicates)}")
        return sorted(days)

    @field_validator("workdays")
    @classmethod
    def _weekend_and_not_a_holiday(cls, days: list[date], info: ValidationInfo) -> list[date]:
        weekdays = [day.isoformat() for day in days if day.weekday() < SATURDAY]
        if weekdays:
            raise ValueError(f"a make-up working day must be a Saturday or Sunday: {', '.join(weekdays)}")
        holidays = set(info.data.get("holidays", ()))
        both = [day.isoformat() for day in days if day in holidays]
        if both:
            raise ValueError(f"also listed in holidays: {', '.join(both)}")
        return days


class HolidayScheduleError(ValueError):
    """A schedule file that cannot be used; the message names the file and the field."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def load_schedule_file(path: Path | str) -> HolidaySchedule:
    """Read and check one year's schedule from a UTF-8 JSON file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HolidayScheduleError(path, f"cannot read: {exc}") from exc
    try:
        return HolidaySchedule.model_validate_json(text)
    except ValidationError as exc:
        raise HolidayScheduleError(path, _describe(exc)) from exc


def _describe(exc: ValidationError) -> str:
    """Every problem as `field <name>: <message>`, the list index included (`field holidays.3`)."""
    problems = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"field {field}: {message}" if field else message)
    return "; ".join(problems)
