"""A case's attachments in the console: a clerk sees the thumbnail of a photo a platform uploaded to their case and
downloads the file, both through the console (as the clerk); another unit's clerk gets neither. An action's form
names the photos ticked (`attachment_ids`)."""

from __future__ import annotations

import hashlib

import httpx
from playwright.async_api import Browser, Page, expect

from tests.integration.test_attachments_api import upload, water_case
from tests.support.console import open_action, sign_in
from tests.support.credentials import bearer
from tests.support.system import RunningSystem
from tests.unit.test_attachment_files import photo


async def test_a_clerk_sees_the_thumbnail_of_a_photo_uploaded_to_their_case(
    page: Page, browser: Browser, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case_id = await water_case(api, system)
    posted = await upload(api, system, "platform-12345", case_id, "现场.jpg", photo(), description="停水现场")
    assert posted.status_code == 201, posted.text
    attachment = posted.json()

    await sign_in(page, system.console_url, system.keys["water"], next_path=f"/cases/{case_id}")
    thumbnail = page.get_by_role("img", name="停水现场")
    await expect(thumbnail).to_be_visible()
    # Loaded, not a broken image: the browser decoded the thumbnail the console passed on (320 px at most).
    width = await thumbnail.evaluate("image => image.complete ? image.naturalWidth : 0")
    assert 0 < width <= 320

    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="现场.jpg").click()
    downloaded = await waiting.value
    path = await downloaded.path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == attachment["sha256"]
    log = await api.get("/v1/admin/access-log", params={"case_id": case_id}, headers=bearer(system.keys["admin"]))
    readers = {entry["client_id"] for entry in log.json()["items"] if entry["purpose"] == "attachment"}
    assert len(readers) == 1 and readers.pop().endswith("@dev-console")  # in the clerk's name, through the console

    shown = f"{system.console_url}/cases/{case_id}/attachments/{attachment['attachment_id']}/thumbnail"
    other = await browser.new_context()
    try:
        stranger = await other.new_page()
        await sign_in(stranger, system.console_url, system.keys["education"])
        refused = await stranger.goto(shown)
        assert refused is not None and refused.status in (403, 404)
    finally:
        await other.close()


async def test_a_clerk_signs_for_a_case_showing_its_photo(
    page: Page, system: RunningSystem, api: httpx.AsyncClient
) -> None:
    case_id = await water_case(api, system)
    posted = await upload(api, system, "platform-12345", case_id, "现场.jpg", photo(), description="停水现场")
    assert posted.status_code == 201, posted.text

    await sign_in(page, system.console_url, system.keys["water"], next_path=f"/cases/{case_id}")
    form = await open_action(page, "签收")
    await form.get_by_label("停水现场（现场.jpg）").check()
    await form.get_by_role("button", name="签收").click()
    await expect(page.locator(".flash").first).to_contain_text("签收：已提交")

    case = (await api.get(f"/v1/cases/{case_id}", headers=bearer(system.keys["water"]))).json()
    [accepted] = [entry for entry in case["timeline"] if entry["action"] == "accepted"]
    assert accepted["attachment_ids"] == [posted.json()["attachment_id"]]
