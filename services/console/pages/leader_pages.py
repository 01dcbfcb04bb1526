"""The leaders' dashboard (领导驾驶舱): the units' three rates ranked, the city's trend, overdue and escalated cases,
the townships' hotspots and the latest bulletins; and the stored reports passed through as the leader.

Everything is rendered on the server: the numbers as tables (the charts' text alternative), and the charts' data as
JSON in the same page (`<script type="application/json">`), so the first paint needs no second request.

Live refresh: the page's live part (tables and chart data) is one fragment, `/dashboard/live`, that htmx asks for
every `refresh_seconds` and swaps in; dashboard.js then redraws the charts from the new JSON. One template renders
the numbers for both the first paint and every refresh, so the table and the chart never disagree; and the chart
elements stay in place (only their data changes), so nothing flickers and keyboard focus is not lost.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console import dashboard, district_map
from services.console.api_client import StaffApi
from services.console.dashboard import HEADLINE, HEADLINE_NAMES, DashboardQuery, InputError
from services.console.rendering import page
from services.console.session import SignedIn, require_role
from services.console.staff import Staff
from services.contracts.assessment_periods import Period
from services.contracts.case_policy import EscalationLevel
from services.contracts.credentials import ClientKind

router = APIRouter()

LIST_LENGTH = 10
HOTSPOT_CLASSES = 100  # one page of the active classes; the page says when there are more
GRID_ROWS = 10  # the grids with most cases, listed under the map (the map draws them all)
OPEN_STATUSES = ["received", "triage", "assigned", "accepted", "arbitration", "rework"]
REPORT_KINDS = {"weekly": "周通报", "half_monthly": "半月专报", "monthly": "月度通报", "quarterly": "季度通报"}
# The API's report ids (services/intake/stored_report_routes.py): checked here too, so that no id reaches the API
# as another path.
REPORT_ID = re.compile(r"^[a-z-]+-[a-z-]+-\d{4}-\d{2}-\d{2}(-\d{4}-\d{2}-\d{2})?-v\d+$")
REPORT_FILES = {
    "report.html": "text/html; charset=utf-8",
    "report.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/dashboard")
async def dashboard_page(
    request: Request, staff: SignedIn, period: str = "week", at: str = "", group: str = "unit"
) -> Response:
    return await _dashboard_page(request, staff, (period, at, group), "dashboard.html")


@router.get("/dashboard/live")
async def dashboard_live(
    request: Request, staff: SignedIn, period: str = "week", at: str = "", group: str = "unit"
) -> Response:
    """The dashboard's live part alone (tables and chart data), for htmx's poll."""
    return await _dashboard_page(request, staff, (period, at, group), "dashboard_live.html")


async def _dashboard_page(request: Request, staff: Staff, asked: tuple[str, str, str], template: str) -> Response:
    """The whole dashboard or its live part, for the period, day and grouping asked for (422 page naming a bad one)."""
    require_role(staff, ClientKind.LEADER)
    try:
        query = dashboard.dashboard_query(*asked)
    except InputError as error:
        return page(request, "error.html", 422, staff=staff, title="输入有误", reason=str(error))
    context = await _dashboard(request.app.state.api.acting_for(staff), query, request.app.state.names.units)
    return page(request, template, staff=staff, title="领导驾驶舱", **context)


@router.get("/reports/{report_id}/{name}")
async def report_file(request: Request, report_id: str, name: str, staff: SignedIn) -> Response:
    """A stored bulletin's page or workbook, fetched as the signed-in person (the browser holds no API key)."""
    require_role(staff, ClientKind.LEADER, ClientKind.COORDINATION, ClientKind.UNIT)
    if not REPORT_ID.match(report_id) or name not in REPORT_FILES:
        return page(request, "error.html", 404, staff=staff, title="未找到", reason=f"没有报告 {report_id}/{name}")
    answer = await request.app.state.api.acting_for(staff).request("GET", f"/v1/reports/{report_id}/{name}")
    headers = {"Cache-Control": "private, no-store"}
    if name.endswith(".xlsx"):
        headers["Content-Disposition"] = f'attachment; filename="{report_id}.xlsx"'
    return Response(answer.content, media_type=REPORT_FILES[name], headers=headers)


