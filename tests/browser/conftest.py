"""Browser tests: Debian's Chromium driven by Playwright against the whole running system and its console.

Playwright cannot download browsers here, so the tests use the system's Chromium (`/usr/bin/chromium`, or
`HOTLINE_CHROMIUM`). Where there is none, every browser test is skipped with that reason, which pytest's summary
prints (`-rs` is in the project's addopts): never silently. `.ci/run` installs Chromium when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.support.console import CHROMIUM_VARIABLE, chromium_path

pytestmark = pytest.mark.integration


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_path() is not None:
        return
    reason = (
        f"browser tests skipped: no Chromium at {os.environ.get(CHROMIUM_VARIABLE, '/usr/bin/chromium')} "
        "(apt-get install chromium, or set HOTLINE_CHROMIUM; .ci/run installs it)"
    )
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    assert executable is not None  # the collection hook skipped these tests otherwise
    async with async_playwright() as playwright:
        # No sandbox: CI runs as root, where Chromium refuses its sandbox.
        launched = await playwright.chromium.launch(
            executable_path=str(executable), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A clerk's screen: 1366×768, Chinese, its own cookies."""
    opened = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    opened.set_default_timeout(15_000)
    yield opened
    await opened.close()


@pytest_asyncio.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()
