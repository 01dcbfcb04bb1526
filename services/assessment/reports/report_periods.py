"""Which period a report covers and up to when it counts (pure).

The weekly bulletin (周通报) is issued on Friday about the week it is issued in: Monday 00:00 to the Friday's
cut-off (the weekend's cases are counted in that week's figures by the monthly and later reports, and in every
rate query). The half-monthly, monthly and quarterly reports are issued after their period has ended and cover it
whole. A report asked for a past period counts up to that period's end.
"""

from __future__ import annotations

from datetime import datetime

from services.contracts.assessment_periods import Period, PeriodKind, last_complete_period, period_containing
from services.contracts.assessment_reports import ReportKind

PERIOD_OF_REPORT = {
    ReportKind.WEEKLY: PeriodKind.WEEK,
    ReportKind.HALF_MONTHLY: PeriodKind.HALF_MONTH,
    ReportKind.MONTHLY: PeriodKind.MONTH,
    ReportKind.QUARTERLY: PeriodKind.QUARTER,
}

TITLES = {
    ReportKind.WEEKLY: "12345热线承办情况周通报",
    ReportKind.HALF_MONTHLY: "12345热线承办情况半月专报",
    ReportKind.MONTHLY: "12345热线承办情况月度通报",
    ReportKind.QUARTERLY: "12345热线承办情况季度考核通报",
}


def scheduled_period(kind: ReportKind, fired_at: datetime) -> Period:
    """The period a report issued at `fired_at` covers."""
    period_kind = PERIOD_OF_REPORT[kind]
    if kind is ReportKind.WEEKLY:
        return period_containing(period_kind, fired_at)
    return last_complete_period(period_kind, fired_at)


def requested_period(kind: ReportKind, at: datetime) -> Period:
    """The period of this kind that `at` falls in (a report asked for by the coordination centre)."""
    return period_containing(PERIOD_OF_REPORT[kind], at)


def cutoff_for(period: Period, now: datetime) -> datetime:
    """Count what was known by the period's end, or by now while it runs."""
    return min(period.end, now)


def report_id(kind: ReportKind, period: Period, version: int) -> str:
    return f"{kind.value.replace('_', '-')}-{period.key}-v{version}"


def report_title(kind: ReportKind, period: Period) -> str:
    return f"{TITLES[kind]}（{period.label()}）"
