"""The periods units are assessed over: a day, a week (Monday to Sunday), a half month (1st–15th, 16th–end), a month,
a quarter, a year, or any from/to; in the city's time (Asia/Shanghai), start included, end excluded."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Self
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, model_validator

CITY_TZ = ZoneInfo("Asia/Shanghai")


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    HALF_MONTH = "half_month"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


class Period(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: PeriodKind
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")
        return self

    @property
    def key(self) -> str:
        """A stable name for storage and ids: `week-2026-11-30`, `custom-2026-11-01-2026-11-16`."""
        first = self.start.astimezone(CITY_TZ).date().isoformat()
        if self.kind is PeriodKind.CUSTOM:
            return f"custom-{first}-{self.end.astimezone(CITY_TZ).date().isoformat()}"
        return f"{self.kind.value.replace('_', '-')}-{first}"

    def label(self) -> str:
        """How a report names it, in Chinese."""
        first = self.start.astimezone(CITY_TZ).date()
        last = (self.end.astimezone(CITY_TZ) - timedelta(microseconds=1)).date()
        match self.kind:
            case PeriodKind.DAY:
                return f"{first.year}年{first.month}月{first.day}日"
            case PeriodKind.WEEK:
                year, week, _ = first.isocalendar()
                return f"{year}年第{week}周（{first.month}月{first.day}日至{last.month}月{last.day}日）"
            case PeriodKind.HALF_MONTH:
                half = "上半月" if first.day == 1 else "下半月"
                return f"{first.year}年{first.month}月{half}"
            case PeriodKind.MONTH:
                return f"{first.year}年{first.month}月"
            case PeriodKind.QUARTER:
                return f"{first.year}年第{(first.month - 1) // 3 + 1}季度"
            case PeriodKind.YEAR:
                return f"{first.year}年"
            case PeriodKind.CUSTOM:
                return f"{first.isoformat()}至{last.isoformat()}"


def _at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=CITY_TZ)


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def period_containing(kind: PeriodKind, at: datetime) -> Period:
    """The period of this kind that `at` falls in (not for custom periods)."""
    day = at.astimezone(CITY_TZ).date()
    match kind:
        case PeriodKind.DAY:
            first, after = day, day + timedelta(days=1)
        case PeriodKind.WEEK:
            first = day - timedelta(days=day.weekday())
            after = first + timedelta(days=7)
        case PeriodKind.HALF_MONTH:
            if day.day <= 15:
                first, after = day.replace(day=1), day.replace(day=16)
            else:
                first, after = day.replace(day=16), _month_start(day.year, day.month + 1)
        case PeriodKind.MONTH:
            first, after = day.replace(day=1), _month_start(day.year, day.month + 1)
        case PeriodKind.QUARTER:
            quarter_month = (day.month - 1) // 3 * 3 + 1
            first, after = date(day.year, quarter_month, 1), _month_start(day.year, quarter_month + 3)
        case PeriodKind.YEAR:
            first, after = date(day.year, 1, 1), date(day.year + 1, 1, 1)
        case PeriodKind.CUSTOM:
            raise ValueError("a custom period is given by its from and to")
    return Period(kind=kind, start=_at_midnight(first), end=_at_midnight(after))


def previous_period(period: Period) -> Period:
    """The period before: of the same kind, or (custom) as long and ending where this one starts."""
    if period.kind is PeriodKind.CUSTOM:
        return Period(kind=period.kind, start=period.start - (period.end - period.start), end=period.start)
    return period_containing(period.kind, period.start - timedelta(microseconds=1))


def last_complete_period(kind: PeriodKind, now: datetime) -> Period:
    """The latest period of this kind that has ended by `now` (a report on Friday evening wants the week so far:
    see `report_period`)."""
    return previous_period(period_containing(kind, now))


def periods_before(period: Period, count: int) -> list[Period]:
    """`count` periods ending with `period`, oldest first (a trend)."""
    periods = [period]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return periods[::-1]


def short_label(period: Period) -> str:
    """How a period is named under the trend chart's axis: `第49周`, `12月上`, `12月`, `4季度`."""
    first = period.start.astimezone(CITY_TZ).date()
    match period.kind:
        case PeriodKind.DAY:
            return f"{first.month}月{first.day}日"
        case PeriodKind.WEEK:
            return f"第{first.isocalendar()[1]}周"
        case PeriodKind.HALF_MONTH:
            return f"{first.month}月{'上' if first.day == 1 else '下'}"
        case PeriodKind.MONTH:
            return f"{first.month}月"
        case PeriodKind.QUARTER:
            return f"{(first.month - 1) // 3 + 1}季度"
        case PeriodKind.YEAR:
            return f"{first.year}年"
        case PeriodKind.CUSTOM:
            last = (period.end.astimezone(CITY_TZ) - timedelta(microseconds=1)).date()
            return f"{first.month}.{first.day}–{last.month}.{last.day}"
