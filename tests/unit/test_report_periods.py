"""Which period a report covers, and when it counts up to."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.assessment.reports.report_periods import (
    cutoff_for,
    report_id,
    report_title,
    requested_period,
    scheduled_period,
)
from services.contracts.assessment_periods import CITY_TZ
from services.contracts.assessment_reports import ReportKind


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CITY_TZ)


@pytest.mark.parametrize(
    ("kind", "fired", "start", "end"),
    [
        # Friday's bulletin: the week it is issued in, counted to the Friday's cut-off.
        (ReportKind.WEEKLY, "2026-12-11 17:00", "2026-12-07", "2026-12-14"),
        # The others: issued after their period, covering it whole.
        (ReportKind.HALF_MONTHLY, "2026-12-16 09:00", "2026-12-01", "2026-12-16"),
        (ReportKind.HALF_MONTHLY, "2027-01-01 09:00", "2026-12-16", "2027-01-01"),
        (ReportKind.MONTHLY, "2027-01-01 09:00", "2026-12-01", "2027-01-01"),
        (ReportKind.QUARTERLY, "2027-01-01 09:00", "2026-10-01", "2027-01-01"),
    ],
)
def test_a_scheduled_report_covers(kind: ReportKind, fired: str, start: str, end: str) -> None:
    period = scheduled_period(kind, at(fired))
    assert (period.start, period.end) == (at(start), at(end))


def test_a_report_counts_to_the_end_of_its_period_or_to_now_while_it_runs() -> None:
    week = scheduled_period(ReportKind.WEEKLY, at("2026-12-11 17:00"))
    assert cutoff_for(week, at("2026-12-11 17:00")) == at("2026-12-11 17:00")
    month = scheduled_period(ReportKind.MONTHLY, at("2027-01-01 09:00"))
    assert cutoff_for(month, at("2027-01-01 09:00")) == at("2027-01-01 00:00")


def test_a_requested_report_is_of_the_period_its_moment_falls_in() -> None:
    assert requested_period(ReportKind.MONTHLY, at("2026-11-20 10:00")).key == "month-2026-11-01"


def test_ids_and_titles_name_the_kind_period_and_version() -> None:
    week = scheduled_period(ReportKind.WEEKLY, at("2026-12-11 17:00"))
    assert report_id(ReportKind.WEEKLY, week, 2) == "weekly-week-2026-12-07-v2"
    assert report_id(ReportKind.HALF_MONTHLY, week, 1) == "half-monthly-week-2026-12-07-v1"
    assert report_title(ReportKind.WEEKLY, week) == "12345热线承办情况周通报（2026年第50周（12月7日至12月13日））"
