"""A city leader's dashboard in a real browser: the units' rates move when a case is resolved, without reloading;
the page works on a phone, paints quickly, passes axe-core, and opens the latest bulletin as the leader; the map's
townships and grids open their cases."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from services.contracts.boundaries import load_boundaries
from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from tests.support.case_classes import planted_class
from tests.support.case_lifecycle import accepted_case, act, open_case
from tests.support.console import sign_in
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.records import wait_until_recorded
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

log = logging.getLogger(__name__)
LIVE = 30_000  # ms: the dashboard refreshes every second in tests; the records follow a case within one
FIRST_PAINT_LIMIT_MS = 5_000  # generous: the < 1 s target is `make bench`'s, on a quiet host
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 768}
TALL_PHONE = {"width": 390, "height": 844}
SAMPLE_TOWNSHIPS = ("城关街道", "东湖街道", "河口镇", "青山镇", "石桥镇", "桃源乡")


async def completion_of(api: httpx.AsyncClient, system: RunningSystem, unit: str) -> tuple[int, int]:
    """The unit's completion rate this week as the leader's API key reads it: (completed, accepted)."""
    answer = await api.get(
        "/v1/reports/rates", params={"period": "week", "group": "unit"}, headers=bearer(system.keys[CITY_LEADER])
    )
    assert answer.status_code == 200, answer.text
    line = next(line for line in answer.json()["lines"] if line["group"] == unit)
    rate = line["rates"]["completion"]
    return int(rate["numerator"]), int(rate["denominator"])


async def test_a_leader_sees_a_units_completion_rate_move_when_a_case_is_resolved(
    page: Page, system: RunningSystem, api: httpx.AsyncClient, temporal_client: Client, database: AsyncEngine
) -> None:
    await sign_in(page, system.console_url, system.keys[CITY_LEADER])
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await expect(page.get_by_role("heading", name="领导驾驶舱")).to_be_visible()

    case_id = (await accepted_case(api, category="LS-06", unit="water", title=f"水压{uuid.uuid4().hex[:6]}"))["case_id"]
    await wait_until_recorded(database, temporal_client, case_id)
    completed, accepted = await completion_of(api, system, "water")
    cell = page.locator('table[data-table="rates"] tr[data-group="water"] td[data-rate="completion"]')
    await expect(cell).to_contain_text(f"（{completed}/{accepted}）", timeout=LIVE)

    await act(api, case_id, "resolve", {"unit": "water", "note": "已调整加压泵"})
    await wait_until_recorded(database, temporal_client, case_id)
    assert await completion_of(api, system, "water") == (completed + 1, accepted)
    # The page was not reloaded: its live part brought the new figures.
    await expect(cell).to_contain_text(
        f"{(completed + 1) / accepted * 100:.1f}%（{completed + 1}/{accepted}）", timeout=LIVE
    )

    # The unit's name drills down to its cases in the case search, for the same period.
    link = page.locator('table[data-table="rates"] tr[data-group="water"] a').first
    href = await link.get_attribute("href")
    assert href is not None and href.startswith("/search?unit=water&received_from=")


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone-375x667", "desktop-1366x768"])
async def test_the_dashboard_fits_a_phone_and_a_desktop(
    browser: Browser, system: RunningSystem, screen: dict[str, int]
) -> None:
    phone = screen is PHONE
    context = await browser.new_context(viewport=screen, locale="zh-CN", is_mobile=phone, has_touch=phone)
    try:
        page = await context.new_page()
        await sign_in(page, system.console_url, system.keys[CITY_LEADER])
        for chart in ("acceptance", "completion", "satisfaction", "trend", "hotspots"):
            canvas = page.locator(f"#chart-{chart} canvas")
            await expect(canvas).to_be_visible()
            box = await canvas.bounding_box()
            assert box is not None and 0 < box["width"] <= screen["width"], (chart, box)
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {screen}"
    finally:
        await context.close()


async def test_the_map_draws_the_districts_townships_by_name_on_a_phone(
    browser: Browser, system: RunningSystem
) -> None:
    context = await browser.new_context(viewport=TALL_PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        page = await context.new_page()
        await sign_in(page, system.console_url, system.keys[CITY_LEADER])
        drawn = page.locator("#chart-map svg")
        await expect(drawn).to_be_visible(timeout=LIVE)
        # The shapes are the district's own boundaries (GET /v1/boundaries), named as they are: no map tiles.
        for name in SAMPLE_TOWNSHIPS:
            await expect(drawn.locator("text", has_text=name).first).to_be_attached()
        box = await drawn.bounding_box()
        assert box is not None and 0 < box["width"] <= TALL_PHONE["width"], box
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {TALL_PHONE}"
    finally:
        await context.close()


@pytest.mark.parametrize(("group", "row"), [("township", "hekou-town"), ("domain", "livelihood")])
async def test_the_rates_by_township_or_by_domain(
    page: Page,
    system: RunningSystem,
    api: httpx.AsyncClient,
    temporal_client: Client,
    database: AsyncEngine,
    group: str,
    row: str,
) -> None:
    case = await open_case(api, category="LS-06", township="hekou-town")  # water supply: the livelihood domain
    await wait_until_recorded(database, temporal_client, case["case_id"])
    await sign_in(page, system.console_url, system.keys[CITY_LEADER], next_path=f"/dashboard?group={group}")
    table = page.locator('table[data-table="rates"]')
    await expect(table.locator("caption")).to_contain_text("按乡镇" if group == "township" else "按领域")
    line = table.locator(f'tr[data-group="{row}"]')
    await expect(line).to_be_visible()
    # A township drills down to its cases; a domain has no case search filter to go to.
    await expect(line.get_by_role("link")).to_have_count(1 if group == "township" else 0)
    await expect(page.locator("#chart-completion canvas")).to_be_visible()


async def test_the_dashboard_paints_first_quickly(
    page: Page, system: RunningSystem, record_property: Callable[[str, object], None]
) -> None:
    await sign_in(page, system.console_url, system.keys[CITY_LEADER])
    await page.goto(f"{system.console_url}/dashboard?period=month")  # a fresh navigation, measured on its own
    await expect(page.locator("#chart-completion canvas")).to_be_visible()
    paints: list[dict[str, Any]] = await page.evaluate(
        "performance.getEntriesByType('paint').map(e => ({name: e.name, start: e.startTime}))"
    )
    first = {entry["name"]: entry["start"] for entry in paints}
    first["response-start"], first["response-end"] = await page.evaluate(
        "(n => [n.responseStart, n.responseEnd])(performance.getEntriesByType('navigation')[0])"
    )
    assert "first-contentful-paint" in first, paints
    record_property("dashboard_first_contentful_paint_ms", round(first["first-contentful-paint"]))
    log.warning("dashboard first paint %s", {name: round(start) for name, start in first.items()})
    assert first["first-contentful-paint"] < FIRST_PAINT_LIMIT_MS


async def test_the_dashboard_has_no_serious_accessibility_violations(page: Page, system: RunningSystem) -> None:
    await sign_in(page, system.console_url, system.keys[CITY_LEADER])
    await expect(page.locator("#chart-acceptance canvas")).to_be_visible()
    results = await Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()


async def test_a_leader_opens_the_latest_weekly_bulletin(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    asked = await api.post("/v1/reports", json={"kind": "weekly"}, headers=bearer(system.keys[COORDINATION_CENTRE]))
    assert asked.status_code in (201, 202), asked.text

    async def listed() -> str:
        found = await api.get("/v1/reports", params={"kind": "weekly"}, headers=bearer(system.keys[CITY_LEADER]))
        items = found.json()["items"]
        assert items, "no weekly report yet"
        return str(items[0]["report_id"])

    report_id = await assert_eventually(listed, timeout=60, what="a weekly report stored")
    await sign_in(page, system.console_url, system.keys[CITY_LEADER])
    await page.get_by_role("link", name="查看通报及专报").first.click()
    await expect(page).to_have_url(re.compile(rf"/reports/{report_id}/report\.html$"))
    await expect(page.locator("h1").first).to_contain_text("通报")

    workbook = await page.request.get(f"{system.console_url}/reports/{report_id}/report.xlsx")
    assert workbook.status == 200
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert (await workbook.body())[:2] == b"PK"  # a zip: the workbook itself, not an error page

    refused = await page.request.get(f"{system.console_url}/reports/weekly-week-1999-01-04-v1/report.html")
    assert refused.status == 404  # the API's 404, shown as the console's error page


@pytest.mark.parametrize("query", ["period=fortnight", "at=2026-13-01", "group=street"])
async def test_a_bad_period_is_a_422_page_naming_the_field(page: Page, system: RunningSystem, query: str) -> None:
    await sign_in(page, system.console_url, system.keys[CITY_LEADER])
    response = await page.goto(f"{system.console_url}/dashboard?{query}")
    assert response is not None and response.status == 422
    await expect(page.locator(".reason")).to_contain_text(query.split("=")[0] + ":")


HOT_GRID = "sample-district.shiqiao-town.zhangzhuang.g01"
QUIET_GRID = "sample-district.shiqiao-town.mazhuang.g02"  # of the same township, with no hotspot of ours


def inside(code: str) -> tuple[float, float]:
    """A point (longitude, latitude) well inside the boundary of `code`."""
    point = next(b for b in load_boundaries().boundaries if b.code == code).shape().representative_point()
    return point.x, point.y


async def click_on_map(page: Page, series: int, point: tuple[float, float]) -> None:
    """Click the map where `point` is drawn by its `series` (0: the townships, 1: the grids)."""
    await page.locator("#chart-map").scroll_into_view_if_needed()
    xy = await page.evaluate(
        "([series, point]) => echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".convertToPixel({seriesIndex: series}, point)",
        [series, list(point)],
    )
    box = await page.locator("#chart-map").bounding_box()
    assert box is not None and xy is not None
    await page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


async def test_the_map_draws_the_grids_with_cases_and_opens_their_cases(
    page: Page, system: RunningSystem, api: httpx.AsyncClient, temporal_client: Client
) -> None:
    """Five reports of straw burning from one grid of 石桥镇 make a class: the map draws that grid with its cases
    over its township; a click on the grid opens the cases of the grid, one on the township the township's."""
    # No address: the reports would make a class of their village too, besides the one of the item and township.
    tickets = [
        ticket_body(
            township="shiqiao-town",
            address=None,
            title="田里焚烧秸秆",
            description=f"巡查发现地里有人焚烧秸秆，浓烟很大（第{n + 1}处）。",
            category_code="EE-04",
            location={"grid_code": HOT_GRID},
        )
        for n in range(5)
    ]
    _, case_ids = await planted_class(api, temporal_client, tickets)
    await sign_in(page, system.console_url, system.keys[CITY_LEADER])

    # The grids table (the map's text) lists the grid with at least our five cases, linked to its search.
    row = page.locator(f'table[data-table="grids"] tr[data-place="{HOT_GRID}"]')
    await expect(row).to_contain_text("张庄村", timeout=LIVE)
    cases = int(await row.locator("td").last.inner_text())
    assert cases >= len(case_ids)

    async def grid_drawn() -> dict[str, Any]:
        drawn: dict[str, Any] = await page.evaluate(
            """(grid) => {
              const chart = window.echarts && echarts.getInstanceByDom(document.getElementById('chart-map'));
              const series = chart ? chart.getOption().series : [];
              const area = series.length > 1 ? series[1].data.find(d => d.name === grid) : null;
              return {layers: series.length, area: area || null};
            }""",
            HOT_GRID,
        )
        assert drawn["layers"] == 2 and drawn["area"] is not None, drawn
        return drawn

    drawn = await assert_eventually(grid_drawn, timeout=LIVE / 1000, what="the grid layer with the hot grid")
    assert drawn["area"]["value"] == cases and drawn["area"]["href"] == f"/search?place={HOT_GRID}"
    # Both layers are laid out in one box: the grid falls on its township.
    hot = inside(HOT_GRID)
    pixels = await page.evaluate(
        "(point) => [0, 1].map(i => echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".convertToPixel({seriesIndex: i}, point))",
        list(hot),
    )
    assert all(abs(a - b) < 0.5 for a, b in zip(*pixels, strict=True)), pixels

    await click_on_map(page, 1, hot)
    await expect(page).to_have_url(re.compile(r"/search\?place=sample-district\.shiqiao-town\.zhangzhuang\.g01$"))
    await expect(page.locator("#f-place")).to_have_value(HOT_GRID)
    for case_id in case_ids:
        await expect(page.locator(f'tr[data-case="{case_id}"]')).to_be_visible()
        # Each row names its grid, a link to the grid's cases.
        grid_link = page.locator(f'tr[data-case="{case_id}"] a[href="/search?place={HOT_GRID}"]')
        await expect(grid_link).to_have_text(HOT_GRID.rsplit(".", 1)[-1])

    await page.go_back()
    await assert_eventually(grid_drawn, timeout=LIVE / 1000, what="the map drawn again")
    await click_on_map(page, 0, inside(QUIET_GRID))
    await expect(page).to_have_url(re.compile(r"/search\?township=shiqiao-town$"))
    await expect(page.locator(f'tr[data-case="{case_ids[0]}"]')).to_be_visible()
