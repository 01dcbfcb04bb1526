"""A report as a complete Chinese HTML page (the email's body and what the report link opens), and as a few lines of
plain text for robots.

The page is one file: inline CSS, inline SVG charts drawn by `charts.py`, no script and no address of anything to
fetch, readable on a phone (tables scroll sideways, their first column stays). The same report always renders to
the same page: every time on it is the report's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from services.assessment.reports.charts import Series, bar_chart, line_chart, percent
from services.assessment.reports.report_terms import (
    CLASS_KIND_NAMES,
    NOTICE_NAMES,
    ORDERED_TO_RECTIFY,
    RECTIFICATION_STATUS_NAMES,
    deadline_name,
    trend_points,
    unit_namer,
)
from services.contracts.assessment_periods import CITY_TZ, short_label
from services.contracts.assessment_reports import RateLine, Report, StalledReason, TrendPoint

_ENVIRONMENT = Environment(
    loader=PackageLoader("services.assessment.reports", "templates"),
    # The page is escaped; the plain-text summary must not be.
    autoescape=select_autoescape(enabled_extensions=("html.jinja",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_report_html(report: Report, *, names: Mapping[str, str] | None = None) -> str:
    """The report as one HTML page in Chinese; `names`: unit and township code → Chinese name (codes the report
    itself names, it names the same way)."""
    return _ENVIRONMENT.get_template("report.html.jinja").render(_context(report, names))


def render_report_summary(report: Report, *, names: Mapping[str, str] | None = None) -> str:
    """A few lines of plain text saying what the report found (the city's rates, first and last units, stalled
    items, units named), without its title and period: for a group robot and the email's text part."""
    text = _ENVIRONMENT.get_template("report_summary.txt.jinja").render(_context(report, names))
    return "\n".join(line for line in text.splitlines() if line.strip())


def change_mark(change: float | None) -> str:
    """A rate's change against the previous period in percentage points: `▲1.3`, `▼0.4`, `持平`, `—`."""
    if change is None:
        return "—"
    points = round(change * 100, 1)
    if points == 0:
        return "持平"
    return f"▲{points:.1f}" if points > 0 else f"▼{-points:.1f}"


def local_time(moment: datetime | None) -> str:
    """The moment in the city's time, to the minute; `—` for none."""
    return moment.astimezone(CITY_TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"


def amount(value: float | None) -> str:
    """A measure: whole numbers as such (`1,204`), others to one decimal; `—` for none."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _context(report: Report, names: Mapping[str, str] | None) -> dict[str, Any]:
    table = report.rates
    headline = [code for code in table.headline if code in table.rates]
    points = trend_points(report)
    stalled_overdue = sum(1 for item in report.stalled if item.reason is StalledReason.OVERDUE)
    return {
        "report": report,
        "table": table,
        "period_label": report.period.label(),
        "headline": headline,
        "other_rates": [code for code in table.rates if code not in headline],
        "bars": _bars(table.lines, headline, table.rates),
        "trend": points,
        "trend_labels": [short_label(point.period) for point in points],
        "trend_chart": _trend_chart(points, headline, table.rates),
        "stalled_overdue": stalled_overdue,
        "stalled_no_progress": len(report.stalled) - stalled_overdue,
        "running_rectifications": [r for r in report.rectifications if r.closed_at is None],
        "name": unit_namer(report, names),
        "percent": percent,
        "change": change_mark,
        "when": local_time,
        "amount": amount,
        "deadline": deadline_name,
        "ordered_to_rectify": ORDERED_TO_RECTIFY,
        "notice_kind": lambda kind: NOTICE_NAMES.get(kind, str(kind)),
        "class_kind": lambda kind: CLASS_KIND_NAMES.get(kind, kind),
        "status": lambda status: RECTIFICATION_STATUS_NAMES.get(status, status),
        "reasons": StalledReason,
    }


def _bars(lines: list[RateLine], headline: list[str], rate_names: Mapping[str, str]) -> Markup | None:
    if not lines:
        return None
    series = [
        Series(rate_names[code], [line.rates[code].value if code in line.rates else None for line in lines])
        for code in headline
    ]
    return bar_chart([line.name for line in lines], series, title="各单位三率（按排名）")


def _trend_chart(points: list[TrendPoint], headline: list[str], rate_names: Mapping[str, str]) -> Markup:
    series = [Series(rate_names[code], [point.rates.get(code) for point in points]) for code in headline]
    return line_chart([short_label(point.period) for point in points], series, title="全市三率走势")
