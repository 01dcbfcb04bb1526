"""The staff console in tests: where Chromium is, and signing a browser in as a development client."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Locator, Page, expect

CHROMIUM_VARIABLE = "HOTLINE_CHROMIUM"


def chromium_path() -> Path | None:
    """The Chromium the browser tests drive: `HOTLINE_CHROMIUM`, else Debian's; None when there is none."""
    path = Path(os.environ.get(CHROMIUM_VARIABLE, "/usr/bin/chromium"))
    return path if path.is_file() and os.access(path, os.X_OK) else None


async def sign_in(page: Page, console_url: str, key: str, *, next_path: str = "") -> None:
    """Sign in with a development key, as a person would, and wait for their landing page."""
    await page.goto(f"{console_url}/sign-in" + (f"?next={next_path}" if next_path else ""))
    await page.get_by_label("开发密钥").fill(key)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("button", name="退出")).to_be_visible()


async def open_action(page: Page, action: str) -> Locator:
    form = page.locator("details.action", has=page.locator("summary", has_text=action))
    await form.locator("summary").click()
    return form


async def act_in_page(page: Page, action: str, fields: dict[str, str]) -> None:
    """Open an action's form on the case page, fill it, send it, and see it accepted."""
    form = await open_action(page, action)
    for label, value in fields.items():
        await form.get_by_label(label, exact=True).fill(value)
    await form.get_by_role("button", name=action).click()
    await expect(page.locator(".flash").first).to_contain_text(f"{action}：已提交")
