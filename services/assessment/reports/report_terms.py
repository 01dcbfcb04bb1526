"""The words a report's codes are printed as, in the HTML page and the workbook alike (unknown codes as they are)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from services.contracts.assessment_periods import CITY_TZ
from services.contracts.assessment_reports import Report, StalledReason, TrendPoint, UnitNoticeKind

DEADLINE_NAMES = {
    "sign_for": "签收",
    "transfer": "转办",
    "feedback": "反馈",
    "resolution": "办结",
    "arbitration": "仲裁",
    "joint_task": "联动任务",
}
STALLED_REASON_NAMES = {StalledReason.OVERDUE: "超期未办结", StalledReason.NO_PROGRESS: "长期无进展"}
NOTICE_NAMES = {
    UnitNoticeKind.NON_RESPONDING: "不响应（未按时签收）",
    UnitNoticeKind.LATE: "迟响应（未按时反馈或办结）",
}
CLASS_KIND_NAMES = {
    "item_township": "同一乡镇同类事项",
    "address": "同一地址",
    "community": "同一小区",
    "text": "相似诉求",
}
RECTIFICATION_STATUS_NAMES = {
    "open": "进行中",
    "running": "进行中",
    "in_progress": "进行中",
    "closed": "已结束",
    "completed": "已完成",
    "cancelled": "已撤销",
    "overdue": "已超期",
}
ORDERED_TO_RECTIFY = "责令限期整改"
TREND_PERIODS_SHOWN = 12


def deadline_name(kind: str | None) -> str:
    return DEADLINE_NAMES.get(kind or "", kind or "—")


def unit_namer(report: Report, names: Mapping[str, str] | None = None) -> Callable[[str | None], str]:
    """Code → Chinese name: those the caller gives (the catalog's), else those the report itself carries, else the
    code; `—` for none."""
    known = {line.group: line.name for line in [*report.rates.lines, *report.rates.no_calls]}
    known.update({notice.unit: notice.name for notice in report.units_named})
    known.update(names or {})
    return lambda code: known.get(code, code) if code else "—"


def city_time(moment: datetime) -> datetime:
    """The moment in the city's time, without a zone (as spreadsheets hold times)."""
    return moment.astimezone(CITY_TZ).replace(tzinfo=None)


def trend_points(report: Report) -> list[TrendPoint]:
    """The trend's periods, oldest first, ending with the report's own (added from the city line if missing)."""
    points = sorted(report.trend, key=lambda point: point.period.start)
    if not points or points[-1].period != report.period:
        city = report.rates.city
        now = {code: city.rates[code].value if code in city.rates else None for code in report.rates.headline}
        points.append(TrendPoint(period=report.period, label=report.period.label(), rates=now))
    return points[-TREND_PERIODS_SHOWN:]
