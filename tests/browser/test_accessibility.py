"""axe-core's checks of the pages people spend their day on (the clerk's queue and case, the centre's desk and
search): no serious or critical violation. The dashboard and admin pages have theirs in their own tests."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.support.case_lifecycle import open_case
from tests.support.console import sign_in
from tests.support.system import RunningSystem


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("water", "/queue"),
        ("water", "/cases/{case_id}"),
        ("water", "/channels"),
        ("coordination-centre", "/centre"),
        ("coordination-centre", "/search?status=assigned"),
        ("coordination-centre", "/cases/{case_id}"),
        (None, "/sign-in"),
    ],
)
async def test_no_serious_accessibility_violations(
    page: Page, system: RunningSystem, api: httpx.AsyncClient, role: str | None, path: str
) -> None:
    case = await open_case(api, category="LS-06")
    if role is not None:
        await sign_in(page, system.console_url, system.keys[role])
    await page.goto(system.console_url + path.format(case_id=case["case_id"]))
    await expect(page.locator("main")).to_be_visible()
    results = await Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()
