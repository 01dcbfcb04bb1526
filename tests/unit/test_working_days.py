"""Working days as the special report counts them: weekdays, in the city's time."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.assessment.reports.working_days import weekdays_between, working_days_since
from services.contracts.assessment_periods import CITY_TZ


@pytest.mark.parametrize(
    ("start", "end", "weekdays"),
    [
        (date(2026, 12, 7), date(2026, 12, 7), 0),  # empty
        (date(2026, 12, 7), date(2026, 12, 12), 5),  # Monday to Friday
        (date(2026, 12, 7), date(2026, 12, 14), 5),  # a whole week
        (date(2026, 12, 12), date(2026, 12, 14), 0),  # a weekend
        (date(2026, 12, 11), date(2026, 12, 29), 12),  # Friday to the Monday two weeks on, inclusive of neither end
        (date(2026, 12, 14), date(2026, 12, 7), 0),  # reversed
    ],
)
def test_weekdays_between(start: date, end: date, weekdays: int) -> None:
    assert weekdays_between(start, end) == weekdays


@pytest.mark.parametrize(
    ("then", "now", "days"),
    [
        ("2026-12-07 10:00", "2026-12-07 18:00", 0),  # the same day
        ("2026-12-07 10:00", "2026-12-08 09:00", 1),
        ("2026-12-11 16:00", "2026-12-14 09:00", 1),  # Friday to Monday: the weekend does not count
        ("2026-12-04 10:00", "2026-12-11 17:00", 5),  # a week, Friday to Friday
    ],
)
def test_working_days_since(then: str, now: str, days: int) -> None:
    city = CITY_TZ
    assert (
        working_days_since(
            datetime.fromisoformat(then).replace(tzinfo=city), datetime.fromisoformat(now).replace(tzinfo=city)
        )
        == days
    )
