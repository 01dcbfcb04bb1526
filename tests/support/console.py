"""The staff console in tests: where Chromium is, and signing a browser in as a development client."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Page, expect

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
