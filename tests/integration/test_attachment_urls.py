"""Files a ticket gives by URL, fetched by the system on the real engines and object store: the photo is fetched,
checked and kept as an upload is (EXIF stripped, its position read, a thumbnail); a URL that answers 404 or
redirects is written in the case's timeline, and nothing is fetched twice."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from services.contracts.attachment_fetch import fetched_attachment_id
from tests.integration.test_attachments_api import as_
from tests.integration.test_places_api import grid_report, inside_grid
from tests.support.case_lifecycle import Case, wait_for_case
from tests.support.file_server import FileServer, Served, serving_files
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.unit.test_attachment_files import photo

pytestmark = pytest.mark.usefixtures("no_server_errors")


@pytest_asyncio.fixture
async def files() -> AsyncIterator[FileServer]:
    async with serving_files() as server:
        yield server


async def test_a_grid_report_s_photo_urls_are_fetched_and_a_bad_one_is_written_in_the_timeline(
    api: httpx.AsyncClient, system: RunningSystem, files: FileServer
) -> None:
    picture = photo()
    urls = [
        files.put("/photos/fire.jpg", Served(picture, headers={"Content-Type": "image/jpeg"})),
        files.put("/photos/gone.jpg", Served(b"", status=404)),
        files.put("/photos/moved.jpg", Served(b"", status=302, headers={"Location": "http://169.254.169.254/"})),
        files.put("/photos/notes.txt", Served("不是图片".encode(), headers={"Content-Type": "image/jpeg"})),
    ]
    body = grid_report(latitude=inside_grid()[0], longitude=inside_grid()[1])
    body["attachment_urls"] = urls
    posted = await api.post("/v1/cases", json=body)
    assert posted.status_code == 202, posted.text
    case_id = posted.json()["case_id"]

    def settled(case: Case) -> bool:
        actions = [entry["action"] for entry in case["timeline"]]
        return actions.count("attachment_added") == 1 and actions.count("attachment_fetch_failed") == 3

    case = await wait_for_case(api, case_id, settled, what="the photo listed and three refusals written")
    failures = sorted(e["detail"] for e in case["timeline"] if e["action"] == "attachment_fetch_failed")
    assert failures == [
        "attachment_urls[1]: the URL answers 404",
        "attachment_urls[2]: the URL answers 302, a redirect; give the file's own URL",
        "attachment_urls[3]: file: its bytes are no known file type; accepted: JPEG, PNG, HEIC, PDF, MP3, M4A, AAC, "
        "AMR, WAV",
    ]
    [listed] = case["attachments"]
    assert (listed["attachment_id"], listed["uploaded_by"]) == (fetched_attachment_id(case_id, 0), "grid")

    # The township's clerk sees it as an upload: EXIF gone (other bytes), the position kept, a thumbnail.
    seen = await api.get(f"/v1/cases/{case_id}/attachments", headers=as_(system, "hekou-town"))
    assert seen.status_code == 200, seen.text
    [item] = seen.json()["items"]
    assert (item["file_name"], item["media_type"], item["kind"]) == ("fire.jpg", "image/jpeg", "image")
    assert item["location"] is not None and item["thumbnail_url"] is not None
    async with httpx.AsyncClient(timeout=10) as clerk:
        downloaded = await clerk.get(item["download_url"])
    assert hashlib.sha256(downloaded.content).hexdigest() == item["sha256"] != hashlib.sha256(picture).hexdigest()
    # Fetched once each; the redirect was not followed.
    assert files.gets == {"/photos/fire.jpg": 1, "/photos/gone.jpg": 1, "/photos/moved.jpg": 1, "/photos/notes.txt": 1}


async def test_a_file_server_that_fails_for_a_while_is_asked_again(
    api: httpx.AsyncClient, system: RunningSystem, files: FileServer
) -> None:
    url = files.put("/busy/scan.pdf", Served(b"busy", status=503))
    body = grid_report(latitude=inside_grid()[0], longitude=inside_grid()[1])
    body["attachment_urls"] = [url]
    posted = await api.post("/v1/cases", json=body)
    assert posted.status_code == 202, posted.text
    case_id = posted.json()["case_id"]

    async def asked() -> None:
        assert files.gets["/busy/scan.pdf"] >= 1

    await assert_eventually(asked, timeout=30, what="the first try")
    files.put("/busy/scan.pdf", Served(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
    case = await wait_for_case(api, case_id, lambda c: len(c["attachments"]) == 1, what="the PDF listed", timeout=60)
    assert case["attachments"][0]["media_type"] == "application/pdf"
    assert files.gets["/busy/scan.pdf"] >= 2
    assert "attachment_fetch_failed" not in [entry["action"] for entry in case["timeline"]]


@pytest.mark.parametrize(
    ("urls", "loc", "message"),
    [
        (
            ["ftp://files.example.gov.cn/a.jpg"],
            ["body", "attachment_urls", 0],
            "URL scheme should be 'http' or 'https'",
        ),
        ([f"https://files.example.gov.cn/{n}.jpg" for n in range(6)], ["body", "attachment_urls"], "at most 5 items"),
    ],
)
async def test_bad_attachment_urls_are_refused_naming_the_field(
    api: httpx.AsyncClient, urls: list[str], loc: list[object], message: str
) -> None:
    body = grid_report(latitude=inside_grid()[0], longitude=inside_grid()[1])
    body["attachment_urls"] = urls
    response = await api.post("/v1/cases", json=body)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == loc and message in error["msg"], error
