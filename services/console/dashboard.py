"""What the leaders' dashboard shows, computed from the API's answers: the period asked for, the ranked rates, the
trend, the townships' hotspots and the drill-down links. Pure functions; the page (pages/leader_pages.py) fetches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from services.console.case_tally import CaseTally
from services.contracts.assessment_periods import (
    CITY_TZ,
    Period,
    PeriodKind,
    period_containing,
    periods_before,
    short_label,
)

# The periods a leader picks from (a custom from/to is the centre's reports' business), in the selector's order.
PERIODS = {
    PeriodKind.DAY: "日",
    PeriodKind.WEEK: "周",
    PeriodKind.HALF_MONTH: "半月",
    PeriodKind.MONTH: "月",
    PeriodKind.QUARTER: "季度",
    PeriodKind.YEAR: "年",
}
GROUPS = {"unit": "按单位", "township": "按乡镇（属地）", "domain": "按领域"}
# The three headline rates (承接率、办结率、满意率), charted and ranked in this order.
HEADLINE = ("acceptance", "completion", "satisfaction")
HEADLINE_NAMES = {"acceptance": "承接率", "completion": "办结率", "satisfaction": "满意率"}
TREND_PERIODS = 6
# The API's years (services/intake/report_query.py): a trend stops at the first period before them.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
NO_TOWNSHIP = "未归属"


class InputError(ValueError):
    """A query parameter the dashboard cannot use; the message names it."""


@dataclass(frozen=True)
class DashboardQuery:
    period: PeriodKind
    at: date | None
    group: str

    def params(self) -> dict[str, str]:
        """The rates API's query parameters (and the dashboard's own)."""
        found = {"period": self.period.value, "group": self.group}
        if self.at is not None:
            found["at"] = self.at.isoformat()
        return found

    def current(self, now: datetime) -> Period:
        """The period shown: the one `at` (else `now`) falls in."""
        moment = datetime.combine(self.at, time(), tzinfo=CITY_TZ) if self.at is not None else now
        return period_containing(self.period, moment)


def dashboard_query(period: str = "week", at: str = "", group: str = "unit") -> DashboardQuery:
    """The dashboard's query from its form, or InputError naming the field."""
    kinds = {kind.value: kind for kind in PERIODS}
    if period not in kinds:
        raise InputError(f"period: 应为 {'、'.join(kinds)} 之一，而不是 {period!r}")
    if group not in GROUPS:
        raise InputError(f"group: 应为 {'、'.join(GROUPS)} 之一，而不是 {group!r}")
    day: date | None = None
    if at:
        try:
            day = date.fromisoformat(at)
        except ValueError:
            raise InputError(f"at: {at!r} 不是日期（YYYY-MM-DD）") from None
        if not EARLIEST <= day <= LATEST:
            raise InputError(f"at: 应在 {EARLIEST.isoformat()} 至 {LATEST.isoformat()} 之间")
    return DashboardQuery(period=kinds[period], at=day, group=group)


def trend_anchors(current: Period, count: int = TREND_PERIODS) -> list[date]:
    """The days to ask the rates of, besides the current period's, for a trend of `count` periods.

    Each rates table carries its period's rates and the period's before (`previous_rates`), so every second
    period is enough: for six weeks, the current table and those of two and four weeks back."""
    periods = periods_before(current, count)[::-1]  # newest first: periods[0] is the current one
    days = [_day(period.start) for period in periods[2::2]]
    return [day for day in days if day >= EARLIEST]


def trend_points(tables: Iterable[dict[str, Any]], rates: Iterable[str] = HEADLINE) -> list[dict[str, Any]]:
    """The city's `rates` per period (percent, one decimal; None: nothing to count), oldest first."""
    codes = list(rates)
    points: dict[str, dict[str, Any]] = {}
    for table in tables:
        city = table["city"]
        for period, values in (
            (table["previous_period"], city.get("previous_rates", {})),
            (table["period"], {code: rate["value"] for code, rate in city["rates"].items()}),
        ):
            parsed = Period.model_validate(period)
            points[parsed.key] = {
                "key": parsed.key,
                "start": parsed.start.isoformat(),
                "label": short_label(parsed),
                "rates": {code: as_percent(values.get(code)) for code in codes},
            }
    return sorted(points.values(), key=lambda point: str(point["start"]))


def as_percent(value: float | None) -> float | None:
    """A rate 0–1 as percent with one decimal, for charts (None stays None: no bar, no point)."""
    return None if value is None else round(value * 100, 1)


def ranked(lines: list[dict[str, Any]], rate: str, *, group: str, period: Period) -> list[dict[str, Any]]:
    """The lines with a value for `rate`, best first (ties by name), each with its drill-down link."""
    bars = [
        {
            "code": line["group"],
            "name": line["name"],
            "value": as_percent(line["rates"][rate]["value"]),
            "numerator": line["rates"][rate]["numerator"],
            "denominator": line["rates"][rate]["denominator"],
            "href": drill_down(group, line["group"], period),
        }
        for line in lines
        if rate in line["rates"] and line["rates"][rate]["value"] is not None
    ]
    return sorted(bars, key=lambda bar: (-bar["value"], bar["name"]))


def drill_down(group: str, code: str, period: Period) -> str | None:
    """The case search for a unit's (a township's) cases received in the period; None for a domain (no filter).

    The rates count a case in the period it reached the unit; the search's `received_*` is the time the case came
    in, the same but for cases transferred or arbitrated into the unit later."""
    field = {"unit": "unit", "township": "township"}.get(group)
    if field is None or code == NO_TOWNSHIP:
        return None
    query = {field: code, "received_from": period.start.isoformat(), "received_to": period.end.isoformat()}
    return "/search?" + urlencode(query)


def township_hotspots(classes: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Classes of cases (类案) per township, most cases first: how many classes, and the cases in them (a case in
    two classes, say of its grid and of its township, counts once: `CaseTally`). `classes` may be a class's parts by
    grid (`hotspots?by=grid`): their cases add up to the class's, and the class counts once (by its `class_id`)."""
    found: dict[str, dict[str, Any]] = {}
    seen: dict[str, set[Any]] = {}
    tallies: dict[str, CaseTally] = {}
    for index, case_class in enumerate(classes):
        code = case_class.get("township") or NO_TOWNSHIP
        entry = found.setdefault(code, {"code": code, "name": names.get(code, code), "classes": 0, "cases": 0})
        seen.setdefault(code, set()).add(case_class.get("class_id", index))
        entry["classes"] = len(seen[code])
        tally = tallies.setdefault(code, CaseTally())
        tally.add(case_class)
        entry["cases"] = tally.cases
    return sorted(found.values(), key=lambda entry: (-entry["cases"], -entry["classes"], entry["name"]))


def change_points(change: float | None) -> str:
    """A rate's change against the period before, in percentage points: `↑2.5`, `↓0.4`, `持平`, `—`."""
    if change is None:
        return "—"
    points = round(change * 100, 1)
    if points == 0:
        return "持平"
    return f"{'↑' if points > 0 else '↓'}{abs(points):.1f}"


def _day(moment: datetime) -> date:
    return moment.astimezone(CITY_TZ).date()