async def _dashboard(api: StaffApi, query: DashboardQuery, names: dict[str, str]) -> dict[str, Any]:
    """Everything the dashboard shows, fetched at once (the calls run together); `names`: the catalog's units' names
    (the console's own copy, read for every page)."""
    current = query.current(datetime.now(UTC))
    earlier = [
        api.figures("/v1/reports/rates", period=query.period.value, at=day.isoformat(), group="unit")
        for day in dashboard.trend_anchors(current)
    ]
    table, overdue, escalated, reports, hotspots, boundaries, *trend_tables = await asyncio.gather(
        api.figures("/v1/reports/rates", **query.params()),
        api.get("/v1/cases", overdue="true", status=OPEN_STATUSES, limit=LIST_LENGTH),
        api.get(
            "/v1/cases", escalation_level_min=int(EscalationLevel.CITY_LEADER), status=OPEN_STATUSES, limit=LIST_LENGTH
        ),
        api.get("/v1/reports", limit=50),
        # By grid: each class as one part per grid its cases lie in; the townships' figures add the parts up.
        api.figures("/v1/reports/hotspots", active="true", by="grid", limit=HOTSPOT_CLASSES),
        api.boundaries(),
        *earlier,
    )
    # The definitions name the rates (docs/assessment.md); a city's own may leave one of the three out.
    headline = {code: table["rates"].get(code, HEADLINE_NAMES[code]) for code in HEADLINE if code in table["rates"]}
    shown = Period.model_validate(table["period"])
    charts = {
        rate: {
            "name": name,
            "bars": dashboard.ranked(table["lines"], rate, group=query.group, period=shown),
        }
        for rate, name in headline.items()
    }
    townships = dashboard.township_hotspots(hotspots["classes"], names)
    grids = district_map.grid_hotspots(hotspots["classes"], district_map.place_names(boundaries))
    shapes = district_map.township_shapes(boundaries)
    # The grids' shapes change with the hotspots: they ride with the figures, only those of grids with cases.
    grid_shapes = district_map.grid_shapes(boundaries, (grid["code"] for grid in grids))
    chart_data = {
        "rates": charts,
        "trend": {"names": headline, "points": dashboard.trend_points([*trend_tables, table], headline)},
        "hotspots": townships,
        "map": district_map.township_areas(shapes, townships),
        "grids": {"areas": district_map.grid_areas(grid_shapes, grids), "shapes": grid_shapes},
    }
    return {
        "query": query,
        "periods": dashboard.PERIODS,
        "groups": dashboard.GROUPS,
        "table": table,
        "period_label": shown.label(),
        "headline": list(headline),
        "headline_names": headline,
        "charts": charts,
        "trend": chart_data["trend"],
        "townships": townships,
        "grids": grids[:GRID_ROWS],
        "hotspots_more": hotspots.get("next_cursor") is not None,
        "overdue": overdue["items"],
        "escalated": escalated["items"],
        "openable_level": int(EscalationLevel.CITY_LEADER),
        "unit_names": names,
        "latest": _latest_reports(reports["items"]),
        "recent_reports": reports["items"][:8],
        "report_kinds": REPORT_KINDS,
        "chart_data": chart_data,
        # The shapes go in the page once, outside its live part: they do not change with the figures.
        "district_shapes": {
            "version": boundaries.get("version"),
            "bounds": district_map.bounding_coords(shapes),
            **shapes,
        },
        "live_query": query.params(),
        "change_points": dashboard.change_points,
        "drill_down": lambda code: dashboard.drill_down(query.group, code, shown),
    }


def _latest_reports(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest report of each kind (the list comes newest period first, the highest version first)."""
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        latest.setdefault(item["kind"], item)
    return [latest[kind] for kind in REPORT_KINDS if kind in latest]
