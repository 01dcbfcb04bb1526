"""The admin's console in a real browser: a key issued (shown once, on the answer's page, never in a cookie),
rotated and revoked; a unit's email channel set and removed; the catalog tables uploaded and checked. A unit edits its
own channels with the same editor."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Page, expect

from services.contracts.case_actions import CITY_LEADER
from services.contracts.catalog import default_catalog_dir
from tests.support.console import sign_in
from tests.support.credentials import bearer
from tests.support.system import RunningSystem

ADMIN = "admin"
EMAIL_UNIT = "development-reform"
WEBHOOK_UNIT = "human-resources"


async def holder(api: httpx.AsyncClient, key: str) -> int:
    """The API's answer to a key: 200 while it works, 401 once it does not."""
    return (await api.get("/v1/me", headers=bearer(key))).status_code


async def no_cookie_holds(context: BrowserContext, secret: str) -> None:
    for cookie in await context.cookies():
        assert secret not in cookie["value"], f"cookie {cookie['name']} carries the secret"


async def shown_key(page: Page) -> str:
    key = await page.get_by_label(re.compile("^API密钥")).input_value()
    assert key.startswith("hk_"), key
    return key


async def test_the_admin_issues_rotates_and_revokes_a_key(
    page: Page, context: BrowserContext, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    await sign_in(page, system.console_url, system.keys[ADMIN])
    await expect(page).to_have_url(re.compile(r"/admin$"))
    client = f"browser-{uuid.uuid4().hex[:8]}"
    await page.get_by_label("客户端标识").fill(client)
    await page.get_by_label("类型").select_option("platform")
    await page.get_by_label("代表对象").fill("12345")
    async with page.expect_response(lambda r: r.url.endswith("/admin/credentials")) as answered:
        await page.get_by_role("button", name="签发").click()
    answer = await answered.value
    assert answer.status == 200 and answer.headers["cache-control"] == "no-store"  # the key's page, not a redirect
    await expect(page.get_by_role("heading", name="已签发新的API密钥")).to_be_visible()
    first = await shown_key(page)
    await no_cookie_holds(context, first)
    assert await holder(api, first) == 200

    # Rotated with no grace: the new key works, the old one no longer.
    await page.get_by_role("link", name="返回凭据列表").click()
    row = page.locator(f'tr[data-client="{client}"]')
    await row.get_by_label("旧密钥保留（小时）").fill("0")
    await row.get_by_role("button", name=re.compile("^轮换")).click()
    await expect(page.get_by_role("heading", name=re.compile("^已轮换"))).to_be_visible()
    second = await shown_key(page)
    assert second != first
    assert await holder(api, second) == 200
    assert await holder(api, first) == 401

    # Revoked (after confirming): the key stops at once.
    await page.get_by_role("link", name="返回凭据列表").click()
    old_row, new_row = (page.locator(f'tr[data-key="{key.split("_", 2)[1]}"]') for key in (first, second))
    await expect(old_row).to_contain_text("已失效")
    await expect(old_row.get_by_role("button")).to_have_count(0)  # nothing left to rotate or revoke
    page.once("dialog", lambda dialog: dialog.accept())
    await new_row.get_by_role("button", name=re.compile("^吊销")).click()
    await expect(page.locator(".flash")).to_contain_text(f"已吊销 {client} 的密钥")
    assert await holder(api, second) == 401
    await expect(new_row).to_contain_text("已吊销")


async def test_a_key_that_fits_no_subject_is_refused_with_the_apis_reason(page: Page, system: RunningSystem) -> None:
    await sign_in(page, system.console_url, system.keys[ADMIN])
    await page.get_by_label("客户端标识").fill("browser-typo")
    await page.get_by_label("类型").select_option("unit")
    await page.get_by_label("代表对象").fill("no-such-unit")
    await page.get_by_role("button", name="签发").click()
    await expect(page.locator(".flash.error")).to_contain_text("subject: 'no-such-unit' does not fit a unit key")
    await expect(page.get_by_label("代表对象")).to_have_value("no-such-unit")  # the form is kept


@pytest_asyncio.fixture
async def email_unit_restored(api: httpx.AsyncClient) -> AsyncIterator[None]:
    before = (await api.get(f"/v1/units/{EMAIL_UNIT}/channels")).json().get("email")
    yield
    if before:
        await api.put(f"/v1/units/{EMAIL_UNIT}/email", json={"to": before["to"]})
    else:
        await api.delete(f"/v1/units/{EMAIL_UNIT}/email")


@pytest.mark.usefixtures("email_unit_restored")
async def test_the_admin_sets_and_removes_a_units_email_channel(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    await sign_in(page, system.console_url, system.keys[ADMIN])
    await page.get_by_role("link", name="通知渠道").click()
    await page.get_by_role("link", name="发展和改革局").click()
    await expect(page.get_by_role("heading", name=re.compile(EMAIL_UNIT))).to_be_visible()

    editor = page.locator("#channel-email")
    await editor.locator("summary").click()
    await editor.get_by_label("收件邮箱").fill("not-an-address")
    await editor.get_by_role("button", name="保存电子邮件").click()
    await expect(page.locator(".flash.error")).to_contain_text("电子邮件未保存：to.0:")  # the API's reason
    await expect(editor.get_by_label("收件邮箱")).to_have_value("not-an-address")

    await editor.get_by_label("收件邮箱").fill("duty@drc.example.gov.cn，night@drc.example.gov.cn")
    await editor.get_by_role("button", name="保存电子邮件").click()
    await expect(page.locator(".flash")).to_contain_text("电子邮件：已保存")
    row = page.locator('tr[data-channel="email"]')
    await expect(row).to_contain_text("duty@drc.example.gov.cn、night@drc.example.gov.cn")
    channels = (await api.get(f"/v1/units/{EMAIL_UNIT}/channels")).json()
    assert channels["email"]["to"] == ["duty@drc.example.gov.cn", "night@drc.example.gov.cn"]

    await editor.locator("summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    await editor.get_by_role("button", name="删除电子邮件").click()
    await expect(page.locator(".flash")).to_contain_text("电子邮件：已删除")
    await expect(row).to_contain_text("未设置")
    assert (await api.get(f"/v1/units/{EMAIL_UNIT}/channels")).json()["email"] is None


async def test_a_unit_sets_its_own_webhook_and_sees_the_secret_once(
    page: Page, context: BrowserContext, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    await sign_in(page, system.console_url, system.keys[WEBHOOK_UNIT])
    await page.get_by_role("navigation", name="主导航").get_by_role("link", name="通知渠道").click()
    editor = page.locator("#channel-webhook")
    await editor.locator("summary").click()
    await editor.get_by_label("接收地址").fill("http://127.0.0.1:9/hr-events")
    try:
        await editor.get_by_role("button", name="保存Webhook（签名JSON推送）").click()
        secret = await page.get_by_label(re.compile("^签名密钥（请立即复制")).input_value()
        assert len(secret) >= 32
        await no_cookie_holds(context, secret)
        await expect(page.locator('tr[data-channel="webhook"]')).to_contain_text(
            "http://127.0.0.1:9/hr-events（已加签）"
        )
        await page.goto(f"{system.console_url}/channels")  # shown once: not on the page again
        await expect(page.get_by_label(re.compile("^签名密钥（请立即复制"))).to_have_count(0)
    finally:
        await api.delete(f"/v1/units/{WEBHOOK_UNIT}/webhook")


async def test_the_admin_uploads_the_catalog_tables(page: Page, system: RunningSystem, api: httpx.AsyncClient) -> None:
    units = (default_catalog_dir() / "units.csv").read_bytes()
    items = (default_catalog_dir() / "items.csv").read_bytes()
    broken = items.replace(b",natural-resources,law-enforcement,support", b",nowhere,law-enforcement,support", 1)
    await sign_in(page, system.console_url, system.keys[ADMIN])
    await page.get_by_role("link", name="责任清单").click()
    versions = await page.locator('table[data-table="versions"] tbody tr').count()

    await page.get_by_label("单位表 units.csv").set_input_files(files=[_csv("units.csv", units)])
    await page.get_by_label("事项表 items.csv").set_input_files(files=[_csv("items.csv", broken)])
    await page.get_by_role("button", name="校验并导入").click()
    await expect(page.locator(".flash.error")).to_contain_text(
        "items.csv row 2 column primary_unit: unknown unit code 'nowhere'"
    )
    await expect(page.locator('table[data-table="versions"] tbody tr')).to_have_count(versions)

    await page.get_by_label("单位表 units.csv").set_input_files(files=[_csv("units.csv", units)])
    await page.get_by_label("事项表 items.csv").set_input_files(files=[_csv("items.csv", b"\xff\xfe" + items)])
    await page.get_by_role("button", name="校验并导入").click()
    await expect(page.locator(".flash.error")).to_contain_text("items_csv：items.csv 不是UTF-8编码")

    # The shipped tables: the version in force, or the next one with its content.
    await page.get_by_label("单位表 units.csv").set_input_files(files=[_csv("units.csv", units)])
    await page.get_by_label("事项表 items.csv").set_input_files(files=[_csv("items.csv", items)])
    await page.get_by_role("button", name="校验并导入").click()
    current = (await api.get("/v1/catalog")).json()["version"]
    await expect(page.locator(".flash")).to_contain_text(re.compile(rf"(已导入为|与现行)第{current}版"))
    await page.get_by_role("link", name=f"第{current}版").click()
    await expect(page.get_by_role("heading", name=f"责任清单第{current}版")).to_be_visible()
    await expect(page.get_by_role("cell", name="违法占用耕地建房")).to_be_visible()


async def test_a_leader_gets_a_403_page_for_the_admin_pages(page: Page, system: RunningSystem) -> None:
    await sign_in(page, system.console_url, system.keys[CITY_LEADER])
    for path in ("/admin", "/admin/units", "/admin/catalog", f"/admin/units/{EMAIL_UNIT}/channels"):
        response = await page.goto(f"{system.console_url}{path}")
        assert response is not None and response.status == 403, path
        await expect(page.locator(".reason")).to_contain_text("系统管理员")


def _csv(name: str, data: bytes) -> dict[str, str | bytes]:
    return {"name": name, "mimeType": "text/csv", "buffer": data}


@pytest.mark.parametrize("path", ["/admin", "/admin/units", "/admin/catalog", f"/admin/units/{EMAIL_UNIT}/channels"])
async def test_the_admin_pages_have_no_serious_accessibility_violations(
    page: Page, system: RunningSystem, path: str
) -> None:
    await sign_in(page, system.console_url, system.keys[ADMIN], next_path=path)
    await expect(page.locator("h1")).to_be_visible()
    results = await Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()
