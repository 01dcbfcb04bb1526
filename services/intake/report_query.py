"""Which period a report request asks for (pure): a kind and a day or time in it, or a custom from/to; and a stored
period's key read back (`week-2026-12-07`). Days are the city's (Asia/Shanghai)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.contracts.assessment_periods import CITY_TZ, Period, PeriodKind, period_containing
from services.contracts.assessment_reports import GroupBy

# Reports cover the records' own years: a time outside is a mistake, not a question.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
LONGEST_CUSTOM = timedelta(days=3 * 366)
KEY = re.compile(r"^(day|week|half-month|month|quarter|year)-(\d{4}-\d{2}-\d{2})$")
CUSTOM_KEY = re.compile(r"^custom-(\d{4}-\d{2}-\d{2})-(\d{4}-\d{2}-\d{2})$")

When = AwareDatetime | date


class PeriodQuery(BaseModel):
    """A period: `period` and a day or time in it (`at`, default now), or a custom `from`/`to`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period: PeriodKind | None = Field(
        default=None,
        description="day, week (Monday to Sunday), half_month, month, quarter or year (default week); custom with "
        "`from` and `to` (or give just those).",
    )
    at: When | None = Field(
        default=None, description="A day (YYYY-MM-DD, the city's) or an RFC 3339 time in the period; default now."
    )
    from_: When | None = Field(default=None, alias="from", description="A custom period's first day or start time.")
    to: When | None = Field(
        default=None, description="A custom period's last day (included) or end time (excluded); at most 3 years on."
    )
    cutoff: AwareDatetime | None = Field(
        default=None,
        description="Count what was known before this time (RFC 3339; default now): a report's figures again.",
    )

    @model_validator(mode="after")
    def _one_kind_of_period(self) -> Self:
        for name, value in (("at", self.at), ("from", self.from_), ("to", self.to), ("cutoff", self.cutoff)):
            if value is not None and not EARLIEST <= _day(value) <= LATEST:
                raise ValueError(f"{name}: between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
        if self.from_ is None and self.to is None:
            if self.period is PeriodKind.CUSTOM:
                raise ValueError("period=custom needs from and to")
            return self
        if self.period not in (None, PeriodKind.CUSTOM):
            raise ValueError("from and to give a custom period: leave period out, or set it to custom")
        if self.from_ is None or self.to is None:
            raise ValueError("a custom period needs both from and to")
        if self.at is not None:
            raise ValueError("at is for a day, week, month...: a custom period has from and to")
        start, end = _start(self.from_), _end(self.to)
        if end <= start:
            raise ValueError("to must be after from")
        if end - start > LONGEST_CUSTOM:
            raise ValueError("to: a custom period is at most 3 years long")
        return self

    def resolve(self, now: datetime) -> Period:
        """The period asked for, `now` standing in for a missing `at`."""
        if self.from_ is not None and self.to is not None:
            return Period(kind=PeriodKind.CUSTOM, start=_start(self.from_), end=_end(self.to))
        at = self.at if self.at is not None else now
        return period_containing(self.period or PeriodKind.WEEK, _start(at))


class RatesQuery(PeriodQuery):
    group: GroupBy = Field(default=GroupBy.UNIT, description="unit, township, or the catalog's domain.")


def period_of_key(key: str) -> Period | None:
    """The period a stored key names (`Period.key`), or None when it names none."""
    try:
        if found := KEY.match(key):
            kind = PeriodKind(found[1].replace("-", "_"))
            period = period_containing(kind, _start(date.fromisoformat(found[2])))
        elif found := CUSTOM_KEY.match(key):
            first, after = (date.fromisoformat(found[n]) for n in (1, 2))
            if not (EARLIEST <= first < after <= LATEST):
                return None
            period = Period(kind=PeriodKind.CUSTOM, start=_start(first), end=_start(after))
        else:
            return None
    except ValueError:  # not a date, or a period out of range
        return None
    return period if period.key == key and EARLIEST <= _day(period.start) <= LATEST else None


def _day(value: When) -> date:
    return value.astimezone(CITY_TZ).date() if isinstance(value, datetime) else value


def _start(value: When) -> datetime:
    """A day's first moment in the city, or the time itself."""
    return value if isinstance(value, datetime) else datetime.combine(value, time(), tzinfo=CITY_TZ)


def _end(value: When) -> datetime:
    """The end of a period whose last day (included) or end time (excluded) this is."""
    return value if isinstance(value, datetime) else datetime.combine(value + timedelta(days=1), time(), tzinfo=CITY_TZ)
