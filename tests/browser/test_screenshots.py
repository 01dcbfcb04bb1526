"""Screenshots of every console page as its role sees it, at a clerk's 1366×768 (the dashboard on a phone too).

`make screenshots` writes them to docs/console/screenshots (SCREENSHOTS_DIR); in `make test` they go to a temporary
directory, so tests never change the tree. The shots are data (`SHOTS`): a page not built yet (404) is left out
and said so, and shot once it exists.
"""

from __future__ import annotations

import os
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.case_lifecycle import act, in_arbitration, open_case, waiting_for_triage
from tests.support.console import sign_in
from tests.support.system import RunningSystem

pytestmark = pytest.mark.screenshots

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Always built on this branch: a run that writes none of these is broken, not early.
CORE = {"sign-in", "queue", "case"}


@dataclass(frozen=True)
class Shot:
    name: str  # the PNG's name
    path: str  # `{case_id}`: a case of water's with a little history
    role: str | None  # the development client who signs in (None: nobody)
    viewport: dict[str, int]


SHOTS = (
    Shot("sign-in", "/sign-in", None, DESK),
    Shot("queue", "/queue", "water", DESK),
    Shot("case", "/cases/{case_id}", "water", DESK),
    Shot("centre", "/centre", "coordination-centre", DESK),
    Shot("search", "/search?status=accepted", "coordination-centre", DESK),
    Shot("dashboard", "/dashboard", "city-leader", DESK),
    Shot("dashboard-phone", "/dashboard", "city-leader", PHONE),
    Shot("admin", "/admin", "admin", DESK),
)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """SCREENSHOTS_DIR (`make screenshots`), else the test's temporary directory."""
    chosen = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


async def test_every_built_page_is_shot_for_its_role(
    browser: Browser, system: RunningSystem, api: httpx.AsyncClient, directory: Path
) -> None:
    case_id = await _a_day_of_cases(api)
    written, not_built = [], []
    for shot in SHOTS:
        context = await browser.new_context(viewport=shot.viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        try:
            page = await context.new_page()
            if shot.role is not None:
                await sign_in(page, system.console_url, system.keys[shot.role])
            if not await _opened(page, system.console_url + shot.path.format(case_id=case_id)):
                not_built.append(shot.name)
                continue
            target = directory / f"{shot.name}.png"
            await page.screenshot(path=str(target), animations="disabled")
            assert png_size(target) == (shot.viewport["width"], shot.viewport["height"])
            written.append(shot.name)
        finally:
            await context.close()
    print(f"\nscreenshots in {directory}: {', '.join(written)}; not built yet: {', '.join(not_built) or 'none'}")
    assert set(written) >= CORE, written


async def _opened(page: Page, url: str) -> bool:
    """The page shown and settled (False: the console has no such page yet); any other failure fails the test."""
    response = await page.goto(url)
    assert response is not None
    if response.status == 404 and await page.get_by_role("heading", name="未找到").count():
        return False
    assert response.status == 200, f"{url} answered {response.status}"
    await page.wait_for_load_state("networkidle")
    await expect(page.locator("main")).to_be_visible()
    return True


async def _a_day_of_cases(api: httpx.AsyncClient) -> str:
    """A few of water's cases in different states (the one with the most history is the case page's), one waiting
    for triage and one for arbitration, for the centre's desk."""
    await waiting_for_triage(api)
    await in_arbitration(api)
    await open_case(api, category="LS-06", title=f"自来水发黄有异味{uuid.uuid4().hex[:4]}")
    await open_case(api, category="LS-06", title=f"水压不足{uuid.uuid4().hex[:4]}", urgency="urgent")
    case = await open_case(api, category="LS-06", title="幸福家园小区停水两天无人处理")
    case_id: str = case["case_id"]
    await act(api, case_id, "accept", {"unit": "water", "note": "已签收，安排抢修班组"})
    await act(api, case_id, "feedback", {"unit": "water", "message": "抢修班组已到场，预计今晚恢复供水"})
    return case_id
