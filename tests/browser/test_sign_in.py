"""Signing in and out of the console in a real browser: through a real OpenID Connect provider (oidc-provider-mock,
Authlib on Flask) and with a development key; what a session lasts and where it may send the browser afterwards."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, Route, expect

from tests.support.case_lifecycle import open_case
from tests.support.console import sign_in
from tests.support.credentials import bearer
from tests.support.extra_console import Person, extra_console, oidc_env, oidc_provider
from tests.support.polling import assert_eventually
from tests.support.services import ServiceProcess
from tests.support.system import RunningSystem

CLERK = Person("sub-li", {"preferred_username": "li.water", "name": "李水清", "hotline_roles": ["unit:water"]})
LEADER = Person(
    "sub-zhao", {"preferred_username": "zhao.leader", "name": "赵市长", "hotline_roles": "leader:city-leader"}
)
NO_ROLE = Person("sub-qian", {"preferred_username": "qian", "name": "钱多多", "hotline_roles": ["operator"]})
IDLE_SECONDS = 6
COOKIE = "hotline_console"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider([CLERK, LEADER, NO_ROLE]) as url:
        yield url


@pytest_asyncio.fixture(scope="module")
async def oidc_console(system: RunningSystem, issuer: str) -> AsyncIterator[ServiceProcess]:
    """As production signs people in: OpenID Connect only, no development keys."""
    async with extra_console(system, "oidc", {**oidc_env(issuer), "HOTLINE_CONSOLE_DEV_SIGN_IN": "false"}) as console:
        yield console


@pytest_asyncio.fixture(scope="module")
async def idle_console(system: RunningSystem) -> AsyncIterator[ServiceProcess]:
    idle = {"HOTLINE_CONSOLE_SESSION_IDLE_MINUTES": str(IDLE_SECONDS / 60)}
    async with extra_console(system, "idle", idle) as console:
        yield console


async def through_provider(page: Page, console_url: str, sub: str, *, next_path: str = "") -> None:
    """From the console's sign-in page to the provider's, and sign in there as `sub`."""
    await page.goto(f"{console_url}/sign-in" + (f"?next={next_path}" if next_path else ""))
    await page.get_by_role("link", name="统一身份认证登录").click()
    await expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    await page.get_by_role("button", name=sub, exact=True).click()


async def test_a_clerk_signs_in_at_the_provider_and_the_api_acts_as_them(
    page: Page, oidc_console: ServiceProcess, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case = await open_case(api, category="LS-06", title=f"停水{uuid.uuid4().hex[:6]}")
    case_id = case["case_id"]
    await _ticket_recorded(api, case_id)

    await through_provider(page, oidc_console.base_url, CLERK.sub, next_path=f"/cases/{case_id}")
    await expect(page).to_have_url(f"{oidc_console.base_url}/cases/{case_id}")
    await expect(page.locator(".who")).to_contain_text("李水清（承办单位·water）")
    await expect(page.locator(".description")).to_contain_text("幸福家园小区从前天早上开始停水")

    # The API served the ticket to the person through the console's key: the access log names them.
    async with httpx.AsyncClient(base_url=system.api_url, headers=bearer(system.keys["admin"])) as admin:
        log = (await admin.get("/v1/admin/access-log", params={"case_id": case_id})).json()
    readers = {(entry["client_id"], entry["client_kind"], entry["subject"]) for entry in log["items"]}
    assert ("li.water@dev-console", "unit", "water") in readers, readers


async def test_each_role_lands_on_its_own_page(page: Page, oidc_console: ServiceProcess) -> None:
    await through_provider(page, oidc_console.base_url, CLERK.sub)
    await expect(page).to_have_url(f"{oidc_console.base_url}/queue")
    await expect(page.get_by_role("heading", name=re.compile("我的工单"))).to_be_visible()

    await page.context.clear_cookies()
    await through_provider(page, oidc_console.base_url, LEADER.sub)  # roles as one string, space-separated
    await expect(page).to_have_url(f"{oidc_console.base_url}/dashboard")  # (the leaders' pages: issue 26's others)
    await expect(page.locator(".who")).to_contain_text("赵市长（领导·city-leader）")


async def test_a_person_without_a_role_gets_the_403_page(page: Page, oidc_console: ServiceProcess) -> None:
    refused = []
    page.on("response", lambda r: refused.append(r.status) if "/sign-in/oidc/callback" in r.url else None)
    await through_provider(page, oidc_console.base_url, NO_ROLE.sub)
    await expect(page.get_by_role("heading", name="无权使用")).to_be_visible()
    await expect(page.locator(".reason")).to_contain_text("hotline_roles")
    assert refused == [403]
    await _not_signed_in(page, oidc_console.base_url)


async def test_someone_the_provider_knows_only_by_sub_is_refused(page: Page, oidc_console: ServiceProcess) -> None:
    # Typed at the provider: a person it makes up on the spot, with an email and nothing else.
    await page.goto(f"{oidc_console.base_url}/sign-in")
    await page.get_by_role("link", name="统一身份认证登录").click()
    await page.get_by_placeholder("sub").fill(f"stranger-{uuid.uuid4().hex[:6]}")
    await page.get_by_role("button", name="Authorize").click()
    await expect(page.get_by_role("heading", name="无权使用")).to_be_visible()


async def test_a_denied_sign_in_is_refused(page: Page, oidc_console: ServiceProcess) -> None:
    await page.goto(f"{oidc_console.base_url}/sign-in")
    await page.get_by_role("link", name="统一身份认证登录").click()
    await page.get_by_role("button", name="Deny").click()
    await expect(page.get_by_role("heading", name="登录失败")).to_be_visible()
    await expect(page.locator(".reason")).to_contain_text("denied the request")
    await _not_signed_in(page, oidc_console.base_url)


async def test_a_tampered_state_is_refused_though_the_code_is_real(page: Page, oidc_console: ServiceProcess) -> None:
    # The provider sends back the state it was given: change it where the person's "yes" is posted to the provider,
    # and a real code comes back to the console with a state the console never issued.
    async def tamper(route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        forged = re.sub(r"([?&])state=[^&]+", r"\1state=forged", route.request.url)
        assert forged != route.request.url
        await route.continue_(url=forged)

    await page.route("**/oauth2/authorize?*", tamper)
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/sign-in/oidc/callback" in r.url else None)
    await through_provider(page, oidc_console.base_url, CLERK.sub)
    await expect(page.get_by_role("heading", name="登录失败")).to_be_visible()
    assert len(callbacks) == 1 and "code=" in callbacks[0] and "state=forged" in callbacks[0], callbacks
    await page.unroute("**/oauth2/authorize?*")
    await _not_signed_in(page, oidc_console.base_url)


async def test_a_callback_nobody_started_is_refused(page: Page, oidc_console: ServiceProcess) -> None:
    response = await page.goto(f"{oidc_console.base_url}/sign-in/oidc/callback?code=abc&state=xyz")
    assert response is not None and response.status == 401
    await expect(page.get_by_role("heading", name="登录失败")).to_be_visible()


async def test_development_keys_are_refused_where_turned_off(
    page: Page, oidc_console: ServiceProcess, system: RunningSystem
) -> None:
    await page.goto(f"{oidc_console.base_url}/sign-in")
    await expect(page.get_by_label("开发密钥")).to_have_count(0)
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    # The form a development console would show, posted anyway with a valid key and the session's token.
    answer = await page.request.post(
        f"{oidc_console.base_url}/sign-in/key",
        form={"api_key": system.keys["water"], "csrf_token": token},
        max_redirects=0,
    )
    assert answer.status == 403
    assert "此环境不允许以开发密钥登录" in await answer.text()
    await _not_signed_in(page, oidc_console.base_url)


async def test_signing_out_forgets_the_person(page: Page, oidc_console: ServiceProcess) -> None:
    await through_provider(page, oidc_console.base_url, CLERK.sub)
    await expect(page).to_have_url(f"{oidc_console.base_url}/queue")
    await page.get_by_role("button", name="退出").click()
    await expect(page).to_have_url(f"{oidc_console.base_url}/sign-in")
    await _not_signed_in(page, oidc_console.base_url)


async def test_an_idle_session_ends_and_a_busy_one_does_not(
    page: Page, idle_console: ServiceProcess, system: RunningSystem
) -> None:
    url = idle_console.base_url
    await sign_in(page, url, system.keys["water"])
    for _ in range(2):  # 2 × 4 s: longer than the idle limit in all, each request within it
        await asyncio.sleep(IDLE_SECONDS - 2)
        await page.goto(f"{url}/queue")
        await expect(page).to_have_url(f"{url}/queue")
    # Left open, the queue refreshes its rows every second (htmx): that is not the person, and does not keep the
    # session; the refresh after the limit sends the page to sign in, to come back to the queue (not its rows).
    await expect(page).to_have_url(f"{url}/sign-in?next=/queue", timeout=(IDLE_SECONDS + 4) * 1000)


async def test_next_never_leaves_the_console(page: Page, system: RunningSystem) -> None:
    for evil in ("//evil.example", "https://evil.example/", "/\\evil.example"):
        await page.context.clear_cookies()
        await page.goto(f"{system.console_url}/sign-in?next={evil}")
        await page.get_by_label("开发密钥").fill(system.keys["water"])
        await page.get_by_role("button", name="登录").click()
        await expect(page).to_have_url(f"{system.console_url}/queue")


async def test_the_session_cookie_is_http_only_and_same_site_lax(
    page: Page, context: BrowserContext, system: RunningSystem
) -> None:
    await sign_in(page, system.console_url, system.keys["water"])
    cookies = {cookie["name"]: cookie for cookie in await context.cookies(system.console_url)}
    session = cookies[COOKIE]
    assert session.get("httpOnly") is True
    assert session.get("sameSite") == "Lax"
    assert session.get("secure") is False  # development over http; Secure everywhere else (unit-tested settings)
    assert await page.evaluate("document.cookie") == ""  # no script on the page can read it


async def _ticket_recorded(api: httpx.AsyncClient, case_id: str) -> None:
    async def check() -> None:
        assert (await api.get(f"/v1/cases/{case_id}/ticket")).status_code == 200

    await assert_eventually(check, what=f"the ticket of {case_id} in the records")


async def _not_signed_in(page: Page, console_url: str) -> None:
    await page.goto(f"{console_url}/queue")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=/queue$"))
