"""Working days between two times, Monday to Friday (pure). Official holidays and swapped weekend working days are
the workflows' calendar's (NATS KV); the special report's "no progress for N working days" counts weekdays, which
over a holiday week names a case a few days early, never late."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.contracts.assessment_periods import CITY_TZ


def weekdays_between(start: date, end: date) -> int:
    """Weekdays in [start, end)."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def working_days_since(then: datetime, now: datetime) -> int:
    """Whole weekdays from the day after `then` to the day of `now` (city time): 0 on the same day."""
    return weekdays_between(
        then.astimezone(CITY_TZ).date() + timedelta(days=1), now.astimezone(CITY_TZ).date() + timedelta(days=1)
    )
