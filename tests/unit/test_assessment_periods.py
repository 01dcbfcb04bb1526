"""The periods units are assessed over, in the city's time: start included, end excluded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.contracts.assessment_periods import (
    CITY_TZ,
    Period,
    PeriodKind,
    last_complete_period,
    period_containing,
    periods_before,
    previous_period,
    short_label,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CITY_TZ)


@pytest.mark.parametrize(
    ("kind", "moment", "start", "end", "key", "label"),
    [
        (PeriodKind.DAY, "2026-12-07 23:59", "2026-12-07", "2026-12-08", "day-2026-12-07", "2026年12月7日"),
        (
            PeriodKind.WEEK,
            "2026-12-11 17:00",
            "2026-12-07",
            "2026-12-14",
            "week-2026-12-07",
            "2026年第50周（12月7日至12月13日）",
        ),
        (
            PeriodKind.WEEK,
            "2026-12-07 00:00",
            "2026-12-07",
            "2026-12-14",
            "week-2026-12-07",
            "2026年第50周（12月7日至12月13日）",
        ),
        (
            PeriodKind.HALF_MONTH,
            "2026-12-15 23:00",
            "2026-12-01",
            "2026-12-16",
            "half-month-2026-12-01",
            "2026年12月上半月",
        ),
        (
            PeriodKind.HALF_MONTH,
            "2026-12-16 00:00",
            "2026-12-16",
            "2027-01-01",
            "half-month-2026-12-16",
            "2026年12月下半月",
        ),
        (
            PeriodKind.HALF_MONTH,
            "2027-02-20 08:00",
            "2027-02-16",
            "2027-03-01",
            "half-month-2027-02-16",
            "2027年2月下半月",
        ),
        (PeriodKind.MONTH, "2026-12-31 23:59", "2026-12-01", "2027-01-01", "month-2026-12-01", "2026年12月"),
        (PeriodKind.QUARTER, "2026-11-05 10:00", "2026-10-01", "2027-01-01", "quarter-2026-10-01", "2026年第4季度"),
        (PeriodKind.QUARTER, "2027-01-01 00:00", "2027-01-01", "2027-04-01", "quarter-2027-01-01", "2027年第1季度"),
        (PeriodKind.YEAR, "2026-06-30 12:00", "2026-01-01", "2027-01-01", "year-2026-01-01", "2026年"),
    ],
)
def test_the_period_a_moment_falls_in(
    kind: PeriodKind, moment: str, start: str, end: str, key: str, label: str
) -> None:
    period = period_containing(kind, at(moment))
    assert (period.start, period.end) == (at(start), at(end))
    assert (period.key, period.label()) == (key, label)


def test_city_time_decides_the_day_not_utc() -> None:
    # 2026-12-06 17:30 UTC is Monday 01:30 in the city: Monday's week.
    utc = datetime.fromisoformat("2026-12-06T17:30:00+00:00")
    assert period_containing(PeriodKind.WEEK, utc).start == at("2026-12-07 00:00")


@pytest.mark.parametrize(
    ("kind", "moment", "previous_start"),
    [
        (PeriodKind.WEEK, "2026-12-07 09:00", "2026-11-30"),
        (PeriodKind.HALF_MONTH, "2026-12-01 09:00", "2026-11-16"),
        (PeriodKind.HALF_MONTH, "2026-12-16 09:00", "2026-12-01"),
        (PeriodKind.MONTH, "2027-01-01 09:00", "2026-12-01"),
        (PeriodKind.QUARTER, "2027-01-01 09:00", "2026-10-01"),
    ],
)
def test_the_period_before(kind: PeriodKind, moment: str, previous_start: str) -> None:
    assert previous_period(period_containing(kind, at(moment))).start == at(previous_start)
    assert last_complete_period(kind, at(moment)).start == at(previous_start)


def test_a_custom_period_is_followed_by_one_as_long_before_it() -> None:
    period = Period(kind=PeriodKind.CUSTOM, start=at("2026-11-10 00:00"), end=at("2026-11-20 00:00"))
    before = previous_period(period)
    assert (before.start, before.end) == (at("2026-10-31 00:00"), at("2026-11-10 00:00"))
    assert period.key == "custom-2026-11-10-2026-11-20"
    assert period.label() == "2026-11-10至2026-11-19"


def test_a_trend_is_the_periods_ending_with_this_one_oldest_first() -> None:
    month = period_containing(PeriodKind.MONTH, at("2026-03-15 00:00"))
    assert [p.key for p in periods_before(month, 4)] == [
        "month-2025-12-01",
        "month-2026-01-01",
        "month-2026-02-01",
        "month-2026-03-01",
    ]


def test_a_period_ends_after_it_starts() -> None:
    with pytest.raises(ValueError, match="ends after it starts"):
        Period(kind=PeriodKind.CUSTOM, start=at("2026-11-10 00:00"), end=at("2026-11-10 00:00"))


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        (PeriodKind.WEEK, "第49周"),
        (PeriodKind.HALF_MONTH, "12月上"),
        (PeriodKind.MONTH, "12月"),
        (PeriodKind.QUARTER, "4季度"),
        (PeriodKind.YEAR, "2026年"),
        (PeriodKind.DAY, "12月4日"),
    ],
)
def test_short_labels_under_the_trend_axis(kind: PeriodKind, label: str) -> None:
    assert short_label(period_containing(kind, datetime(2026, 12, 4, 9, 0, tzinfo=UTC))) == label
