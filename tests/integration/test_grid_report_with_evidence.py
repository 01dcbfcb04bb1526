"""Issue 28's whole path on the real engines and object store: a grid worker's photo report with a position (in
GCJ-02, as a Chinese map app gives it) routes to the township the position lies in; the township's clerk sees the
photo; it resolves the case with an after-photo; the platform's status callback carries a link to that photo, which
downloads the very file (its EXIF position stripped) and is written to the case's access log in the platform's name."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest
from PIL import Image

from services.contracts.coordinate_systems import from_wgs84
from services.contracts.tickets import CoordinateSystem
from tests.integration.test_attachments_api import as_, upload
from tests.integration.test_places_api import grid_report, inside_grid
from tests.support.case_lifecycle import act, wait_for_case
from tests.support.polling import assert_eventually
from tests.support.receiver import ReceivedRequest, WebhookReceiver
from tests.support.system import RunningSystem
from tests.unit.test_attachment_files import GPS_IFD, photo

pytestmark = pytest.mark.usefixtures("no_server_errors")


async def test_a_photo_report_is_placed_seen_resolved_with_proof_and_the_platform_gets_the_link(
    api: httpx.AsyncClient, system: RunningSystem, receiver: WebhookReceiver
) -> None:
    latitude, longitude = from_wgs84(*inside_grid(), CoordinateSystem.GCJ02)
    body = grid_report(latitude=latitude, longitude=longitude, coordinate_system="gcj02")
    body["callback_url"] = receiver.url("/grid-platform")
    posted = await api.post("/v1/cases", json=body)
    assert posted.status_code == 202, posted.text
    case_id = posted.json()["case_id"]
    case = await wait_for_case(api, case_id, lambda case: case["status"] == "assigned", what="assigned")
    assert (case["handling_unit"], case["routing"]["township_source"]) == ("hekou-town", "location")

    # The grid worker's photo, sent by its platform; the township's clerk sees it.
    before = await upload(api, system, "platform-grid", case_id, "现场.jpg", photo(), description="焚烧现场")
    assert before.status_code == 201, before.text
    [seen] = (await api.get(f"/v1/cases/{case_id}/attachments", headers=as_(system, "hekou-town"))).json()["items"]
    assert seen["attachment_id"] == before.json()["attachment_id"]
    async with httpx.AsyncClient(timeout=10) as anyone:
        assert (await anyone.get(seen["download_url"])).headers["content-type"] == "image/jpeg"

    # Signed for, then resolved with the after-photo.
    await act(api, case_id, "accept", {"unit": "hekou-town", "note": "已签收"})
    after_bytes = photo(size=(640, 480))
    after = await upload(api, system, "hekou-town", case_id, "处理后.jpg", after_bytes, description="已扑灭")
    assert after.status_code == 201, after.text
    after_id = after.json()["attachment_id"]
    await act(api, case_id, "resolve", {"unit": "hekou-town", "note": "已扑灭并劝导", "attachment_ids": [after_id]})

    async def resolved_callback() -> ReceivedRequest:
        [request] = [r for r in receiver.received if r.path == "/grid-platform" and r.json()["kind"] == "case_resolved"]
        return request

    callback = (await assert_eventually(resolved_callback, timeout=30, what="the resolution's callback")).json()
    assert callback["attachment_ids"] == [after_id]
    [media] = callback["media"]
    assert media["attachment_id"] == after_id
    async with httpx.AsyncClient(timeout=10) as platform:
        downloaded = await platform.get(media["url"])
    assert downloaded.status_code == 200, downloaded.text
    assert hashlib.sha256(downloaded.content).hexdigest() == after.json()["sha256"]
    with Image.open(io.BytesIO(downloaded.content)) as image:
        assert GPS_IFD not in image.getexif()  # the position in the photo's EXIF went before it was stored

    log = await api.get("/v1/admin/access-log", params={"case_id": case_id})
    assert log.status_code == 200, log.text
    downloads = [(e["client_id"], e["client_kind"], e["subject"], e["purpose"]) for e in log.json()["items"]]
    assert ("notifier:platform-grid", "platform", "grid", "attachment") in downloads, downloads
