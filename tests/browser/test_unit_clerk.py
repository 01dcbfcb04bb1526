"""A unit clerk's day in a real browser: a new case appears in the queue, is read, signed for, answered and resolved;
another unit's clerk cannot open it; a forged form is refused."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.async_api import Page, expect

from tests.support.case_lifecycle import act, open_case
from tests.support.console import act_in_page, sign_in
from tests.support.extra_console import extra_console
from tests.support.system import RunningSystem

LIVE = 30_000  # ms: the queue refreshes every second in tests; the records follow the case within one


async def test_a_clerk_signs_for_answers_and_resolves_a_new_case(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    await sign_in(page, system.console_url, system.keys["water"])
    await expect(page).to_have_url(re.compile(r"/queue$"))

    title = f"停水{uuid.uuid4().hex[:6]}"
    case = await open_case(api, category="LS-06", title=title)
    link = page.get_by_role("link", name=title)
    await expect(link).to_be_visible(timeout=LIVE)  # appeared without reloading: the rows refresh themselves

    await link.click()
    await expect(page.get_by_role("heading", name=re.compile(title))).to_be_visible()
    await expect(page.locator(".description")).to_contain_text("幸福家园小区从前天早上开始停水")

    await act_in_page(page, "签收", {})
    await expect(page.locator("h1 .badge").first).to_have_text("办理中", timeout=LIVE)
    await act_in_page(page, "首次反馈", {"反馈内容": "已安排抢修班组到场"})
    await act_in_page(page, "办结", {"办理结果": "管道已修复，恢复供水"})
    await expect(page.locator("h1 .badge").first).to_have_text("已办结待评价", timeout=LIVE)
    state = (await api.get(f"/v1/cases/{case['case_id']}")).json()
    assert state["status"] == "resolved"
    assert state["resolution_note"] == "管道已修复，恢复供水"


async def test_a_unit_with_more_cases_than_its_queue_lists_still_sees_those_to_sign_for(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    signed = await open_case(api, category="EM-03", title="楼道飞线充电", township="qingshan-town")
    await act(api, signed["case_id"], "accept", {"unit": "fire-rescue", "note": "已签收"})
    newest = await open_case(
        api, category="EM-03", title=f"消防通道堵塞{uuid.uuid4().hex[:4]}", township="qingshan-town"
    )
    # A queue of one: the most pressing case fills it, the newest (to sign for) comes by the search.
    async with extra_console(system, "short-queue", {"HOTLINE_CONSOLE_QUEUE_PAGE": "1"}) as console:
        await sign_in(page, console.base_url, system.keys["fire-rescue"], next_path="/queue?tab=new")
        await expect(page.get_by_role("link", name=newest["title"])).to_be_visible(timeout=LIVE)
        await expect(page.get_by_role("note")).to_contain_text("最紧迫的1件和待签收的工单")
        await expect(page.locator('[data-count="all"]')).to_contain_text("+")


async def test_a_refused_action_shows_the_apis_reason(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case = await open_case(api, category="LS-06")
    await sign_in(page, system.console_url, system.keys["water"], next_path=f"/cases/{case['case_id']}")
    # A transfer to a unit the catalog does not have: the API refuses it, and the page says why.
    form = page.locator("details.action", has=page.locator("summary", has_text="退回（非本单位职责）"))
    await form.locator("summary").click()
    await form.get_by_label("应由哪个单位办理（单位代码）").fill("no-such-unit")
    await form.get_by_label("依据的清单事项（事项编码）").fill("LS-06")
    await form.get_by_label("理由", exact=True).fill("不属于本单位")
    await form.get_by_role("button", name="退回（非本单位职责）").click()
    await expect(page.locator(".flash.error")).to_contain_text("未被接受")
    await expect(form.get_by_label("理由", exact=True)).to_have_value("不属于本单位")  # the form is kept


async def test_another_units_clerk_gets_a_403_page(page: Page, system: RunningSystem, api: httpx.AsyncClient) -> None:
    case = await open_case(api, category="LS-06")
    await sign_in(page, system.console_url, system.keys["education"])
    response = await page.goto(f"{system.console_url}/cases/{case['case_id']}")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    await expect(page.locator(".reason")).to_contain_text("not yours")


async def test_a_form_without_the_csrf_token_is_refused(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case = await open_case(api, category="LS-06")
    await sign_in(page, system.console_url, system.keys["water"])
    # The browser's own cookies, a well-formed action, but no token: what a forged form on another page would send.
    forged = await page.request.post(
        f"{system.console_url}/cases/{case['case_id']}/actions/accept", form={"note": "伪造"}
    )
    assert forged.status == 403
    assert "CSRF" in await forged.text()
    state = (await api.get(f"/v1/cases/{case['case_id']}")).json()
    assert state["status"] == "assigned"  # nothing reached the case


async def test_signing_out_ends_the_session(page: Page, system: RunningSystem) -> None:
    await sign_in(page, system.console_url, system.keys["water"])
    await page.get_by_role("button", name="退出").click()
    await page.goto(f"{system.console_url}/queue")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=/queue"))
