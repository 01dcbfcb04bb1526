"""The coordination centre's day in a real browser: a case the router could not place is triaged from the desk, a
disputed case arbitrated, an extension decided, a return visit's rating recorded; the search finds a case by its
words and exports it; a catalog change application is refused with a note."""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
from playwright.async_api import Locator, Page, expect
from temporalio.client import Client

from services.console.formats import LOCAL
from tests.support.case_classes import planted_class
from tests.support.case_lifecycle import (
    accepted_case,
    act,
    in_arbitration,
    open_case,
    wait_for_case,
    waiting_for_triage,
)
from tests.support.console import act_in_page, open_action, sign_in
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

LIVE = 30_000  # ms: the desk refreshes every second in tests; the records follow a case within one
CENTRE = "coordination-centre"


async def test_the_centre_triages_a_case_the_router_could_not_place(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case = await waiting_for_triage(api)
    await sign_in(page, system.console_url, system.keys[CENTRE])
    await expect(page).to_have_url(re.compile(r"/centre$"))

    row = _desk_row(page, "待分拨", case["case_id"])
    await expect(row).to_be_visible(timeout=LIVE)  # appeared without reloading: the desk refreshes itself
    # The router's best guess, how sure it was, and the runner-up.
    await expect(row.locator("[data-guess]")).to_contain_text("（UC-03）")
    await expect(row).to_contain_text(re.compile(r"\d+%"))
    await expect(row).to_contain_text("MS-04")

    await row.get_by_role("link").first.click()
    await expect(page.locator("h1 .badge").first).to_have_text("待分拨")
    await expect(page.get_by_role("region", name="办理情况")).to_contain_text(re.compile(r"次选 .*（MS-04）"))
    await act_in_page(page, "分拨", {"清单事项（事项编码）": "MS-04", "分拨理由": "电梯故障为主，派市场监管局"})

    # The triage's answer is the case's new start (received, then assigned): the case page shows it once there.
    placed = await wait_for_case(api, case["case_id"], lambda c: c["status"] == "assigned", what="assigned")
    await page.reload()
    await expect(page.locator("h1 .badge").first).to_have_text("待签收")
    assert (placed["status"], placed["handling_unit"], placed["catalog_item"]) == (
        "assigned",
        "market-regulation",
        "MS-04",
    )
    await page.goto(f"{system.console_url}/centre")
    await expect(_desk_row(page, "待分拨", case["case_id"])).to_have_count(0, timeout=LIVE)


async def test_the_centre_decides_an_arbitration(page: Page, system: RunningSystem, api: httpx.AsyncClient) -> None:
    case_id = await in_arbitration(api)
    await sign_in(page, system.console_url, system.keys[CENTRE])

    row = _desk_row(page, "争议待仲裁", case_id)
    await expect(row).to_be_visible(timeout=LIVE)
    await expect(row).to_contain_text("综合行政执法局")  # who holds it now
    await row.get_by_role("link").first.click()
    await act_in_page(
        page, "仲裁", {"由哪个单位承办（单位代码）": "housing-construction", "仲裁理由": "道路设施属住建"}
    )

    await expect(page.locator("h1 .badge").first).to_have_text("待签收", timeout=LIVE)
    decided = (await api.get(f"/v1/cases/{case_id}")).json()
    assert (decided["status"], decided["handling_unit"], decided["arbitrated"]) == (
        "assigned",
        "housing-construction",
        True,
    )


async def test_the_centre_approves_an_extension_from_the_desk(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case = await accepted_case(api, category="LS-06", unit="water", title="供水管网改造需延期")
    case_id = case["case_id"]
    await act(api, case_id, "extension", {"unit": "water", "working_days": 4, "reason": "需协调管网改造施工"})
    await sign_in(page, system.console_url, system.keys[CENTRE])

    row = _desk_row(page, "延期待审批", case_id)
    await expect(row).to_be_visible(timeout=LIVE)  # found by the records' extension_pending filter
    await expect(row).to_contain_text("4个工作日")
    await expect(row).to_contain_text("需协调管网改造施工")
    await row.get_by_role("link").first.click()
    form = await open_action(page, "审批延期")
    await form.get_by_label("决定").select_option("true")
    await form.get_by_label("意见").fill("同意延期")
    await form.get_by_role("button", name="审批延期").click()
    await expect(page.locator(".flash").first).to_contain_text("审批延期：已提交")

    decided = (await api.get(f"/v1/cases/{case_id}")).json()
    assert [(e["status"], e["decided_by"]) for e in decided["extensions"]] == [("approved", CENTRE)]
    await page.goto(f"{system.console_url}/centre")
    await expect(_desk_row(page, "延期待审批", case_id)).to_have_count(0, timeout=LIVE)


async def test_a_return_visit_records_the_callers_rating(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case = await accepted_case(api, category="LS-06", unit="water", title="自来水发黄回访")
    case_id = case["case_id"]
    await act(api, case_id, "resolve", {"unit": "water", "note": "已冲洗管网，水质检测合格"})
    await sign_in(page, system.console_url, system.keys[CENTRE])

    row = _desk_row(page, "待回访评价", case_id)
    await expect(row).to_be_visible(timeout=LIVE)
    await row.get_by_role("link", name="回访评价").click()
    form = await open_action(page, "回访评价")
    await form.get_by_label("办理速度").select_option("satisfied")
    await form.get_by_label("办理结果").select_option("basically_satisfied")
    await form.get_by_label("来电人意见").fill("水已变清")
    await form.get_by_role("button", name="回访评价").click()
    await expect(page.locator(".flash").first).to_contain_text("回访评价：已提交")

    rated = (await api.get(f"/v1/cases/{case_id}")).json()
    assert rated["status"] == "closed"
    assert [(r["speed"], r["outcome"], r["comment"]) for r in rated["ratings"]] == [
        ("satisfied", "basically_satisfied", "水已变清")
    ]


async def test_the_search_finds_a_case_by_its_words_and_exports_it(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    words = "".join(random.choice("梧桐杨柳松柏桂樟榆槐桑枫") for _ in range(4))  # this test's own character pairs
    title = f"{words}路段井盖缺失"
    case = await open_case(api, category="LS-06", title=title)
    await _found_by_the_api(api, words, case["case_id"])
    await sign_in(page, system.console_url, system.keys[CENTRE])

    await page.goto(f"{system.console_url}/search")
    await page.get_by_label("关键词").fill(words)
    await page.get_by_role("group", name="状态").get_by_label("待签收").check()
    await page.get_by_role("button", name="查询").click()
    results = page.get_by_role("table", name="查询结果")
    await expect(results.get_by_role("link", name=title)).to_be_visible()
    await expect(results.locator("tbody tr")).to_have_count(1)
    assert "q=" in page.url and "status=assigned" in page.url  # the API's own parameter names

    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="CSV").click()
    download = await downloading.value
    assert download.suggested_filename.startswith("cases-") and download.suggested_filename.endswith(".csv")
    path = await download.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(r["案件编号"], r["标题"]) for r in rows] == [(case["case_id"], title)]

    # A unit finds its own cases, with no export; a leader's drill-down link is read as the API's filters.
    await sign_in(page, system.console_url, system.keys["water"])
    await page.goto(f"{system.console_url}/search?q={words}")
    await expect(page.get_by_role("link", name=title)).to_be_visible()
    await expect(page.get_by_role("link", name="CSV")).to_have_count(0)
    drilled = await page.goto(f"{system.console_url}/search?unit=water&overdue=false&q={words}")
    assert drilled is not None and drilled.status == 200
    await expect(page.get_by_label("是否超时")).to_have_value("false")


async def test_a_bad_filter_is_named_and_the_export_is_the_centres(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    await sign_in(page, system.console_url, system.keys[CENTRE])
    refused = await page.goto(f"{system.console_url}/search?escalation_level_min=9&q=停水")
    assert refused is not None and refused.status == 422
    await expect(page.get_by_role("alert")).to_contain_text("升级层级（不低于）：应为0到3的整数")
    await expect(page.get_by_label("关键词")).to_have_value("停水")  # the form kept as typed
    by_the_api = await page.goto(f"{system.console_url}/search?unit=Not A Code")
    assert by_the_api is not None and by_the_api.status == 422
    await expect(page.get_by_role("alert")).to_contain_text("unit")

    await sign_in(page, system.console_url, system.keys["water"])
    forbidden = await page.goto(f"{system.console_url}/search/export?format=csv")
    assert forbidden is not None and forbidden.status == 403


async def test_the_centre_refuses_a_catalog_change_with_a_note(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    item: dict[str, Any] = (await api.get("/v1/catalog")).json()["catalog"]["items"]["HE-04"]
    reason = f"增加配合单位{uuid.uuid4().hex[:6]}"
    body = {"unit": "health", "kind": "change", "item_code": "HE-04", "reason": reason}
    applied = await api.post("/v1/catalog/changes", json=body | {"item": item | {"supporting_units": ["water"]}})
    assert applied.status_code == 202, applied.text
    change_id = applied.json()["change_id"]
    await sign_in(page, system.console_url, system.keys[CENTRE])

    async def listed() -> None:
        await page.goto(f"{system.console_url}/catalog-changes")
        assert await page.locator(f'tr[data-change="{change_id}"]').count() == 1

    await assert_eventually(listed, what="the application listed as pending")
    await page.locator(f'tr[data-change="{change_id}"]').get_by_role("link").click()
    fields = page.get_by_role("table", name="调整内容")
    await expect(fields.get_by_role("row", name=re.compile("配合单位"))).to_contain_text("water")
    await page.get_by_label("审批决定").select_option("false")
    await page.get_by_label("审批意见").fill("配合关系不明确，不予调整")
    await page.get_by_role("button", name="提交审批").click()

    await expect(page.locator(".flash").first).to_contain_text("审批：已不同意")
    await expect(page.locator("h1 .badge")).to_have_text("未同意")
    decided = (await api.get(f"/v1/catalog/changes/{change_id}")).json()
    assert (decided["status"], decided["note"], decided["decided_by"]) == (
        "refused",
        "配合关系不明确，不予调整",
        CENTRE,
    )


async def test_a_special_rectification_from_a_class_of_cases_to_its_closing(
    page: Page, system: RunningSystem, api: httpx.AsyncClient, temporal_client: Client
) -> None:
    class_id, case_ids = await planted_class(api, temporal_client, _prepaid_card_tickets())
    await sign_in(page, system.console_url, system.keys[CENTRE])
    await page.goto(f"{system.console_url}/classes")
    found = page.locator(f'tr[data-class="{class_id}"]')
    await expect(found).to_contain_text("5")
    await found.get_by_role("link", name="发起专项整治").click()

    await expect(page.get_by_label("整治名称")).not_to_be_empty()  # named after the class
    await page.get_by_label("整治名称").fill("城关街道预付卡消费纠纷专项整治")
    await page.get_by_label("牵头单位（单位代码）").fill("market-regulation")
    await page.get_by_label("配合单位", exact=False).fill("chengguan-street")
    deadline = (datetime.now(UTC) + timedelta(days=30)).astimezone(LOCAL)
    await page.get_by_label("完成期限").fill(deadline.strftime("%Y-%m-%dT18:00"))
    await page.get_by_label("整治目标").fill("一个月内预付卡投诉清零")
    await page.get_by_role("button", name="发起专项整治").click()
    await expect(page.locator(".flash").first).to_contain_text("专项整治：已发起")
    await expect(page.get_by_role("heading", name=re.compile("城关街道预付卡消费纠纷专项整治"))).to_be_visible()
    for case_id in case_ids:
        await expect(page.get_by_role("link", name=case_id)).to_be_visible()
    rectification_path = urlparse(page.url).path

    await sign_in(
        page,
        system.console_url,
        system.keys["market-regulation"],
        next_path=rectification_path,
    )
    await page.get_by_label("本周进展", exact=True).fill("已约谈涉事商家3家")
    await page.get_by_label("采取的措施（每行一条，可空）").fill("建立预付卡风险提示\n每周联合检查")
    await page.get_by_role("button", name="报告进展").click()
    await expect(page.locator(".flash").first).to_contain_text("报告进展：已提交")
    await expect(page.get_by_role("region", name="进展", exact=True)).to_contain_text("已约谈涉事商家3家")

    await sign_in(page, system.console_url, system.keys[CENTRE], next_path=rectification_path)
    await page.get_by_label("整治结果", exact=True).fill("涉事商家已整改，投诉清零")
    await page.get_by_role("button", name="结束整治").click()
    await expect(page.locator(".flash").first).to_contain_text("结束整治：已提交")
    await expect(page.locator("h1 .badge").first).to_have_text("已结束")
    rectification_id = rectification_path.rsplit("/", 1)[1]
    closed = (await api.get(f"/v1/rectifications/{rectification_id}")).json()
    assert (closed["status"], closed["result"], [p["unit"] for p in closed["progress"]]) == (
        "closed",
        "涉事商家已整改，投诉清零",
        ["market-regulation"],
    )


# --- helpers -------------------------------------------------------------------------------------------------


def _desk_row(page: Page, section: str, case_id: str) -> Locator:
    return page.get_by_role("table", name=section, exact=True).locator(f'tr[data-case="{case_id}"]')


async def _found_by_the_api(api: httpx.AsyncClient, words: str, case_id: str) -> None:
    async def found() -> None:
        page = (await api.get("/v1/cases", params={"q": words})).json()
        assert [c["case_id"] for c in page["items"]] == [case_id]

    await assert_eventually(found, what="the case in the records")


def _prepaid_card_tickets() -> list[dict[str, Any]]:
    """Five tickets of one item in one township (one no other test uses): a class once the scan runs."""
    return [
        ticket_body(
            title="预付卡商家跑路",
            description="城关街道一家健身房关门，预付卡余额无法退还。",
            category_code="MS-02",
            township="chengguan-street",
            address=f"城关街道第{n + 1}大街{n + 10}号",
        )
        for n in range(5)
    ]
